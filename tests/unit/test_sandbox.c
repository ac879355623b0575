/* SPDX-License-Identifier: ISC */
/* Unit tests for src/sandbox.c: the table names real calls, the modes
 * parse, and in a child process the filter lets the listed calls through
 * and kills the process on others (with SIGSYS), arguments included. */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox.h"
#include "tap.h"

enum probe { PROBE_NONE, PROBE_MKDIR, PROBE_PACKET, PROBE_EXEC_MAP, PROBE_OPEN_WRITE };

/* In a child: sandbox on, the allowed work, then the probe. Returns the
 * wait status. */
static int run_child(enum sandbox_mode mode, enum probe probe)
{
	int status = -1;
	pid_t pid = fork();

	if (pid == 0) {
		char *buf;
		int fd;

		if (sandbox_apply(mode) < 0)
			_exit(10);
		/* what the daemon does all day: memory, sockets, read-only files */
		buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED)
			_exit(11);
		fd = socket(AF_INET6, SOCK_DGRAM, 0);
		if (fd < 0)
			_exit(12);
		close(fd);
		fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
		if (fd < 0 || read(fd, buf, 4096) <= 0 || !strstr(buf, "Seccomp:\t2"))
			_exit(13);
		close(fd);
		switch (probe) {
		case PROBE_NONE: break;
		case PROBE_MKDIR: mkdir("/nonexistent/ovpn-test", 0700); break;
		case PROBE_PACKET: socket(AF_PACKET, SOCK_RAW, 0); break;
		case PROBE_EXEC_MAP: mprotect(buf, 4096, PROT_READ | PROT_EXEC); break;
		case PROBE_OPEN_WRITE: open("/nonexistent/ovpn-test", O_WRONLY | O_CREAT, 0600); break;
		}
		_exit(0);
	}
	if (pid > 0)
		waitpid(pid, &status, 0);
	return status;
}

static bool killed_by_sigsys(int status)
{
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS;
}

static void test_table(void)
{
	const char *bad = NULL;

	CHECK_EQ(sandbox_table_check(&bad), 0);
	if (bad)
		fprintf(stderr, "unknown call in the table: %s\n", bad);
}

static void test_modes(void)
{
	CHECK_EQ(sandbox_mode_parse("true"), SANDBOX_ON);
	CHECK_EQ(sandbox_mode_parse("false"), SANDBOX_OFF);
	CHECK_EQ(sandbox_mode_parse("log"), SANDBOX_LOG);
	CHECK_EQ(sandbox_mode_parse("maybe"), -1);
	CHECK_STR(sandbox_mode_name(SANDBOX_ON), "on");
	CHECK_EQ(sandbox_check(SANDBOX_ON), 0);
}

static void test_allowed(void)
{
	int st = run_child(SANDBOX_ON, PROBE_NONE);

	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);	/* 10..13: which allowed step failed */
}

static void test_killed(void)
{
	CHECK(killed_by_sigsys(run_child(SANDBOX_ON, PROBE_MKDIR)));
	CHECK(killed_by_sigsys(run_child(SANDBOX_ON, PROBE_PACKET)));
	CHECK(killed_by_sigsys(run_child(SANDBOX_ON, PROBE_EXEC_MAP)));
#ifndef OVPN_SANITIZERS
	/* the sanitizers' runtime may open its report files: allowed there */
	CHECK(killed_by_sigsys(run_child(SANDBOX_ON, PROBE_OPEN_WRITE)));
#endif
}

/* log mode: the same call is let through */
static void test_log_mode(void)
{
	int st = run_child(SANDBOX_LOG, PROBE_MKDIR);

	CHECK(WIFEXITED(st));
	CHECK_EQ(WEXITSTATUS(st), 0);
}

int main(void)
{
	RUN(test_table());
	RUN(test_modes());
	RUN(test_allowed());
	RUN(test_killed());
	RUN(test_log_mode());
	return tap_done();
}

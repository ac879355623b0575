/* SPDX-License-Identifier: ISC */
/*
 * Test-only LD_PRELOAD library: makes ovpnd do what an attacker would,
 * from inside the process, with no hook in ovpnd's own code.
 *   OVPN_PROBE_CALL=NAME  on SIGUSR1, make the call NAME, one the sandbox
 *                         refuses, then print "probe: survived NAME"
 *   OVPN_PROBE_SWAP=PATH  right after ovpnd binds a unix socket, replace
 *                         the socket file by a symlink to PATH (an attacker
 *                         who wins the race in a writable directory)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static const char *probe_call;

static void say(const char *what)
{
	char line[128];
	int n = snprintf(line, sizeof(line), "probe: %s %s\n", what, probe_call);

	if (n > 0 && write(STDERR_FILENO, line, (size_t)n) < 0)
		_exit(3);
}

static void probe(int sig)
{
	static char page[1 << 16] __attribute__((aligned(1 << 16)));
	char *const argv[] = { "true", NULL };

	(void)sig;
	say("calling");
	if (!strcmp(probe_call, "execve"))
		execve("/nonexistent/ovpn-probe", argv, NULL);
	else if (!strcmp(probe_call, "socket-packet"))
		close(socket(AF_PACKET, SOCK_RAW, 0));
	else if (!strcmp(probe_call, "mprotect-exec"))
		mprotect(page, 4096, PROT_READ | PROT_EXEC);
	else if (!strcmp(probe_call, "open-write"))
		close(open("/tmp/ovpn-probe-never-created", O_WRONLY | O_CREAT | O_EXCL, 0600));
	else if (!strcmp(probe_call, "mkdir"))
		rmdir(mkdir("/tmp/ovpn-probe-dir", 0700) == 0 ? "/tmp/ovpn-probe-dir" : "");
	else
		say("unknown");
	say("survived");
}

__attribute__((constructor)) static void probe_init(void)
{
	probe_call = getenv("OVPN_PROBE_CALL");
	if (probe_call)
		signal(SIGUSR1, probe);
}

int bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	static int (*real_bind)(int, const struct sockaddr *, socklen_t);
	const char *target = getenv("OVPN_PROBE_SWAP");
	int rc;

	if (!real_bind)
		real_bind = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "bind");
	rc = real_bind(fd, sa, len);
	if (rc == 0 && target && sa->sa_family == AF_UNIX) {
		const char *path = ((const struct sockaddr_un *)sa)->sun_path;

		if (unlink(path) == 0 && symlink(target, path) == 0)
			fprintf(stderr, "probe: %s is now a symlink to %s\n", path, target);
	}
	return rc;
}

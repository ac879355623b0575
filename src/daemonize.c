/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemonize.h"
#include "log.h"

/* /dev/null, opened by the child at once: once the sandbox is on, the
 * daemon opens no file for writing. */
static int daemonize_null = -1;

int daemonize_begin(void)
{
	int pipefd[2], status;
	pid_t pid;
	char ok;

	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		log_err("pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		log_err("fork: %s", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		close(pipefd[0]);
		setsid();
		daemonize_null = open("/dev/null", O_RDWR | O_CLOEXEC);
		/* Hold no directory busy; every path the daemon still needs is
		 * absolute (config, control socket, pidfile) or already open. */
		if (chdir("/") < 0)
			log_warn("chdir /: %s", strerror(errno));
		return pipefd[1];
	}
	close(pipefd[1]);
	/* One byte: the daemon is up. End of file: it exited during set-up. */
	if (read(pipefd[0], &ok, 1) == 1)
		_exit(EXIT_SUCCESS);
	if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		_exit(WEXITSTATUS(status) ? WEXITSTATUS(status) : EXIT_FAILURE);
	_exit(EXIT_FAILURE);
}

void daemonize_ready(int fd)
{
	int null = daemonize_null;

	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	log_set_stderr(false);
	if (write(fd, "1", 1) != 1)
		log_warn("cannot notify the starting process");
	close(fd);
}

/* Created, never opened through a symlink or over another file: a stale
 * regular file is removed first (unlink takes the name, not a target). */
static int pidfile_create(const char *path)
{
	int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	int fd = open(path, flags, 0644);
	struct stat st;

	if (fd >= 0 || errno != EEXIST)
		return fd;
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		errno = EEXIST;
		log_err("pidfile %s: exists and is not a regular file (a symlink?); not replacing it",
			path);
		return -2;
	}
	if (unlink(path) < 0 && errno != ENOENT)
		return -1;
	return open(path, flags, 0644);
}

int pidfile_write(const char *path)
{
	char line[32];
	int fd = pidfile_create(path), n;
	bool ok;

	if (fd == -2)
		return -1;
	if (fd < 0) {
		log_err("pidfile %s: %s", path, strerror(errno));
		return -1;
	}
	n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	ok = write(fd, line, (size_t)n) == n;
	if (close(fd) != 0)
		ok = false;
	if (!ok) {
		log_err("pidfile %s: cannot write: %s", path, strerror(errno));
		unlink(path);
		return -1;
	}
	return 0;
}

#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int pidfile_write(const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0) {
		log_err("pidfile %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* SPDX-License-Identifier: ISC */
/* ctl-garbage: hostile clients for the control socket.
 *   ctl-garbage SOCKET random N     N random bytes, then read the answer
 *   ctl-garbage SOCKET long N       a line of N 'a's without newline
 *   ctl-garbage SOCKET line TEXT    TEXT and a newline (TEXT may hold \x escapes)
 *   ctl-garbage SOCKET hold N S     N connections held open for S seconds
 *   ctl-garbage SOCKET stuck S      "watch", then S seconds (or until SIGUSR1)
 *                                   without reading; then drain: "cut after N bytes" if the
 *                                   daemon closed, else "open after N bytes"
 * Prints what the daemon answered (or "closed"), exits 0 if it connected. */
#include "config.h"

#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int connect_to(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		perror("ctl-garbage: connect");
		exit(1);
	}
	return fd;
}

static void print_answer(int fd)
{
	char buf[4096];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, 7000) <= 0) {
		printf("no answer\n");
		return;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0) {
		printf("closed\n");
		return;
	}
	buf[n] = '\0';
	printf("%s", buf);
}

static size_t unescape(const char *in, char *out)
{
	size_t n = 0;

	while (*in) {
		unsigned v;

		if (in[0] == '\\' && in[1] == 'x' && sscanf(in + 2, "%2x", &v) == 1) {
			out[n++] = (char)v;
			in += 4;
		} else {
			out[n++] = *in++;
		}
	}
	return n;
}

static void wake(int sig)
{
	(void)sig;
}

/* A watcher that stops reading: the daemon must cut it off, not wait. */
static int stuck(int fd, unsigned secs)
{
	struct sigaction sa = { .sa_handler = wake };
	char buf[65536];
	size_t total = 0;
	ssize_t n = 0;

	sigaction(SIGUSR1, &sa, NULL);	/* ends the sleep early */
	if (write(fd, "watch\n", 6) != 6)
		return 1;
	sleep(secs);
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, 2000) <= 0)
			break;
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			break;
		total += (size_t)n;
	}
	printf("%s after %zu bytes\n", n == 0 ? "cut" : "open", total);
	return 0;
}

int main(int argc, char **argv)
{
	int fd;

	if (argc < 4 || sodium_init() < 0) {
		fprintf(stderr, "usage: ctl-garbage SOCKET random|long|line|hold ARG [S]\n");
		return 2;
	}
	if (!strcmp(argv[2], "hold")) {
		int n = atoi(argv[3]), secs = argc > 4 ? atoi(argv[4]) : 2;

		for (int i = 0; i < n; i++)
			connect_to(argv[1]);
		sleep((unsigned)secs);
		printf("held %d connections\n", n);
		return 0;
	}
	fd = connect_to(argv[1]);
	if (!strcmp(argv[2], "stuck"))
		return stuck(fd, (unsigned)atoi(argv[3]));
	if (!strcmp(argv[2], "random") || !strcmp(argv[2], "long")) {
		size_t n = strtoul(argv[3], NULL, 10);
		char *buf = malloc(n ? n : 1);

		if (!buf)
			return 1;
		if (argv[2][0] == 'r')
			randombytes_buf(buf, n);
		else
			memset(buf, 'a', n);
		if (write(fd, buf, n) < 0)
			printf("write failed (daemon closed early)\n");
		free(buf);
	} else {
		char buf[1024];
		size_t n = unescape(argv[3], buf);

		buf[n++] = '\n';
		if (write(fd, buf, n) < 0)
			printf("write failed\n");
	}
	print_answer(fd);
	close(fd);
	return 0;
}

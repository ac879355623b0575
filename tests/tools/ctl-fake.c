/* SPDX-License-Identifier: ISC */
/* ctl-fake SOCKET FILE: a stand-in for ovpnd's control socket that answers
 * one request with the bytes of FILE (what a compromised or impostor
 * daemon could send to ovpnctl). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char buf[4096];
	FILE *f;
	size_t n;
	int fd, c;

	if (argc != 3 || strlen(argv[1]) >= sizeof(sun.sun_path) || !(f = fopen(argv[2], "rb"))) {
		fprintf(stderr, "usage: ctl-fake SOCKET FILE\n");
		return 2;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);	/* one byte left for the request */
	fclose(f);
	strcpy(sun.sun_path, argv[1]);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 1) < 0) {
		perror(argv[1]);
		return 1;
	}
	c = accept(fd, NULL, NULL);
	if (c < 0 || read(c, buf + n, 1) < 0 || write(c, buf, n) != (ssize_t)n) {
		perror("ctl-fake");
		return 1;
	}
	close(c);
	close(fd);
	unlink(argv[1]);
	return 0;
}

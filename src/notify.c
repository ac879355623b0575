/* SPDX-License-Identifier: ISC */
/* sd_notify(3)'s protocol: $NOTIFY_SOCKET names an AF_UNIX datagram socket,
 * a path or, after '@', an abstract name; the message is one datagram of
 * newline-separated VAR=value lines. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"

int notify_send(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t len, n = strlen(state);
	int fd, ret = -1;

	if (!path || !*path)
		return 0;
	len = strlen(path);
	if ((path[0] != '/' && path[0] != '@') || len < 2 || len >= sizeof(sun.sun_path)) {
		log_err("NOTIFY_SOCKET: not a socket path or abstract name: '%s'", path);
		return -1;
	}
	memcpy(sun.sun_path, path, len);
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_err("NOTIFY_SOCKET: socket: %s", strerror(errno));
		return -1;
	}
	if (sendto(fd, state, n, MSG_NOSIGNAL, (struct sockaddr *)&sun,
		   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len)) == (ssize_t)n)
		ret = 0;
	else
		log_err("NOTIFY_SOCKET %s: send: %s", path, strerror(errno));
	close(fd);
	return ret;
}

int notify_ready(const char *ifname)
{
	char state[96];

	snprintf(state, sizeof(state), "READY=1\nSTATUS=interface %s up\nMAINPID=%ld\n",
		 ifname, (long)getpid());
	return notify_send(state);
}

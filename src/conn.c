/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <errno.h>
#include <sys/socket.h>

#include "conn.h"

int conn_send_pending(int fd, const struct strbuf *out, size_t *off)
{
	while (*off < out->len) {
		ssize_t n = send(fd, out->data + *off, out->len - *off, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n <= 0)
			return -1;
		*off += (size_t)n;
	}
	return 1;
}

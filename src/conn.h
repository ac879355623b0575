/* SPDX-License-Identifier: ISC */
/* What the daemon's stream clients (metrics-listen, watch) share: writing
 * a reply or backlog without ever blocking. */
#ifndef OVPN_CONN_H
#define OVPN_CONN_H

#include <stddef.h>

#include "strbuf.h"

/* Send out from *off on, advancing *off: 1 when all is sent, 0 when the
 * socket is full (wait for EPOLLOUT), -1 when the peer is gone. */
int conn_send_pending(int fd, const struct strbuf *out, size_t *off);

#endif

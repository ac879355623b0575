/* SPDX-License-Identifier: ISC */
/* ovpnd's life: setup in DESIGN.md's order, the event loop, and teardown.
 * Its state is a composition of parts, each with its own module: the peer
 * set (peerset.h), the data plane (dataplane.h), the control socket
 * (control.h) and status output from them (status.h). Only ovpnd.c uses
 * this header. */
#ifndef OVPN_DAEMON_H
#define OVPN_DAEMON_H

#include <stdbool.h>

#include "conf.h"

struct daemon_opts {
	int ready_fd;		/* daemonize_begin's fd, -1 in the foreground */
	const char *pidfile;	/* NULL: none */
	bool verbose;		/* -v: debug logging whatever log-level says */
};

/* Set up (tun, addresses, routes, sockets, control socket, privilege
 * drop), run until SIGTERM/SIGINT, tear down. Takes over cfg (leaving it
 * empty). Returns the exit status. */
int daemon_run(struct conf *cfg, const struct daemon_opts *opts);

#endif

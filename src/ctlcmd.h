/* SPDX-License-Identifier: ISC */
/* Control-socket requests beyond show and reload: show dump, metrics,
 * showconf, set peer, remove peer (and watch, which keeps the client). */
#ifndef OVPN_CTLCMD_H
#define OVPN_CTLCMD_H

#include <stdbool.h>

#include "conf.h"
#include "status.h"
#include "strbuf.h"

/* What the commands work on, from the daemon. */
struct ctlcmd_ctx {
	const struct status_src *src;	/* show dump, metrics; peers counted after a change */
	const struct conf *cfg;		/* the running configuration */
	/* Run nc (allocated, taken over) as a reload runs the file it read:
	 * peers and routes updated in place, nc the running config. 0 or -1. */
	int (*apply)(void *ctx, struct conf *nc);
	void *ctx;
};

/* Answer request into reply when it is one of these: true; false leaves
 * it to the caller. */
bool ctlcmd_request(const struct ctlcmd_ctx *c, const char *request, struct strbuf *reply);

#endif

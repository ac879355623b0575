/* SPDX-License-Identifier: ISC */
/* What `ovpnctl show` prints, rendered from the peer set and the data
 * plane (and the control socket's own counter). */
#ifndef OVPN_STATUS_H
#define OVPN_STATUS_H

#include <stdbool.h>

#include "control.h"
#include "dataplane.h"
#include "peerset.h"
#include "strbuf.h"

/* The parts a status is rendered from. */
struct status_src {
	const struct peerset *peers;
	const struct dataplane *dp;
	const struct control *ctl;
	int sandbox;			/* enum sandbox_mode in force */
};

/* The reply to the control socket's "show" (text) and "show json". */
void status_render(const struct status_src *src, struct strbuf *out, bool json);

#endif

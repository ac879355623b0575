/* SPDX-License-Identifier: ISC */
/* `ovpnctl show --dump`: one tab-separated line for the interface and one
 * per peer, in the columns of `wg show dump`, for scripts. */
#ifndef OVPN_DUMP_H
#define OVPN_DUMP_H

#include <stdint.h>

#include "peer.h"
#include "status.h"
#include "strbuf.h"

/* The latest handshake as a Unix time in seconds, 0 for never. */
uint64_t dump_handshake_unix(const struct peer *p, uint64_t now);
/* Render the dump of the parts in src at time now (timerq_now's clock). */
void dump_render(const struct status_src *src, struct strbuf *out, uint64_t now);

#endif

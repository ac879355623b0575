/* `ovpnctl show --dump`: one tab-separated line for the interface and one
 * per peer, in the columns of `wg show dump`, for scripts. */
#ifndef OVPN_DUMP_H
#define OVPN_DUMP_H

#include <stdint.h>

#include "strbuf.h"

struct daemon;
struct peer;

/* The latest handshake as a Unix time in seconds, 0 for never. */
uint64_t dump_handshake_unix(const struct peer *p, uint64_t now);
/* Render the dump of d at monotonic time now. */
void dump_render(struct daemon *d, struct strbuf *out, uint64_t now);

#endif

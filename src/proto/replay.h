/* SPDX-License-Identifier: ISC */
/*
 * Anti-replay window for transport counters, RFC 6479: a ring of 64-bit
 * blocks. Accepts any counter above the highest seen and any unseen counter
 * at most REPLAY_WINDOW behind it. Check before, update only after the
 * packet authenticated.
 */
#ifndef OVPN_REPLAY_H
#define OVPN_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#define REPLAY_BLOCKS 128	/* a power of two */
#define REPLAY_BLOCK_BITS 64
#define REPLAY_WINDOW ((REPLAY_BLOCKS - 1) * REPLAY_BLOCK_BITS) /* 8128 */

struct replay {
	uint64_t greatest;	/* highest counter accepted (0 when none: bit unset) */
	uint64_t blocks[REPLAY_BLOCKS];
};

void replay_init(struct replay *r);
/* True when counter was not seen and is not too far behind. */
bool replay_check(const struct replay *r, uint64_t counter);
/* Mark counter seen; call only for a counter replay_check accepted. */
void replay_update(struct replay *r, uint64_t counter);

#endif

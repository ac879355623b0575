/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <string.h>

#include "replay.h"

#define REPLAY_MASK (REPLAY_BLOCKS - 1)

void replay_init(struct replay *r)
{
	memset(r, 0, sizeof(*r));
}

static bool replay_bit(const struct replay *r, uint64_t counter)
{
	uint64_t block = r->blocks[(counter / REPLAY_BLOCK_BITS) & REPLAY_MASK];

	return (block >> (counter % REPLAY_BLOCK_BITS)) & 1;
}

bool replay_check(const struct replay *r, uint64_t counter)
{
	if (counter > r->greatest)
		return true;
	if (r->greatest - counter > REPLAY_WINDOW)
		return false;
	return !replay_bit(r, counter);
}

void replay_update(struct replay *r, uint64_t counter)
{
	uint64_t top = r->greatest / REPLAY_BLOCK_BITS;
	uint64_t target = counter / REPLAY_BLOCK_BITS;

	if (counter > r->greatest) {
		uint64_t clear = target - top;

		if (clear > REPLAY_BLOCKS)
			clear = REPLAY_BLOCKS;
		for (uint64_t i = 1; i <= clear; i++)
			r->blocks[(top + i) & REPLAY_MASK] = 0;
		r->greatest = counter;
	}
	r->blocks[target & REPLAY_MASK] |= UINT64_C(1) << (counter % REPLAY_BLOCK_BITS);
}

/* SPDX-License-Identifier: ISC */
/* A host rng (proto_host.rng) that replays the PROTOCOL.md vectors: the
 * next 32-byte draw gives the armed ephemeral key and the next 4-byte draw
 * the armed index, each once; every other draw is random. An armed index
 * the table already uses is thus replaced by a random one. */
#ifndef OVPN_TEST_VEC_RNG_H
#define OVPN_TEST_VEC_RNG_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "proto.h"

struct vec_rng {
	uint8_t eph[32];
	uint32_t index;
	bool eph_armed, index_armed;
};

static inline void vec_rng_fill(void *ctx, void *buf, size_t len)
{
	struct vec_rng *v = ctx;

	if (len == sizeof(v->eph) && v->eph_armed) {
		memcpy(buf, v->eph, len);
		v->eph_armed = false;
	} else if (len == sizeof(v->index) && v->index_armed) {
		memcpy(buf, &v->index, len);
		v->index_armed = false;
	} else {
		randombytes_buf(buf, len);
	}
}

/* Arm v with eph and index and make it host's source of randomness. */
static inline void vec_rng_arm(struct proto_host *host, struct vec_rng *v,
			       const uint8_t eph[32], uint32_t index)
{
	memcpy(v->eph, eph, sizeof(v->eph));
	v->index = index;
	v->eph_armed = v->index_armed = true;
	host->rng = (struct rng){ .fill = vec_rng_fill, .ctx = v };
}

/* Back to plain randomness: nothing armed is left for a later call. */
static inline void vec_rng_disarm(struct vec_rng *v)
{
	v->eph_armed = v->index_armed = false;
}

#endif

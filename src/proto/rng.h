/* SPDX-License-Identifier: ISC */
/* The protocol core's source of random bytes (ephemeral keys, indices).
 * Unset it is libsodium's randombytes_buf; the known-answer tests put the
 * vectors' fixed ephemeral keys and indices through it. */
#ifndef OVPN_RNG_H
#define OVPN_RNG_H

#include <stddef.h>

struct rng {
	void (*fill)(void *ctx, void *buf, size_t len);	/* NULL: randombytes_buf */
	void *ctx;
};

/* r may be NULL: randombytes_buf. */
void rng_fill(const struct rng *r, void *buf, size_t len);

#endif

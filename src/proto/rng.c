/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sodium.h>

#include "rng.h"

void rng_fill(const struct rng *r, void *buf, size_t len)
{
	if (r && r->fill)
		r->fill(r->ctx, buf, len);
	else
		randombytes_buf(buf, len);
}

/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <string.h>

#include "tai64n.h"

void tai64n_encode(uint8_t out[TAI64N_LEN], uint64_t secs, uint32_t nsec)
{
	uint64_t label = (UINT64_C(1) << 62) + secs;

	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(label >> (56 - 8 * i));
	for (int i = 0; i < 4; i++)
		out[8 + i] = (uint8_t)(nsec >> (24 - 8 * i));
}

void tai64n_encode_coarse(uint8_t out[TAI64N_LEN], uint64_t secs, uint32_t nsec)
{
	tai64n_encode(out, secs, nsec & ~((UINT32_C(1) << 24) - 1));
}

int tai64n_compare(const uint8_t a[TAI64N_LEN], const uint8_t b[TAI64N_LEN])
{
	return memcmp(a, b, TAI64N_LEN);
}

/* SPDX-License-Identifier: ISC */
#include "config.h"

#include "codel.h"

void codel_init(struct codel *c, uint64_t target_ns, uint64_t interval_ns)
{
	*c = (struct codel){ .target = target_ns, .interval = interval_ns };
}

static uint64_t isqrt(uint64_t v)
{
	uint64_t r = 0, bit = (uint64_t)1 << 62;

	while (bit > v)
		bit >>= 2;
	for (; bit; bit >>= 2) {
		if (v >= r + bit) {
			v -= r + bit;
			r = (r >> 1) + bit;
		} else {
			r >>= 1;
		}
	}
	return r;
}

/* The next drop: interval / sqrt(count) after t (count >= 1); in fixed
 * point, 2^16 * interval / sqrt(2^32 * count). */
static uint64_t control_law(const struct codel *c, uint64_t t)
{
	return t + (c->interval << 16) / isqrt((uint64_t)c->count << 32);
}

bool codel_drop(struct codel *c, uint64_t now, uint64_t sojourn)
{
	bool ok = false;
	uint32_t delta;

	if (sojourn < c->target)
		c->first_above = 0;
	else if (!c->first_above)
		c->first_above = now + c->interval;
	else
		ok = now >= c->first_above;
	if (c->dropping) {
		if (!ok) {
			c->dropping = false;
			return false;
		}
		if (now < c->drop_next)
			return false;
		c->count++;
		c->drop_next = control_law(c, c->drop_next);
		return true;
	}
	if (!ok)
		return false;
	/* Dropping again soon after the last time: start near the rate that
	 * was reached then (RFC 8289 section 5.5). */
	c->dropping = true;
	delta = c->count - c->last_count;
	c->count = delta > 1 && now - c->drop_next < 16 * c->interval ? delta : 1;
	c->drop_next = control_law(c, now);
	c->last_count = c->count;
	return true;
}

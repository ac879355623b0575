/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sodium.h>

#include "timers.h"

void timers_default(struct proto_timers *t)
{
	t->rekey_after_messages = UINT64_C(1) << 60;
	t->reject_after_messages = UINT64_MAX - (UINT64_C(1) << 13);
	t->rekey_after_time = 120 * TIMERS_NS_PER_SEC;
	t->reject_after_time = 180 * TIMERS_NS_PER_SEC;
	t->rekey_attempt_time = 90 * TIMERS_NS_PER_SEC;
	t->rekey_timeout = 5 * TIMERS_NS_PER_SEC;
	t->rekey_jitter_max = TIMERS_NS_PER_SEC / 3;
	t->keepalive_timeout = 10 * TIMERS_NS_PER_SEC;
	t->cookie_lifetime = 120 * TIMERS_NS_PER_SEC;
}

uint64_t timers_draw_jitter(const struct proto_timers *t)
{
	uint64_t r;

	if (!t->rekey_jitter_max)
		return 0;
	randombytes_buf(&r, sizeof(r));
	return r % (t->rekey_jitter_max + 1);
}

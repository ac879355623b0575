/* timerq: heap order under random add/update/remove, checked against a
 * plain array; edge cases of the poll timeout. */
#include "config.h"

#include <limits.h>
#include <stdint.h>

#include "timerq.h"
#include "tap.h"

#define N 500

static struct timer timers[N];
static uint64_t want[N];	/* reference: deadline, or 0 = not queued */

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t ref_min(void)
{
	uint64_t m = TIMERQ_NONE;

	for (int i = 0; i < N; i++)
		if (want[i] && want[i] < m)
			m = want[i];
	return m;
}

static void basics(void)
{
	struct timerq q;
	struct timer a, b, c;

	CHECK_EQ(timerq_init(&q, 2), 0);
	timer_init(&a);
	timer_init(&b);
	timer_init(&c);
	CHECK_EQ(timerq_next(&q), TIMERQ_NONE);
	CHECK_EQ(timerq_timeout_ms(&q, 0), -1);
	CHECK_EQ(timerq_pop_due(&q, UINT64_MAX - 1), NULL);
	CHECK_EQ(timerq_set(&q, &a, 5000000), 0);
	CHECK(timer_pending(&a) && !timer_pending(&b));
	CHECK_EQ(timerq_set(&q, &b, 3000001), 0);
	CHECK_EQ(timerq_set(&q, &c, 1), -1);	/* full */
	CHECK(!timer_pending(&c));
	CHECK_EQ(timerq_next(&q), 3000001);
	CHECK_EQ(timerq_timeout_ms(&q, 0), 4);	/* 3.000001 ms rounds up */
	CHECK_EQ(timerq_timeout_ms(&q, 3000001), 0);
	CHECK_EQ(timerq_timeout_ms(&q, 9000000), 0);
	CHECK_EQ(timerq_pop_due(&q, 3000000), NULL);
	CHECK_EQ(timerq_set(&q, &b, 7000000), 0);	/* update, still 2 */
	CHECK_EQ(timerq_next(&q), 5000000);
	CHECK(timerq_pop_due(&q, 8000000) == &a);
	CHECK(!timer_pending(&a));
	CHECK(timerq_pop_due(&q, 8000000) == &b);
	CHECK_EQ(timerq_pop_due(&q, 8000000), NULL);
	timerq_remove(&q, &b);			/* not queued: no-op */
	CHECK_EQ(timerq_set(&q, &c, UINT64_MAX - 1), 0);
	CHECK_EQ(timerq_timeout_ms(&q, 0), INT_MAX);
	CHECK_EQ(timerq_reserve(&q, 3), 0);
	CHECK_EQ(timerq_set(&q, &a, 1), 0);
	CHECK_EQ(timerq_set(&q, &b, 2), 0);
	timerq_free(&q);
	CHECK(!timer_pending(&a) && !timer_pending(&c));
	CHECK(timerq_now() > 0 && timerq_now() <= timerq_now());
}

static void randomized(void)
{
	struct timerq q;
	int bad_next = 0, bad_pos = 0, bad_pop = 0, bad_set = 0;

	CHECK_EQ(timerq_init(&q, N), 0);
	for (int i = 0; i < N; i++)
		timer_init(&timers[i]);
	for (int step = 0; step < 200000; step++) {
		int i = (int)(rnd() % N);
		uint64_t d = 1 + rnd() % 1000000;

		if (rnd() % 3) {
			bad_set += timerq_set(&q, &timers[i], d) != 0;
			want[i] = d;
		} else {
			timerq_remove(&q, &timers[i]);
			want[i] = 0;
		}
		bad_next += timerq_next(&q) != ref_min();
		bad_pos += timer_pending(&timers[i]) != (want[i] != 0);
	}
	/* drain everything due by 500000 in order, then the rest */
	for (uint64_t now = 500000, last = 0;; now = UINT64_MAX - 1) {
		struct timer *t;

		while ((t = timerq_pop_due(&q, now))) {
			int i = (int)(t - timers);

			bad_pop += t->deadline < last || t->deadline > now ||
				   want[i] != t->deadline;
			last = t->deadline;
			want[i] = 0;
		}
		bad_next += timerq_next(&q) != ref_min();
		if (now == UINT64_MAX - 1)
			break;
	}
	CHECK_EQ(bad_set, 0);
	CHECK_EQ(bad_next, 0);
	CHECK_EQ(bad_pos, 0);
	CHECK_EQ(bad_pop, 0);
	CHECK(q.len == 0 && ref_min() == TIMERQ_NONE);
	timerq_free(&q);
}

int main(void)
{
	RUN(basics());
	RUN(randomized());
	return tap_done();
}

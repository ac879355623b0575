/* SPDX-License-Identifier: ISC */
/* CoDel (codel.h): no drops below target or for a wait shorter than the
 * interval; then the first drop, the next ones closer and closer
 * (interval / sqrt(count)), and none once the wait is below target. */
#include "config.h"

#include "codel.h"
#include "tap.h"

#define MS 1000000ull
#define US 1000ull

/* Packets every step ns from t for span ns, each having waited sojourn:
 * how many are dropped; *first: the time of the first drop (0 if none). */
static unsigned run(struct codel *c, uint64_t t, uint64_t span, uint64_t step,
		    uint64_t sojourn, uint64_t *first)
{
	unsigned drops = 0;

	if (first)
		*first = 0;
	for (uint64_t now = t; now < t + span; now += step)
		if (codel_drop(c, now, sojourn)) {
			if (first && !*first)
				*first = now;
			drops++;
		}
	return drops;
}

static void test_below_target(void)
{
	struct codel c;
	uint64_t t = 1000 * MS;

	codel_init(&c, 500 * US, 5 * MS);
	/* below target: never, however long */
	CHECK_EQ(run(&c, t, 1000 * MS, 10 * US, 499 * US, NULL), 0);
	t += 1000 * MS;
	/* above target, but not for a whole interval, and again below */
	CHECK_EQ(run(&c, t, 4 * MS, 10 * US, 3 * MS, NULL), 0);
	t += 4 * MS;
	CHECK_EQ(run(&c, t, 1 * MS, 10 * US, 100 * US, NULL), 0);
}

static void test_standing_queue(void)
{
	struct codel c;
	uint64_t first, t = 1000 * MS;
	unsigned n1, n2;

	codel_init(&c, 500 * US, 5 * MS);
	/* a standing queue: the first drop one interval after it began */
	CHECK_GT(run(&c, t, 20 * MS, 10 * US, 2 * MS, &first), 0);
	CHECK_GE(first, t + 5 * MS);
	CHECK_LT(first, t + 5 * MS + 20 * US);
	/* while it stands, drops come faster: more in the second 100 ms */
	t += 20 * MS;
	n1 = run(&c, t, 100 * MS, 10 * US, 2 * MS, NULL);
	n2 = run(&c, t + 100 * MS, 100 * MS, 10 * US, 2 * MS, NULL);
	CHECK_GT(n1, 0);
	CHECK_GT(n2, n1);
	/* 200 ms at interval / sqrt(count): far fewer than one per packet */
	CHECK_LT(n1 + n2, 2000);
	t += 200 * MS;
	/* the wait falls below target: no more drops */
	CHECK_EQ(run(&c, t, 100 * MS, 10 * US, 400 * US, NULL), 0);
	/* one packet below target in a standing queue starts the interval over */
	t += 100 * MS;
	CHECK_EQ(run(&c, t, 4 * MS, 10 * US, 2 * MS, NULL), 0);
	CHECK(!codel_drop(&c, t + 4 * MS, 100 * US));
	CHECK_EQ(run(&c, t + 4 * MS + 10 * US, 4 * MS, 10 * US, 2 * MS, NULL), 0);
}

int main(void)
{
	RUN(test_below_target());
	RUN(test_standing_queue());
	return tap_done();
}

/* SPDX-License-Identifier: ISC */
/* RFC 6479 replay window: order, reordering, window edges, jumps, limits. */
#include "config.h"

#include "proto_fixture.h"

/* Accept-and-mark as the receive path does: check, then update. */
static bool take(struct replay *r, uint64_t c)
{
	if (!replay_check(r, c))
		return false;
	replay_update(r, c);
	return true;
}

static void test_in_order(void)
{
	struct replay r;
	int ok = 0;

	replay_init(&r);
	for (uint64_t c = 0; c < 20000; c++)
		ok += take(&r, c);
	CHECK_EQ(ok, 20000);
	for (uint64_t c = 0; c < 20000; c++)
		ok -= take(&r, c);
	CHECK_EQ(ok, 20000);	/* every one a duplicate now */
}

static void test_reorder_and_edges(void)
{
	struct replay r;
	const uint64_t top = 10000;

	replay_init(&r);
	CHECK(take(&r, top));
	/* Inside the window, out of order: all accepted once. */
	CHECK(take(&r, top - 1));
	CHECK(take(&r, top - 5000));
	CHECK(take(&r, top - 3));
	CHECK(!take(&r, top - 3));
	CHECK(!take(&r, top));
	/* REPLAY_WINDOW = 8128 behind the highest is the oldest accepted. */
	CHECK_EQ(REPLAY_WINDOW, 8128);
	CHECK(replay_check(&r, top - REPLAY_WINDOW));
	CHECK(!replay_check(&r, top - REPLAY_WINDOW - 1));
	CHECK(take(&r, top - REPLAY_WINDOW));
	CHECK(!take(&r, top - REPLAY_WINDOW));
	CHECK(!take(&r, 0));
	/* A check alone changes nothing (tag not verified yet). */
	CHECK(replay_check(&r, top + 1) && replay_check(&r, top + 1));
	CHECK(take(&r, top + 1) && !take(&r, top + 1));
}

static void test_every_offset(void)
{
	/* For each distance behind the top, accepted iff within the window. */
	int wrong = 0;

	for (uint64_t base = 20000; base < 20000 + 64; base += 7) {
		for (uint64_t d = 1; d < REPLAY_WINDOW + 200; d++) {
			struct replay r;

			replay_init(&r);
			replay_update(&r, base);
			wrong += replay_check(&r, base - d) != (d <= REPLAY_WINDOW);
		}
	}
	CHECK_EQ(wrong, 0);
}

static void test_jumps(void)
{
	struct replay r;

	replay_init(&r);
	CHECK(take(&r, 5));
	CHECK(take(&r, 3));
	/* A jump of more than the whole ring clears it. */
	CHECK(take(&r, 5 + 64 * REPLAY_BLOCKS + 3));
	CHECK(!take(&r, 5));
	CHECK(take(&r, 5 + 64 * REPLAY_BLOCKS + 2));
	CHECK(take(&r, 5 + 64 * REPLAY_BLOCKS + 3 - REPLAY_WINDOW));
	/* Bits from before the jump must not linger in reused blocks. */
	replay_init(&r);
	for (uint64_t c = 0; c < 64; c++) {
		tap_label("counter %llu", (unsigned long long)c);
		CHECK(take(&r, c));
		if (tap_failed())
			break;
	}
	tap_unlabel();
	CHECK(take(&r, 64 * REPLAY_BLOCKS + 10));	/* same block slot as 10 */
	CHECK(!replay_check(&r, 10));			/* too old anyway */
	CHECK(take(&r, 64 * REPLAY_BLOCKS + 9));		/* slot reused, bit clear */
	CHECK(take(&r, 64 * (REPLAY_BLOCKS + 1) + 1));	/* moves one block on */
	CHECK(take(&r, 64 * (REPLAY_BLOCKS + 1)));
	/* One-block steps across the ring boundary. */
	replay_init(&r);
	for (uint64_t c = 0; c < 64 * 3 * REPLAY_BLOCKS; c += 63) {
		tap_label("counter %llu", (unsigned long long)c);
		CHECK(take(&r, c));
		if (tap_failed())
			break;
	}
	tap_unlabel();
	CHECK(!take(&r, 63 * 389));	/* the last but one taken */
	CHECK(!take(&r, 63 * 390));
}

static void test_near_limit(void)
{
	struct replay r;
	const uint64_t reject = UINT64_MAX - 8192;

	replay_init(&r);
	CHECK(take(&r, reject - 1));
	CHECK(!take(&r, reject - 1));
	CHECK(take(&r, reject - 2));
	CHECK(take(&r, reject - 1 - REPLAY_WINDOW));
	CHECK(!replay_check(&r, reject - 2 - REPLAY_WINDOW));
	/* The window itself handles the top of the range without wrapping. */
	CHECK(take(&r, UINT64_MAX));
	CHECK(!take(&r, UINT64_MAX));
	CHECK(take(&r, UINT64_MAX - 1));
}

int main(void)
{
	RUN(test_in_order());
	RUN(test_reorder_and_edges());
	RUN(test_every_offset());
	RUN(test_jumps());
	RUN(test_near_limit());
	return tap_done();
}

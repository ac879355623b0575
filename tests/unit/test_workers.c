/* SPDX-License-Identifier: ISC */
/* workers (the fork-join pool) and sealer (batches sealed on it):
 * - thousands of batches of random sizes on 1 to 4 threads, with random
 *   delays inside jobs on every thread: each job runs exactly once, its
 *   result is visible when workers_run returns, and threads other than
 *   the caller take part;
 * - two peers' packets interleaved in batches and sealed on three
 *   threads: in queue order the counters run in order per peer and every
 *   packet opens under the receiver's key; a rekey in the same keypair
 *   slot is sealed under the new key, and no clone of the old key is left;
 * - more keypairs in one batch than the sealer keeps clones for: the rest
 *   are sealed on the loop thread, still correct;
 * - opening: tags checked on the workers, the replay window after, in
 *   order: the same verdict and plaintext, packet for packet, as
 *   keypair_open on one thread, with duplicates, late packets and forgeries
 *   (one with a counter far ahead, which must not move the window). */
#include "config.h"

#include <sodium.h>
#include <stdatomic.h>
#include <time.h>

#include "sealer.h"
#include "tap.h"
#include "workers.h"

#define POOL_BATCHES 3000
#define POOL_JOBS 256

static _Atomic unsigned runs[POOL_JOBS];
static uint64_t results[POOL_JOBS];	/* plain: the join must publish them */
static _Atomic unsigned on_other;	/* jobs run by a worker thread */
static _Atomic unsigned bad_worker;
static uint64_t batch_no;
static unsigned pool_n;

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

static void pool_job(void *ctx, unsigned worker, unsigned job)
{
	uint64_t h = mix(batch_no * POOL_JOBS + job);

	(void)ctx;
	if (worker >= pool_n)
		atomic_fetch_add(&bad_worker, 1);
	if (worker)
		atomic_fetch_add(&on_other, 1);
	/* one job in 16 is slow, 0..20 us, on whichever thread took it */
	if ((h & 15) == 0) {
		struct timespec ts = { 0, (long)(h >> 8) % 20000 };

		nanosleep(&ts, NULL);
	}
	results[job] = batch_no << 16 | job;
	atomic_fetch_add(&runs[job], 1);
}

static void test_pool(unsigned n)
{
	struct workers w;
	unsigned wrong = 0;

	tap_label("%u threads", n);
	pool_n = n;
	atomic_store(&on_other, 0);
	atomic_store(&bad_worker, 0);
	CHECK_EQ(workers_start(&w, n, pool_job, NULL), 0);
	for (batch_no = 1; batch_no <= POOL_BATCHES && !wrong; batch_no++) {
		unsigned jobs = 1 + (unsigned)(mix(batch_no) % POOL_JOBS);

		workers_run(&w, jobs);
		for (unsigned j = 0; j < POOL_JOBS; j++) {
			unsigned want = j < jobs;

			if (atomic_exchange(&runs[j], 0) != want ||
			    (want && results[j] != (batch_no << 16 | j)))
				wrong++;
		}
	}
	workers_stop(&w);
	CHECK_EQ(wrong, 0u);
	CHECK_EQ(atomic_load(&bad_worker), 0u);
	if (n > 1)
		CHECK_GT(atomic_load(&on_other), 0u);
	else
		CHECK_EQ(atomic_load(&on_other), 0u);
}

static void test_pool_bounds(void)
{
	struct workers w;

	CHECK_EQ(workers_start(&w, 0, pool_job, NULL), -1);
	CHECK_EQ(workers_start(&w, WORKERS_MAX + 1, pool_job, NULL), -1);
	CHECK(workers_auto() >= 1 && workers_auto() <= WORKERS_AUTO_MAX);
	workers_stop(&w);	/* nothing started: nothing done */
}

/* ---- sealer ---- */

#define SEAL_BATCHES 2000
#define SEAL_CAP 64
#define SEAL_MTU 1420
#define N_KP 20
#define SEAL_BUF 2048

struct side {
	struct keypair tx, rx;
	uint64_t next;		/* the counter expected next in queue order */
};

static struct side sides[N_KP];
static struct index_table table;
static uint8_t bufs[SEAL_CAP][SEAL_BUF];
static size_t lens[SEAL_CAP];

static void side_key(struct side *s, uint32_t index)
{
	if (s->tx.local.linked)
		index_table_remove(&table, &s->tx.local);
	keypair_wipe(&s->tx);
	keypair_wipe(&s->rx);
	randombytes_buf(s->tx.send_key, sizeof(s->tx.send_key));
	memcpy(s->rx.recv_key, s->tx.send_key, sizeof(s->rx.recv_key));
	s->tx.remote_index = index;
	s->tx.live = s->rx.live = true;
	s->tx.local.kind = INDEX_KEYPAIR;
	replay_init(&s->rx.replay);
	s->next = 0;
	index_table_insert(&table, &s->tx.local, index);
}

/* Queue len bytes for side k in slot i; false on a failure. */
static bool queue_one(struct sealer *sl, unsigned i, unsigned k, size_t *out_len)
{
	struct side *s = &sides[k];
	uint64_t c;
	size_t len = 40 + (size_t)(mix(i * 31 + k) % (SEAL_MTU - 40));

	if (keypair_take_counter(&s->tx, UINT64_MAX, &c) < 0)
		return false;
	memset(bufs[i] + KEYPAIR_HEADER_LEN, (int)(c & 0xff), len);
	lens[i] = len;
	*out_len = keypair_sealed_len(len, SEAL_MTU);
	return sealer_add(sl, &(struct sealer_job){ .kp = &s->tx, .counter = c, .buf = bufs[i],
			  .len = len, .mtu = SEAL_MTU, .out_len = out_len }) == 0;
}

/* In queue order: the counter each side expects next, and it opens. */
static bool check_one(unsigned i, unsigned k, size_t out_len)
{
	struct side *s = &sides[k];
	uint8_t *plain;
	size_t plain_len;
	uint64_t c = 0;

	for (int b = 7; b >= 0; b--)
		c = c << 8 | bufs[i][8 + b];
	if (!out_len || keypair_packet_index(bufs[i]) != s->tx.remote_index || c != s->next++)
		return false;
	if (keypair_open(&s->rx, bufs[i], out_len, UINT64_MAX, &plain, &plain_len) != DROP_NONE)
		return false;
	return plain_len >= lens[i] && plain[0] == (uint8_t)(c & 0xff) &&
	       plain[lens[i] - 1] == (uint8_t)(c & 0xff);
}

static bool clone_of(const struct sealer *sl, const uint8_t key[AEAD_KEY_LEN])
{
	for (unsigned e = 0; e < SEALER_KEYPAIRS; e++)
		for (unsigned t = 0; t + 1 < sl->pool.n; t++)
			if (!memcmp(sl->entries[e].clones[t].key, key, AEAD_KEY_LEN))
				return true;
	return false;
}

/* Batches over n_kp keypairs; side 0 rekeyed every 300 batches. */
static void run_batches(struct sealer *sl, unsigned n_kp, unsigned batches, unsigned *bad)
{
	size_t out_len[SEAL_CAP];
	unsigned who[SEAL_CAP];

	for (unsigned b = 1; b <= batches && !*bad; b++) {
		unsigned jobs = 1 + (unsigned)(mix(b) % SEAL_CAP);

		for (unsigned i = 0; i < jobs; i++) {
			who[i] = (unsigned)(mix(b * SEAL_CAP + i) % n_kp);
			if (!queue_one(sl, i, who[i], &out_len[i]))
				(*bad)++;
		}
		sealer_run(sl);
		for (unsigned i = 0; i < jobs; i++)
			if (!check_one(i, who[i], out_len[i]))
				(*bad)++;
		if (b % 300 == 0) {
			uint8_t old[AEAD_KEY_LEN];

			memcpy(old, sides[0].tx.send_aead.key, sizeof(old));
			side_key(&sides[0], 0x1000 + b);
			sealer_sweep(sl);
			if (clone_of(sl, old))
				(*bad)++;	/* a clone of the dropped key is left */
			sodium_memzero(old, sizeof(old));
		}
	}
}

static void test_sealer(unsigned n_kp, unsigned workers)
{
	struct sealer sl;
	unsigned bad = 0;

	tap_label("%u keypairs, %u threads", n_kp, workers);
	CHECK_EQ(index_table_init(&table, 8), 0);
	for (unsigned k = 0; k < n_kp; k++)
		side_key(&sides[k], 0x100 + k);
	CHECK_EQ(sealer_init(&sl, workers, SEAL_CAP, &table), 0);
	run_batches(&sl, n_kp, SEAL_BATCHES, &bad);
	CHECK_EQ(bad, 0u);
	if (n_kp > SEALER_KEYPAIRS)
		CHECK_GT(sl.inline_sealed, 0u);
	else
		CHECK_EQ(sl.inline_sealed, 0u);
	/* the keypairs gone: their clones go at the next sweep */
	for (unsigned k = 0; k < n_kp; k++) {
		index_table_remove(&table, &sides[k].tx.local);
		keypair_wipe(&sides[k].tx);
		keypair_wipe(&sides[k].rx);
	}
	sealer_sweep(&sl);
	for (unsigned e = 0; e < SEALER_KEYPAIRS; e++)
		CHECK(sl.entries[e].kp == NULL);
	sealer_free(&sl);
	index_table_free(&table);
}

/* Opening: a stream with duplicates, forgeries (a flipped bit, also in a
 * counter ahead of the window) and packets late by up to 40, opened in
 * batches through the sealer (tag on the workers, replay window after, in
 * order) gives packet for packet what keypair_open gives in one thread. */
#define OPEN_PKTS 6000

static void test_open(unsigned workers)
{
	static uint8_t sealed[OPEN_PKTS][SEAL_BUF], a[SEAL_CAP][SEAL_BUF], b[SEAL_CAP][SEAL_BUF];
	static size_t sealed_len[OPEN_PKTS];
	struct keypair tx = { 0 }, rx = { 0 }, ref = { 0 };
	struct sealer sl;
	bool opened[SEAL_CAP];
	uint64_t counter[SEAL_CAP];
	unsigned stream[SEAL_CAP], next = 0, differ = 0, accepted = 0, forged = 0, sent = 0;
	enum drop_reason why[SEAL_CAP];

	tap_label("%u threads", workers);
	CHECK_EQ(index_table_init(&table, 4), 0);
	randombytes_buf(tx.send_key, sizeof(tx.send_key));
	memcpy(rx.recv_key, tx.send_key, sizeof(rx.recv_key));
	memcpy(ref.recv_key, tx.send_key, sizeof(ref.recv_key));
	tx.live = rx.live = ref.live = true;
	replay_init(&rx.replay);
	replay_init(&ref.replay);
	rx.local.kind = INDEX_KEYPAIR;
	index_table_insert(&table, &rx.local, 7);
	for (unsigned i = 0; i < OPEN_PKTS; i++) {
		size_t len = 1 + mix(i) % 1400;

		memset(sealed[i] + KEYPAIR_HEADER_LEN, (int)i, len);
		if (keypair_seal(&tx, sealed[i], len, SEAL_MTU, UINT64_MAX, &sealed_len[i]) < 0)
			differ++;
	}
	CHECK_EQ(sealer_init(&sl, workers, SEAL_CAP, &table), 0);
	while (sent < OPEN_PKTS + OPEN_PKTS / 4 && !differ) {
		unsigned jobs = 1 + (unsigned)(mix(sent + 99) % SEAL_CAP);

		for (unsigned j = 0; j < jobs; j++, sent++) {
			uint64_t h = mix(sent * 7 + 3);
			unsigned k = next < OPEN_PKTS ? next++ : (unsigned)(h % OPEN_PKTS);

			if (h % 5 == 0 && k > 40)	/* late, or a duplicate */
				k -= (unsigned)(h >> 8) % 40;
			stream[j] = k;
			memcpy(a[j], sealed[k], sealed_len[k]);
			if (h % 11 == 0) {		/* forged: a bit of the payload */
				a[j][KEYPAIR_HEADER_LEN + (h >> 16) % 8] ^= 1;
				if (h % 3 == 0)		/* and its counter far ahead */
					a[j][9] ^= 0x40;
				forged++;
			}
			memcpy(b[j], a[j], sealed_len[k]);	/* for the reference */
			why[j] = keypair_open_check(&rx, a[j], sealed_len[k], UINT64_MAX, &counter[j]);
			opened[j] = false;
			if (why[j] == DROP_NONE)
				sealer_add(&sl, &(struct sealer_job){ .kp = &rx, .buf = a[j],
					   .len = sealed_len[k], .opened = &opened[j] });
		}
		sealer_run(&sl);
		for (unsigned j = 0; j < jobs; j++) {
			size_t len = sealed_len[stream[j]], ref_len = 0;
			uint8_t *ref_plain = NULL;
			enum drop_reason want = keypair_open(&ref, b[j], len, UINT64_MAX, &ref_plain,
							     &ref_len);

			if (why[j] == DROP_NONE)
				why[j] = opened[j] ? keypair_open_accept(&rx, counter[j]) : DROP_BAD_TAG;
			if (why[j] != want || (want == DROP_NONE &&
			    memcmp(a[j] + KEYPAIR_HEADER_LEN, ref_plain, ref_len) != 0))
				differ++;
			accepted += why[j] == DROP_NONE;
		}
	}
	sealer_free(&sl);
	index_table_remove(&table, &rx.local);
	index_table_free(&table);
	keypair_wipe(&tx);
	keypair_wipe(&rx);
	keypair_wipe(&ref);
	CHECK_EQ(differ, 0u);
	CHECK_GT(accepted, OPEN_PKTS / 2);
	CHECK_GT(forged, 0u);
}

int main(void)
{
	if (sodium_init() < 0 || aead_setup(AEAD_AUTO) < 0)
		return 1;
	RUN(test_pool_bounds());
	for (unsigned n = 1; n <= 4; n++)
		RUN(test_pool(n));
	RUN(test_sealer(2, 3));
	RUN(test_sealer(2, 2));
	RUN(test_sealer(N_KP, 3));
	RUN(test_open(3));
	RUN(test_open(1 + 1));
	return tap_done();
}

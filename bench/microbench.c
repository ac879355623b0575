/* SPDX-License-Identifier: ISC */
/* The data path's crypto alone: keypair_seal and keypair_open of one size
 * (1420 bytes by default, the tunnel MTU) on one core, no I/O, with each
 * bulk AEAD built in (libsodium, libcrypto) or the one -a names.
 * With -w, one peer's stream sealed on 1..W threads through the ordering
 * of seqring.h (counters in order, sealing on any thread, output checked
 * in order), timed on the wall clock; then the same stream through the
 * daemon's own path for workers = N: batches of 64 with the counters taken
 * in order and the crypto fork-join on N threads (src/sealer.c), checked
 * in the order they would be sent.
 * `make bench-micro` builds and runs it;
 * bench/microbench [-n PACKETS] [-s BYTES] [-a libsodium|libcrypto] [-w THREADS]. */
#include "config.h"

#include <pthread.h>
#include <sched.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aead.h"
#include "keypair.h"
#include "peer.h"
#include "sealer.h"
#include "seqring.h"

#define RING 64		/* sealed packets opened in turn (fits in cache) */

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(const char *what, unsigned long n, size_t size, double secs)
{
	printf("%-5s %5zu bytes: %9.0f packets/s per core, %6.2f Gbit/s of plaintext, %6.0f ns/packet\n",
	       what, size, (double)n / secs, (double)n * (double)size * 8 / secs / 1e9,
	       secs / (double)n * 1e9);
}

static int bench_seal(struct keypair *kp, unsigned long n, size_t size)
{
	static uint8_t buf[PKT_BUF_SIZE];
	size_t out;
	double t0;

	memset(buf, 0x5a, sizeof(buf));
	for (unsigned long i = 0; i < n / 10; i++)	/* warm up: caches, clock */
		if (keypair_seal(kp, buf, size, size, UINT64_MAX, &out) < 0)
			return -1;
	t0 = cpu_seconds();
	for (unsigned long i = 0; i < n; i++)
		if (keypair_seal(kp, buf, size, size, UINT64_MAX, &out) < 0)
			return -1;
	report("seal", n, size, cpu_seconds() - t0);
	return 0;
}

/* Each open decrypts in place: it works on a copy of one of RING sealed
 * packets, and the replay window starts over at each turn of the ring. */
static int bench_open(struct keypair *tx, struct keypair *rx, unsigned long n, size_t size)
{
	static uint8_t ring[RING][PKT_BUF_SIZE], work[PKT_BUF_SIZE];
	size_t len = 0, plain_len;
	enum drop_reason why;
	uint8_t *plain;
	double t0, t_copy;

	for (unsigned i = 0; i < RING; i++) {
		memset(ring[i], (int)i, sizeof(ring[i]));
		if (keypair_seal(tx, ring[i], size, size, UINT64_MAX, &len) < 0)
			return -1;
	}
	t0 = cpu_seconds();
	for (unsigned long i = 0; i < n; i++)
		memcpy(work, ring[i % RING], len);
	t_copy = cpu_seconds() - t0;
	t0 = cpu_seconds();
	for (unsigned long i = 0; i < n; i++) {
		if (i % RING == 0)
			replay_init(&rx->replay);
		memcpy(work, ring[i % RING], len);
		why = keypair_open(rx, work, len, UINT64_MAX, &plain, &plain_len);
		if (why != DROP_NONE) {
			fprintf(stderr, "open failed: %s\n", drop_reason_name(why));
			return -1;
		}
	}
	report("open", n, size, cpu_seconds() - t0 - t_copy);
	return 0;
}

#define PAR_RING 256
#define PAR_BUF 2048

struct par {
	struct seqring ring;
	struct keypair *kp;
	size_t size;
	atomic_bool stop;
};

struct par_worker {
	struct par *p;
	struct aead aead;
	pthread_t thread;
};

static double process_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seal one slot if one is queued; false if none was. */
static bool par_seal_one(struct par *p, struct aead *a)
{
	struct seqring_slot *s = seqring_take(&p->ring);
	ssize_t n;

	if (!s)
		return false;
	n = keypair_seal_at(p->kp, a, s->counter, s->buf, s->len, p->size);
	s->len = n < 0 ? 0 : (size_t)n;
	seqring_done(s, n < 0 ? -1 : 0);
	return true;
}

static void *par_worker_run(void *arg)
{
	struct par_worker *w = arg;
	unsigned idle = 0;

	while (!atomic_load_explicit(&w->p->stop, memory_order_relaxed))
		if (par_seal_one(w->p, &w->aead))
			idle = 0;
		else if (++idle > 64)
			sched_yield();
	return NULL;
}

/* The main thread queues in order, sends (checks) in order and seals
 * when nothing is ready: threads - 1 more threads only seal. The first
 * RING packets are opened too: the bytes are right, not only the order. */
static int par_drive(struct par *p, struct keypair *rx, unsigned long n, struct aead *mine)
{
	static uint8_t pool[PAR_RING][PAR_BUF], work[PAR_BUF];
	unsigned long queued = 0, sent = 0;
	size_t plain_len;
	uint8_t *plain;
	uint64_t c;

	while (sent < n) {
		struct seqring_slot *s;
		bool progress = false;

		while (queued < n && queued - sent < PAR_RING) {
			if (keypair_take_counter(p->kp, UINT64_MAX, &c) < 0 ||
			    !seqring_push(&p->ring, pool[queued % PAR_RING], p->size, c))
				return -1;
			queued++;
		}
		while ((s = seqring_next(&p->ring))) {
			if (s->ret < 0 || keypair_packet_index(s->buf) != p->kp->remote_index ||
			    s->counter != sent || s->buf[8] != (uint8_t)sent)
				return -1;
			if (sent < PAR_RING) {
				memcpy(work, s->buf, s->len);
				if (keypair_open(rx, work, s->len, UINT64_MAX, &plain, &plain_len) != DROP_NONE)
					return -1;
			}
			seqring_release(&p->ring);
			sent++;
			progress = true;
		}
		if (!progress)
			par_seal_one(p, mine);
	}
	return 0;
}

static int bench_parallel(struct keypair *tx, struct keypair *rx, unsigned long n,
			  size_t size, unsigned threads)
{
	struct par p = { .kp = tx, .size = size };
	struct par_worker w[8];
	struct aead mine = { 0 };
	unsigned started = 0;
	uint64_t c;
	double t0, secs, cpu0, cpu;
	int ret = -1;

	atomic_init(&p.stop, false);
	if (size + KEYPAIR_MIN_PACKET + 15 > PAR_BUF || seqring_init(&p.ring, PAR_RING) < 0)
		return -1;
	/* counter 0 keys the send direction; the opener skips nothing */
	if (keypair_take_counter(tx, UINT64_MAX, &c) < 0 || aead_clone(&mine, &tx->send_aead) < 0)
		goto out;
	tx->send_counter = 0;
	for (; started < threads - 1; started++) {
		memset(&w[started], 0, sizeof(w[started]));
		w[started].p = &p;
		if (aead_clone(&w[started].aead, &tx->send_aead) < 0 ||
		    pthread_create(&w[started].thread, NULL, par_worker_run, &w[started]))
			goto out;
	}
	t0 = wall_seconds();
	cpu0 = process_seconds();
	ret = par_drive(&p, rx, n, &mine);
	secs = wall_seconds() - t0;
	cpu = process_seconds() - cpu0;
	/* the wall clock shows the scaling; the CPU time per packet, against
	 * the one-thread figure above, what the ordering costs (and, with
	 * more threads than idle cores, the time they spin) */
	if (ret == 0)
		printf("seal  %5zu bytes, %u thread%s: %9.0f packets/s, %6.2f Gbit/s (wall clock), "
		       "%5.0f ns CPU/packet, in order\n",
		       size, threads, threads == 1 ? " " : "s", (double)n / secs,
		       (double)n * (double)size * 8 / secs / 1e9, cpu / (double)n * 1e9);
out:
	atomic_store(&p.stop, true);
	for (unsigned i = 0; i < started; i++) {
		pthread_join(w[i].thread, NULL);
		aead_wipe(&w[i].aead);
	}
	aead_wipe(&mine);
	seqring_free(&p.ring);
	return ret;
}

/* ---- the daemon's path: batches of BATCH, fork-join (sealer.h) ---- */

#define BATCH 64

/* One batch: counters in order, crypto on the threads (threads = 1:
 * keypair_seal on this thread, as ovpnd with workers = 1), then checked
 * in order as the sender would send them; the first batch is opened. */
static int fj_batch(struct sealer *sl, struct keypair *tx, struct keypair *rx, size_t size,
		    uint64_t *sent)
{
	static uint8_t pool[BATCH][PAR_BUF], work[PAR_BUF];
	size_t out[BATCH], plain_len;
	uint8_t *plain;
	uint64_t c;

	for (unsigned i = 0; i < BATCH; i++) {
		if (!sl) {
			if (keypair_seal(tx, pool[i], size, size, UINT64_MAX, &out[i]) < 0)
				return -1;
			continue;
		}
		out[i] = keypair_sealed_len(size, size);
		if (keypair_take_counter(tx, UINT64_MAX, &c) < 0 ||
		    sealer_add(sl, &(struct sealer_job){ .kp = tx, .counter = c, .buf = pool[i],
				.len = size, .mtu = size, .out_len = &out[i] }) < 0)
			return -1;
	}
	if (sl)
		sealer_run(sl);
	for (unsigned i = 0; i < BATCH; i++, (*sent)++) {
		if (!out[i] || pool[i][8] != (uint8_t)*sent)
			return -1;
		if (*sent < BATCH) {
			memcpy(work, pool[i], out[i]);
			if (keypair_open(rx, work, out[i], UINT64_MAX, &plain, &plain_len) != DROP_NONE)
				return -1;
		}
	}
	return 0;
}

static int bench_forkjoin(struct keypair *tx, struct keypair *rx, unsigned long n,
			  size_t size, unsigned threads)
{
	struct sealer sl;
	struct index_table t;
	uint64_t sent = 0;
	double t0, secs, cpu0, cpu;
	int ret = -1;

	if (size + KEYPAIR_MIN_PACKET + 15 > PAR_BUF || index_table_init(&t, 4) < 0)
		return -1;
	tx->local.kind = INDEX_KEYPAIR;
	if (index_table_insert(&t, &tx->local, 1) < 0 ||
	    (threads > 1 && sealer_init(&sl, threads, BATCH, &t) < 0))
		goto out;
	t0 = wall_seconds();
	cpu0 = process_seconds();
	for (ret = 0; ret == 0 && sent < n;)
		ret = fj_batch(threads > 1 ? &sl : NULL, tx, rx, size, &sent);
	secs = wall_seconds() - t0;
	cpu = process_seconds() - cpu0;
	if (ret == 0)
		printf("seal  %5zu bytes, %u thread%s: %9.0f packets/s, %6.2f Gbit/s (wall clock), "
		       "%5.0f ns CPU/packet, in order\n",
		       size, threads, threads == 1 ? " " : "s", (double)sent / secs,
		       (double)sent * (double)size * 8 / secs / 1e9, cpu / (double)sent * 1e9);
	if (threads > 1)
		sealer_free(&sl);
out:
	index_table_remove(&t, &tx->local);
	index_table_free(&t);
	return ret;
}

typedef int par_fn(struct keypair *tx, struct keypair *rx, unsigned long n, size_t size,
		   unsigned threads);

/* fn on 1 .. threads threads, each on a fresh pair of keypairs. */
static int par_each(par_fn *fn, unsigned long n, size_t size, unsigned threads)
{
	int ret = 0;

	for (unsigned t = 1; t <= threads && ret == 0; t++) {
		struct keypair tx = { 0 }, rx = { 0 };

		randombytes_buf(tx.send_key, sizeof(tx.send_key));
		memcpy(rx.recv_key, tx.send_key, sizeof(rx.recv_key));
		tx.remote_index = 0x01020304;
		tx.live = rx.live = true;
		replay_init(&rx.replay);
		ret = fn(&tx, &rx, n, size, t);
		keypair_wipe(&tx);
		keypair_wipe(&rx);
	}
	return ret;
}

static int bench_impl_parallel(enum aead_impl impl, unsigned long n, size_t size, unsigned threads)
{
	if (aead_setup(impl) < 0)
		return -1;
	printf("one peer's stream through seqring (counters in order, sealing in parallel, sent in order), %s, %lu packets\n",
	       aead_impl_name(impl), n);
	if (par_each(bench_parallel, n, size, threads) < 0)
		return -1;
	printf("the daemon's path (workers = N): batches of %d, counters in order, crypto "
	       "fork-join on N threads (src/workers.c, src/sealer.c), checked in order\n", BATCH);
	return par_each(bench_forkjoin, n, size, threads);
}

static int bench_impl(enum aead_impl impl, unsigned long n, size_t size)
{
	struct keypair tx = { 0 }, rx = { 0 };
	int ret;

	if (aead_setup(impl) < 0)
		return -1;
	randombytes_buf(tx.send_key, sizeof(tx.send_key));
	memcpy(rx.recv_key, tx.send_key, sizeof(rx.recv_key));
	tx.live = rx.live = true;
	replay_init(&rx.replay);
	printf("XChaCha20-Poly1305, bulk ChaCha20-Poly1305 from %s, %lu packets each, one thread\n",
	       aead_impl_name(impl), n);
	ret = bench_seal(&tx, n, size) < 0 || bench_open(&tx, &rx, n, size) < 0 ? -1 : 0;
	keypair_wipe(&tx);
	keypair_wipe(&rx);
	return ret;
}

int main(int argc, char **argv)
{
	enum aead_impl only = AEAD_AUTO;
	unsigned long n = 200000, threads = 0;
	size_t size = 1420;
	int opt;

	while ((opt = getopt(argc, argv, "n:s:a:w:")) != -1) {
		if (opt == 'n')
			n = strtoul(optarg, NULL, 10);
		else if (opt == 's')
			size = strtoul(optarg, NULL, 10);
		else if (opt == 'w')
			threads = strtoul(optarg, NULL, 10);
		else if (opt != 'a' || aead_impl_parse(optarg, &only) < 0 || !aead_available(only))
			goto usage;
	}
	if (n == 0 || size > PKT_MAX_MTU || threads > 8)
		goto usage;
	if (sodium_init() < 0)
		return 1;
	printf("libsodium %s\n", sodium_version_string());
	if (threads)
		return bench_impl_parallel(only, n, size, (unsigned)threads) < 0 ? 1 : 0;
	for (enum aead_impl impl = AEAD_SODIUM; impl <= AEAD_OPENSSL; impl++)
		if ((only == AEAD_AUTO || only == impl) && aead_available(impl) &&
		    bench_impl(impl, n, size) < 0)
			return 1;
	return 0;
usage:
	fprintf(stderr, "usage: %s [-n PACKETS] [-s BYTES (<= %d)] [-a libsodium|libcrypto] [-w THREADS (<= 8)]\n",
		argv[0], PKT_MAX_MTU);
	return 2;
}

/* SPDX-License-Identifier: ISC */
/* The fork-join pool of workers.h. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <sched.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "workers.h"

/* How long an idle worker, or the joining loop thread, spins before it
 * sleeps: under load the next batch often comes sooner than a futex
 * wake-up would take. Short: on a machine with few cores the spin takes
 * the time the kernel's tun and UDP work needs (50 us measured slower in
 * bench/run.sh on 2 vCPUs than 5 us). */
#define WORKERS_SPIN_NS 5000
/* Sleeping workers are woken for batches of at least this many jobs: a
 * futex wake-up costs about what sealing one packet does. */
#define WORKERS_WAKE_MIN 4
#define WORKERS_SPIN_CHECK 64	/* spins between two clock reads */

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Sleep while *word is still val (EAGAIN at once when it is not, EINTR on
 * a signal: the callers loop and look again). */
static void futex_wait(_Atomic uint32_t *word, uint32_t val)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *word, int n)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

/* Spin until *word differs from val or WORKERS_SPIN_NS pass; true if it
 * changed. */
static bool spin_while(_Atomic uint32_t *word, uint32_t val)
{
	uint64_t until = 0;

	for (unsigned i = 1;; i++) {
		if (atomic_load_explicit(word, memory_order_acquire) != val)
			return true;
		cpu_relax();
		if (i % WORKERS_SPIN_CHECK)
			continue;
		if (!until)
			until = mono_ns() + WORKERS_SPIN_NS;
		else if (mono_ns() >= until)
			return false;
	}
}

static uint64_t claim_word(uint32_t gen, unsigned jobs, unsigned next)
{
	return (uint64_t)gen << 32 | (uint64_t)jobs << 16 | next;
}

/* Run the jobs of batch gen that are left; each claimed with one CAS. */
static void run_claims(struct workers *w, uint32_t gen, unsigned worker)
{
	uint64_t c = atomic_load_explicit(&w->claim, memory_order_acquire);

	for (;;) {
		unsigned jobs = (unsigned)(c >> 16) & 0xffff, next = (unsigned)c & 0xffff;
		uint32_t done;

		if ((uint32_t)(c >> 32) != gen || next >= jobs)
			return;
		if (!atomic_compare_exchange_weak_explicit(&w->claim, &c, c + 1,
							   memory_order_acq_rel,
							   memory_order_acquire))
			continue;
		w->fn(w->ctx, worker, next);
		done = atomic_fetch_add_explicit(&w->done, 1, memory_order_acq_rel) + 1;
		/* The last job of a batch wakes the loop thread if it sleeps
		 * (seq_cst against its store to joining, then its look). */
		if (done == jobs && atomic_load(&w->joining))
			futex_wake(&w->done, 1);
		c = atomic_load_explicit(&w->claim, memory_order_acquire);
	}
}

static void *worker_main(void *arg)
{
	struct workers *w = ((struct workers_thread *)arg)->pool;
	unsigned index = ((struct workers_thread *)arg)->index;
	uint32_t seen = 0;

	for (;;) {
		uint32_t gen;

		if (!spin_while(&w->gen, seen)) {
			atomic_fetch_add(&w->sleepers, 1);
			/* seq_cst: either the loop thread sees this sleeper
			 * and wakes it, or the wait sees the new generation */
			futex_wait(&w->gen, seen);
			atomic_fetch_sub(&w->sleepers, 1);
		}
		gen = atomic_load_explicit(&w->gen, memory_order_acquire);
		if (atomic_load_explicit(&w->stop, memory_order_acquire))
			return NULL;
		if (gen == seen)
			continue;
		seen = gen;
		run_claims(w, gen, index);
	}
}

unsigned workers_auto(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return 1;
	/* One CPU left to the kernel's tun and UDP work and the applications
	 * (a third of the cycles under a TCP stream): on 2 vCPUs, 2 workers
	 * measured slower than 1 in bench/run.sh (bench/README.md). */
	n = CPU_COUNT(&set) - 1;
	if (n < 1)
		return 1;
	return n > WORKERS_AUTO_MAX ? WORKERS_AUTO_MAX : (unsigned)n;
}

int workers_start(struct workers *w, unsigned n, workers_fn *fn, void *ctx)
{
	memset(w, 0, sizeof(*w));
	if (n < 1 || n > WORKERS_MAX)
		return -1;
	w->n = n;
	w->fn = fn;
	w->ctx = ctx;
	for (unsigned i = 1; i < n; i++) {
		struct workers_thread *t = &w->threads[i - 1];

		t->pool = w;
		t->index = i;
		if (pthread_create(&t->thread, NULL, worker_main, t)) {
			workers_stop(w);
			return -1;
		}
		w->started++;
		/* ps, top and the tests tell them apart (a failure costs only that) */
		pthread_setname_np(t->thread, "ovpnd-worker");
	}
	return 0;
}

void workers_run(struct workers *w, unsigned jobs)
{
	uint32_t gen;

	if (!jobs)
		return;
	if (!w->started) {
		for (unsigned j = 0; j < jobs; j++)
			w->fn(w->ctx, 0, j);
		return;
	}
	gen = ++w->batch_gen;
	if (!gen)		/* 0 is a worker's first "seen" */
		gen = ++w->batch_gen;
	atomic_store_explicit(&w->done, 0, memory_order_relaxed);
	atomic_store_explicit(&w->claim, claim_word(gen, jobs, 0), memory_order_release);
	atomic_store(&w->gen, gen);
	if (jobs >= WORKERS_WAKE_MIN && atomic_load(&w->sleepers))
		futex_wake(&w->gen, (int)(jobs - 1 < w->started ? jobs - 1 : w->started));
	run_claims(w, gen, 0);
	/* The join: the workers may still be sealing what they claimed. */
	while (atomic_load_explicit(&w->done, memory_order_acquire) != jobs) {
		uint32_t done = atomic_load(&w->done);

		if (spin_while(&w->done, done))
			continue;
		atomic_store(&w->joining, 1);
		done = atomic_load(&w->done);
		if (done != jobs)
			futex_wait(&w->done, done);
		atomic_store(&w->joining, 0);
	}
}

void workers_stop(struct workers *w)
{
	if (!w->started)
		return;
	atomic_store(&w->stop, true);
	atomic_fetch_add(&w->gen, 1);
	futex_wake(&w->gen, INT_MAX);
	for (unsigned i = 0; i < w->started; i++)
		pthread_join(w->threads[i].thread, NULL);
	w->started = 0;
}

/* SPDX-License-Identifier: ISC */
/*
 * A fork-join pool: the loop thread hands a batch of n independent jobs to
 * itself and W - 1 worker threads, and workers_run returns once every job
 * has run, each exactly once, on whichever thread claimed it. The daemon
 * seals a batch of packets this way (sealer.h): their counters are taken
 * in order before, and the batch is sent in order after, so the order on
 * the wire is the order of the batch whatever thread sealed what; and it
 * checks the tags of a receive batch, the replay window moved after, in
 * arrival order.
 *
 * Design, simplest correct first: one 64-bit word holds the batch's
 * generation, its size and the next job; a thread claims a job with one
 * compare-and-swap that fails once the word belongs to another batch, so
 * a worker that wakes late never touches the next batch's jobs with the
 * old batch's size. Idle workers spin a few microseconds, then sleep on a
 * futex (the generation); the loop thread wakes sleepers only for a batch
 * of several jobs, and seals its share meanwhile, so a slow wake-up
 * costs no more than doing the batch alone. The join spins, then sleeps on
 * the done count. No locks, no allocation per batch, nothing logged.
 *
 * Scaling past 2 cores: the batch is cut per packet, so one peer's stream
 * uses every worker; the limit is the single thread that reads the tun,
 * takes counters and sends (a multi-queue tun and SO_REUSEPORT sockets
 * would give each reader its own batch).
 */
#ifndef OVPN_WORKERS_H
#define OVPN_WORKERS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

/* The most threads workers_start takes, the loop thread included. */
#define WORKERS_MAX 64
/* workers = auto: the CPUs in the affinity mask less one, at most this many. */
#define WORKERS_AUTO_MAX 8
/* The most jobs in one batch. */
#define WORKERS_BATCH_MAX 65535u

/* Job j of the batch, run on thread worker (0: the caller of workers_run). */
typedef void workers_fn(void *ctx, unsigned worker, unsigned job);

struct workers;

struct workers_thread {
	struct workers *pool;
	unsigned index;			/* 1 .. n - 1 */
	pthread_t thread;
};

struct workers {
	unsigned n;			/* threads, the loop thread included */
	struct workers_thread threads[WORKERS_MAX - 1];
	unsigned started;		/* threads running (n - 1 once started) */
	workers_fn *fn;
	void *ctx;
	uint32_t batch_gen;		/* the loop thread's copy of gen */
	/* Apart: the workers write claim and done, the loop thread gen. */
	_Alignas(64) _Atomic uint32_t gen;	/* futex word: bumped per batch and at stop */
	_Alignas(64) _Atomic uint64_t claim;	/* gen << 32 | jobs << 16 | next */
	_Alignas(64) _Atomic uint32_t done;	/* jobs finished; futex word of the join */
	_Atomic uint32_t sleepers;	/* workers asleep on gen */
	_Atomic uint32_t joining;	/* the loop thread asleep on done */
	_Atomic bool stop;
};

/* What workers = auto means here: the CPUs sched_getaffinity allows less
 * one (left to the kernel's side of the data path), capped at
 * WORKERS_AUTO_MAX; 1 on 2 CPUs or fewer, or if the mask cannot be read. */
unsigned workers_auto(void);
/* n - 1 threads (n <= WORKERS_MAX) running fn(ctx, ...) on each batch.
 * n = 1 starts none. Before the sandbox (thread creation is not in its
 * allowlist). 0 or -1 (threads already started are stopped). */
int workers_start(struct workers *w, unsigned n, workers_fn *fn, void *ctx);
/* Run jobs 0 .. jobs - 1 (jobs <= WORKERS_BATCH_MAX) and return when all
 * have. The loop thread only. */
void workers_run(struct workers *w, unsigned jobs);
/* Stop and join the threads (none started: nothing done). */
void workers_stop(struct workers *w);

#endif

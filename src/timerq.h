/* SPDX-License-Identifier: ISC */
/* Timer queue: a binary min-heap of caller-owned timers keyed by a
 * CLOCK_BOOTTIME deadline in nanoseconds. Add, remove and update are
 * O(log n); the heap never allocates after timerq_init/timerq_reserve.
 * The daemon has one queue for every timed job (peers, control clients):
 * embed struct timer in the owner, and its fire callback finds the owner
 * with container_of. */
#ifndef OVPN_TIMERQ_H
#define OVPN_TIMERQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct timer;
/* A due timer, already unqueued; now is the time the queue was run at. */
typedef void (*timer_fn)(struct timer *t, uint64_t now);

struct timer {
	uint64_t deadline;	/* ns, CLOCK_BOOTTIME */
	size_t pos;		/* heap index + 1; 0 when not queued */
	timer_fn fire;		/* what timerq_run calls; NULL: popped by hand */
};

struct timerq {
	struct timer **heap;
	size_t len;
	size_t cap;
};

#define TIMERQ_NONE UINT64_MAX

/* Room for cap timers. 0 or -1 (logged). */
int timerq_init(struct timerq *q, size_t cap);
/* Grow to room for cap timers (config time, e.g. on reload). 0 or -1. */
int timerq_reserve(struct timerq *q, size_t cap);
/* The queue only; the timers belong to their owners. */
void timerq_free(struct timerq *q);

/* A timer must be initialised (not queued) before first use. */
void timer_init(struct timer *t, timer_fn fire);
bool timer_pending(const struct timer *t);

/* Queue t at deadline, or move it there if already queued. -1 (logged) if
 * the queue is full. */
int timerq_set(struct timerq *q, struct timer *t, uint64_t deadline);
/* Unqueue t; nothing happens if it is not queued. */
void timerq_remove(struct timerq *q, struct timer *t);
/* Earliest deadline, TIMERQ_NONE if empty. */
uint64_t timerq_next(const struct timerq *q);
/* Unqueue and return the earliest timer due at now, NULL if none is. */
struct timer *timerq_pop_due(struct timerq *q, uint64_t now);
/* Fire every timer due at now, earliest first (each unqueued before its
 * callback, which may queue it again). Returns how many fired. */
unsigned timerq_run(struct timerq *q, uint64_t now);
/* poll/epoll timeout until the next deadline: -1 if empty, 0 if due,
 * else milliseconds rounded up (so waking early never spins). */
int timerq_timeout_ms(const struct timerq *q, uint64_t now);
/* The clock of every protocol time and deadline, in nanoseconds:
 * CLOCK_BOOTTIME, as WireGuard uses, so that time asleep (suspend) counts
 * and sessions older than reject-after-time are not used after a resume. */
uint64_t timerq_now(void);

#endif

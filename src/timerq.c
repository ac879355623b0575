/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "timerq.h"

int timerq_init(struct timerq *q, size_t cap)
{
	q->heap = NULL;
	q->len = 0;
	q->cap = 0;
	return timerq_reserve(q, cap);
}

int timerq_reserve(struct timerq *q, size_t cap)
{
	struct timer **heap;

	if (cap <= q->cap)
		return 0;
	heap = realloc(q->heap, cap * sizeof(*heap));
	if (!heap) {
		log_err("timers: room for %zu: %s", cap, strerror(errno));
		return -1;
	}
	q->heap = heap;
	q->cap = cap;
	return 0;
}

void timerq_free(struct timerq *q)
{
	for (size_t i = 0; i < q->len; i++)
		q->heap[i]->pos = 0;
	free(q->heap);
	q->heap = NULL;
	q->len = q->cap = 0;
}

void timer_init(struct timer *t, timer_fn fire)
{
	t->deadline = 0;
	t->pos = 0;
	t->fire = fire;
}

bool timer_pending(const struct timer *t)
{
	return t->pos != 0;
}

static void place(struct timerq *q, size_t i, struct timer *t)
{
	q->heap[i] = t;
	t->pos = i + 1;
}

static void sift_up(struct timerq *q, size_t i)
{
	struct timer *t = q->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (q->heap[parent]->deadline <= t->deadline)
			break;
		place(q, i, q->heap[parent]);
		i = parent;
	}
	place(q, i, t);
}

static void sift_down(struct timerq *q, size_t i)
{
	struct timer *t = q->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= q->len)
			break;
		if (c + 1 < q->len && q->heap[c + 1]->deadline < q->heap[c]->deadline)
			c++;
		if (t->deadline <= q->heap[c]->deadline)
			break;
		place(q, i, q->heap[c]);
		i = c;
	}
	place(q, i, t);
}

/* Restore heap order around i after its deadline changed either way. */
static void fix(struct timerq *q, size_t i)
{
	if (i > 0 && q->heap[(i - 1) / 2]->deadline > q->heap[i]->deadline)
		sift_up(q, i);
	else
		sift_down(q, i);
}

int timerq_set(struct timerq *q, struct timer *t, uint64_t deadline)
{
	t->deadline = deadline;
	if (t->pos) {
		fix(q, t->pos - 1);
		return 0;
	}
	if (q->len == q->cap) {
		log_ratelimited(LOG_LEVEL_ERROR, "timers: queue full (%zu)", q->cap);
		return -1;
	}
	place(q, q->len++, t);
	sift_up(q, q->len - 1);
	return 0;
}

void timerq_remove(struct timerq *q, struct timer *t)
{
	size_t i;
	struct timer *last;

	if (!t->pos)
		return;
	i = t->pos - 1;
	t->pos = 0;
	last = q->heap[--q->len];
	if (i == q->len)
		return;
	place(q, i, last);
	fix(q, i);
}

uint64_t timerq_next(const struct timerq *q)
{
	return q->len ? q->heap[0]->deadline : TIMERQ_NONE;
}

struct timer *timerq_pop_due(struct timerq *q, uint64_t now)
{
	struct timer *t;

	if (!q->len || q->heap[0]->deadline > now)
		return NULL;
	t = q->heap[0];
	timerq_remove(q, t);
	return t;
}

unsigned timerq_run(struct timerq *q, uint64_t now)
{
	struct timer *t;
	unsigned n = 0;

	while ((t = timerq_pop_due(q, now))) {
		n++;
		if (t->fire)
			t->fire(t, now);
	}
	return n;
}

int timerq_timeout_ms(const struct timerq *q, uint64_t now)
{
	uint64_t next = timerq_next(q), ns, ms;

	if (next == TIMERQ_NONE)
		return -1;
	if (next <= now)
		return 0;
	ns = next - now;
	ms = ns / 1000000 + (ns % 1000000 != 0);	/* no overflow near 2^64 */
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

uint64_t timerq_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

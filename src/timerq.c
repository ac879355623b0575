#include "config.h"

#include <stdlib.h>

#include "timerq.h"

int timerq_init(struct timerq *q, size_t cap)
{
	q->heap = calloc(cap ? cap : 1, sizeof(*q->heap));
	q->len = 0;
	q->cap = cap;
	return q->heap ? 0 : -1;
}

void timerq_free(struct timerq *q)
{
	for (size_t i = 0; i < q->len; i++)
		q->heap[i]->pos = TIMERQ_NOT_QUEUED;
	free(q->heap);
	q->heap = NULL;
	q->len = q->cap = 0;
}

void timerq_entry_init(struct timerq_entry *e)
{
	e->deadline = UINT64_MAX;
	e->pos = TIMERQ_NOT_QUEUED;
}

static void timerq_place(struct timerq *q, size_t i, struct timerq_entry *e)
{
	q->heap[i] = e;
	e->pos = i;
}

static void timerq_up(struct timerq *q, size_t i)
{
	struct timerq_entry *e = q->heap[i];

	while (i > 0 && q->heap[(i - 1) / 2]->deadline > e->deadline) {
		timerq_place(q, i, q->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	timerq_place(q, i, e);
}

static void timerq_down(struct timerq *q, size_t i)
{
	struct timerq_entry *e = q->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= q->len)
			break;
		if (c + 1 < q->len && q->heap[c + 1]->deadline < q->heap[c]->deadline)
			c++;
		if (q->heap[c]->deadline >= e->deadline)
			break;
		timerq_place(q, i, q->heap[c]);
		i = c;
	}
	timerq_place(q, i, e);
}

int timerq_set(struct timerq *q, struct timerq_entry *e, uint64_t deadline)
{
	if (e->pos == TIMERQ_NOT_QUEUED) {
		if (q->len == q->cap)
			return -1;
		e->deadline = deadline;
		timerq_place(q, q->len++, e);
		timerq_up(q, e->pos);
		return 0;
	}
	e->deadline = deadline;
	timerq_up(q, e->pos);
	timerq_down(q, e->pos);
	return 0;
}

void timerq_remove(struct timerq *q, struct timerq_entry *e)
{
	size_t i = e->pos;
	struct timerq_entry *last;

	if (i == TIMERQ_NOT_QUEUED)
		return;
	e->pos = TIMERQ_NOT_QUEUED;
	last = q->heap[--q->len];
	if (last == e)
		return;
	timerq_place(q, i, last);
	timerq_up(q, i);
	timerq_down(q, last->pos);
}

struct timerq_entry *timerq_peek(const struct timerq *q)
{
	return q->len ? q->heap[0] : NULL;
}

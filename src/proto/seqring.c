/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <stdlib.h>

#include "seqring.h"

int seqring_init(struct seqring *r, unsigned size)
{
	if (!size || (size & (size - 1)))
		return -1;
	r->slots = calloc(size, sizeof(*r->slots));
	if (!r->slots)
		return -1;
	r->mask = size - 1;
	atomic_init(&r->head, 0);
	atomic_init(&r->claim, 0);
	atomic_init(&r->tail, 0);
	return 0;
}

void seqring_free(struct seqring *r)
{
	free(r->slots);
	r->slots = NULL;
}

bool seqring_push(struct seqring *r, uint8_t *buf, size_t len, uint64_t counter)
{
	uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	struct seqring_slot *s;

	if (head - atomic_load_explicit(&r->tail, memory_order_acquire) > r->mask)
		return false;
	s = &r->slots[head & r->mask];
	s->buf = buf;
	s->len = len;
	s->counter = counter;
	atomic_store_explicit(&s->state, SEQRING_QUEUED, memory_order_relaxed);
	/* the slot's contents are published with the head */
	atomic_store_explicit(&r->head, head + 1, memory_order_release);
	return true;
}

struct seqring_slot *seqring_take(struct seqring *r)
{
	uint64_t c = atomic_load_explicit(&r->claim, memory_order_relaxed);

	do {
		if (c >= atomic_load_explicit(&r->head, memory_order_acquire))
			return NULL;
	} while (!atomic_compare_exchange_weak_explicit(&r->claim, &c, c + 1,
							memory_order_acq_rel,
							memory_order_relaxed));
	return &r->slots[c & r->mask];
}

void seqring_done(struct seqring_slot *s, int ret)
{
	s->ret = ret;
	atomic_store_explicit(&s->state, SEQRING_DONE, memory_order_release);
}

struct seqring_slot *seqring_next(struct seqring *r)
{
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	struct seqring_slot *s;

	if (tail == atomic_load_explicit(&r->head, memory_order_acquire))
		return NULL;
	s = &r->slots[tail & r->mask];
	return atomic_load_explicit(&s->state, memory_order_acquire) == SEQRING_DONE ? s : NULL;
}

void seqring_release(struct seqring *r)
{
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);

	atomic_store_explicit(&r->slots[tail & r->mask].state, SEQRING_FREE, memory_order_relaxed);
	atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
}

/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <stdlib.h>

#include "index_table.h"

/* Indices are random, but mix anyway so chain length never depends on it. */
static uint32_t index_bucket(const struct index_table *t, uint32_t index)
{
	return (uint32_t)((index * UINT32_C(2654435761)) >> 7) & t->mask;
}

int index_table_init(struct index_table *t, unsigned bits)
{
	t->count = 0;
	t->buckets = NULL;
	if (bits < 1 || bits > 24)
		return -1;
	t->mask = (UINT32_C(1) << bits) - 1;
	t->buckets = calloc((size_t)t->mask + 1, sizeof(*t->buckets));
	return t->buckets ? 0 : -1;
}

void index_table_free(struct index_table *t)
{
	free(t->buckets);
	t->buckets = NULL;
	t->count = 0;
}

static struct index_entry *index_find(const struct index_table *t, uint32_t index)
{
	struct index_entry *e = t->buckets[index_bucket(t, index)];

	while (e && e->index != index)
		e = e->next;
	return e;
}

int index_table_insert(struct index_table *t, struct index_entry *e, uint32_t index)
{
	struct index_entry **head;

	if (e->linked || index_find(t, index))
		return -1;
	head = &t->buckets[index_bucket(t, index)];
	e->index = index;
	e->next = *head;
	*head = e;
	e->linked = true;
	t->count++;
	return 0;
}

int index_table_pick(const struct index_table *t, const struct rng *rng, uint32_t *index)
{
	/* With fewer than 2^31 entries each draw is free with p > 1/2. */
	for (int tries = 0; tries < 64; tries++) {
		uint32_t candidate;

		rng_fill(rng, &candidate, sizeof(candidate));

		if (!index_find(t, candidate)) {
			*index = candidate;
			return 0;
		}
	}
	return -1;
}

int index_table_insert_random(struct index_table *t, struct index_entry *e)
{
	uint32_t index;

	if (index_table_pick(t, NULL, &index))
		return -1;
	return index_table_insert(t, e, index);
}

void index_table_remove(struct index_table *t, struct index_entry *e)
{
	struct index_entry **p;

	if (!e->linked)
		return;
	for (p = &t->buckets[index_bucket(t, e->index)]; *p; p = &(*p)->next) {
		if (*p == e) {
			*p = e->next;
			t->count--;
			break;
		}
	}
	e->next = NULL;
	e->linked = false;
}

struct index_entry *index_table_lookup(const struct index_table *t,
				       uint32_t index, enum index_kind kind)
{
	struct index_entry *e = index_find(t, index);

	return e && e->kind == kind ? e : NULL;
}

/* SPDX-License-Identifier: ISC */
/*
 * Receiver index table: local 32-bit index -> pending handshake or keypair,
 * O(1) expected. Entries are intrusive (embedded in the handshake and
 * keypair structs), so insert and remove never allocate. Indices are drawn
 * at random (from an rng, see rng.h) and unique among the table's live entries.
 */
#ifndef OVPN_INDEX_TABLE_H
#define OVPN_INDEX_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rng.h"

struct proto_peer;

enum index_kind {
	INDEX_HANDSHAKE = 1,	/* initiator waiting for a response */
	INDEX_KEYPAIR,		/* session receiving data */
};

struct index_entry {
	struct index_entry *next;	/* bucket chain */
	struct proto_peer *peer;
	uint32_t index;
	enum index_kind kind;
	bool linked;
};

struct index_table {
	struct index_entry **buckets;
	uint32_t mask;		/* bucket count - 1 */
	size_t count;
};

/* Allocate 2^bits buckets (1..24). 0 or -1. */
int index_table_init(struct index_table *t, unsigned bits);
void index_table_free(struct index_table *t);
/* A random index from rng (NULL: randombytes) that no live entry uses (to
 * write into a message before the entry is linked). 0 or -1. */
int index_table_pick(const struct index_table *t, const struct rng *rng, uint32_t *index);
/* Link e under a fresh random index (stored in e->index). 0 or -1. */
int index_table_insert_random(struct index_table *t, struct index_entry *e);
/* Link e under a given index (tests, handover); -1 if it is taken. */
int index_table_insert(struct index_table *t, struct index_entry *e, uint32_t index);
void index_table_remove(struct index_table *t, struct index_entry *e);
/* The entry with that index and kind, or NULL. */
struct index_entry *index_table_lookup(const struct index_table *t,
				       uint32_t index, enum index_kind kind);

#endif

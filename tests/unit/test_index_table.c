/* SPDX-License-Identifier: ISC */
/* Receiver index table: random unique indices, O(1) lookup, removal. */
#include "config.h"

#include "proto_fixture.h"

#define N 5000

static struct index_entry entries[N];

static void test_many(void)
{
	struct index_table t;
	int found = 0, unique = 1;

	CHECK_EQ(index_table_init(&t, 10), 0);
	for (int i = 0; i < N; i++) {
		tap_label("entry %d", i);
		entries[i].kind = (i & 1) ? INDEX_KEYPAIR : INDEX_HANDSHAKE;
		CHECK_EQ(index_table_insert_random(&t, &entries[i]), 0);
		if (tap_failed())
			break;
	}
	tap_unlabel();
	CHECK_EQ(t.count, N);
	for (int i = 0; i < N; i++) {
		found += index_table_lookup(&t, entries[i].index, entries[i].kind) == &entries[i];
		/* Same index, other kind: not found. */
		unique &= index_table_lookup(&t, entries[i].index,
					     (i & 1) ? INDEX_HANDSHAKE : INDEX_KEYPAIR) == NULL;
	}
	CHECK(found == N && unique);
	/* Remove every other entry; the rest stay reachable. */
	for (int i = 0; i < N; i += 2)
		index_table_remove(&t, &entries[i]);
	CHECK_EQ(t.count, N / 2);
	found = 0;
	for (int i = 0; i < N; i++)
		found += index_table_lookup(&t, entries[i].index, entries[i].kind) != NULL;
	CHECK_EQ(found, N / 2);
	index_table_remove(&t, &entries[0]);	/* twice: harmless */
	CHECK_EQ(t.count, N / 2);
	for (int i = 1; i < N; i += 2)
		index_table_remove(&t, &entries[i]);
	CHECK_EQ(t.count, 0);
	index_table_free(&t);
}

static void test_explicit(void)
{
	struct index_table t;
	struct index_entry a = { .kind = INDEX_KEYPAIR }, b = { .kind = INDEX_KEYPAIR };
	uint32_t picked;

	CHECK_EQ(index_table_init(&t, 0), -1);
	CHECK_EQ(index_table_init(&t, 25), -1);
	CHECK_EQ(index_table_init(&t, 1), 0);
	CHECK_EQ(index_table_insert(&t, &a, 7), 0);
	CHECK_EQ(index_table_insert(&t, &b, 7), -1);	/* taken */
	CHECK_EQ(index_table_insert(&t, &a, 8), -1);	/* already linked */
	CHECK_EQ(index_table_insert(&t, &b, 0xffffffff), 0);
	CHECK(index_table_lookup(&t, 7, INDEX_KEYPAIR) == &a);
	CHECK(index_table_lookup(&t, 0xffffffff, INDEX_KEYPAIR) == &b);
	CHECK_EQ(index_table_lookup(&t, 6, INDEX_KEYPAIR), NULL);
	CHECK(index_table_pick(&t, NULL, &picked) == 0 && picked != 7 && picked != 0xffffffff);
	index_table_remove(&t, &a);
	CHECK_EQ(index_table_lookup(&t, 7, INDEX_KEYPAIR), NULL);
	CHECK_EQ(index_table_insert(&t, &a, 7), 0);
	index_table_free(&t);
}

int main(void)
{
	if (sodium_init() < 0)
		return 99;
	RUN(test_many());
	RUN(test_explicit());
	return tap_done();
}

/* The daemon's peer helpers: the pending queue keeps the newest packets
 * within its bound and frees its memory when empty; the key index finds
 * every configured peer and nothing else. */
#include "config.h"

#include <sodium.h>

#include "peer.h"
#include "tap.h"

static void test_queue(void)
{
	struct peer p;
	uint8_t pkt[100];

	memset(&p, 0, sizeof(p));
	CHECK_EQ(peer_queue_front(&p), NULL);
	for (unsigned i = 0; i < PEER_QUEUE_MAX + 10; i++) {
		tap_label("push %u", i);
		memset(pkt, (int)(i & 0xff), sizeof(pkt));
		CHECK(peer_queue_push(&p, pkt, 20 + i % 50));
		if (tap_failed())
			break;
	}
	tap_unlabel();
	CHECK_EQ(p.queue_len, PEER_QUEUE_MAX);
	CHECK_EQ(p.stats.queue_drops, 10);
	/* The oldest ten were dropped: the front is packet 10. */
	for (unsigned i = 10; i < PEER_QUEUE_MAX + 10; i++) {
		struct pkt *q = peer_queue_front(&p);

		tap_label("packet %u", i);
		CHECK_NE(q, NULL);
		if (!q)
			break;
		CHECK_EQ(q->len, 20 + i % 50);
		CHECK_EQ(q->data[PKT_HEADROOM], (uint8_t)i);
		peer_queue_pop(&p);
		if (tap_failed())
			break;
	}
	tap_unlabel();
	CHECK_EQ(peer_queue_front(&p), NULL);
	CHECK_EQ(p.queue, NULL);	/* memory returned once empty */
	peer_queue_push(&p, pkt, 10);
	peer_queue_clear(&p);
	CHECK(p.queue == NULL && p.queue_len == 0 && p.stats.queue_drops == 11);
}

static void test_index(void)
{
	enum { N = 1000 };
	static struct peer peers[N];
	static struct peer *ptrs[N];
	struct peer_index ix;
	uint8_t other[PROTO_KEY_LEN];

	for (size_t i = 0; i < N; i++) {
		randombytes_buf(peers[i].public_key, PROTO_KEY_LEN);
		ptrs[i] = &peers[i];
	}
	CHECK_EQ(peer_index_build(&ix, ptrs, N), 0);
	for (size_t i = 0; i < N; i++) {
		tap_label("peer %zu", i);
		CHECK(peer_index_find(&ix, peers[i].public_key) == &peers[i]);
		if (tap_failed())
			break;
	}
	tap_unlabel();
	memcpy(other, peers[0].public_key, sizeof(other));
	other[31] ^= 1;	/* same hash bytes, different key */
	CHECK_EQ(peer_index_find(&ix, other), NULL);
	peer_index_free(&ix);
}

int main(void)
{
	if (sodium_init() < 0)
		return 99;
	RUN(test_queue());
	RUN(test_index());
	return tap_done();
}

/* SPDX-License-Identifier: ISC */
/* The daemon's peer helpers: the pending queue keeps the newest packets
 * within its bound and frees its memory when empty; the key index finds
 * every configured peer and nothing else; the peer set reschedules every
 * peer it hands out, once, at its flush. */
#include "config.h"

#include <sodium.h>
#include <sys/socket.h>

#include "peer.h"
#include "peerset.h"
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

static struct peer *fired;
static unsigned n_fired;

static void on_timer(void *ctx, struct peer *p, uint64_t now)
{
	(void)now;
	CHECK(ctx == &fired);
	CHECK(p->dirty);	/* touched before the data plane runs it */
	fired = p;
	n_fired++;
}

static void conf_peer_fill(struct conf_peer *cp, char *name, struct cidr *aip, uint8_t last)
{
	memset(cp, 0, sizeof(*cp));
	cp->name = name;
	randombytes_buf(cp->public_key, sizeof(cp->public_key));
	memset(aip, 0, sizeof(*aip));
	aip->family = AF_INET;
	aip->addr[0] = 10;
	aip->addr[1] = 77;
	aip->addr[3] = last;
	aip->prefix_len = 32;
	cp->allowed_ips = aip;
	cp->n_allowed_ips = 1;
}

static void test_peerset(void)
{
	char na[] = "a", nb[] = "b", nc[] = "c";
	struct conf_peer cp[3], again[2];
	struct cidr aip[3];
	struct conf cfg = { 0 }, cfg2 = { 0 };
	uint8_t priv[PROTO_KEY_LEN], dst[16] = { 10, 77, 0, 3 };
	struct proto_host host;
	struct timerq q;
	struct peerset ps;
	struct peer *a, *b;
	const struct peerset_deps deps = { &host, &q, on_timer, &fired, NULL, NULL, NULL, 0 };

	randombytes_buf(priv, sizeof(priv));
	CHECK(proto_host_init(&host, priv, NULL, 4, NULL, NULL) == 0);
	CHECK(timerq_init(&q, 0) == 0);
	conf_peer_fill(&cp[0], na, &aip[0], 2);
	cp[0].persistent_keepalive = 25;
	conf_peer_fill(&cp[1], nb, &aip[1], 3);
	conf_peer_fill(&cp[2], nc, &aip[2], 4);
	cfg.peers = cp;
	cfg.n_peers = 2;
	CHECK(peerset_load(&ps, &cfg, &deps) == 0);
	CHECK(ps.n_peers == 2 && q.cap >= 2);
	a = ps.peers[0];
	b = ps.peers[1];
	CHECK(a->dirty && b->dirty);	/* every peer is new: touched */
	CHECK(!timer_pending(&a->timer) && !timer_pending(&b->timer));
	peerset_flush(&ps, 1000);
	CHECK(!a->dirty && !b->dirty && ps.dirty == NULL);
	/* Only a has something to do: its persistent keepalive. */
	CHECK(timer_pending(&a->timer) && !timer_pending(&b->timer));
	CHECK(a->timer.deadline == proto_next_deadline(&a->proto, 1000));
	CHECK(a->timer.deadline != PROTO_NEVER);

	/* What the data plane gets from the set is touched, nothing else. */
	CHECK(peerset_route(&ps, AF_INET, dst) == b);
	CHECK(b->dirty && !a->dirty);
	dst[3] = 9;
	CHECK(peerset_route(&ps, AF_INET, dst) == NULL);
	CHECK(peerset_owner(&ps, NULL) == NULL);
	CHECK(peerset_owner(&ps, &a->proto) == a && a->dirty);
	peerset_touch(&ps, a);			/* twice: still once on the list */
	CHECK(ps.dirty == a && a->dirty_next == b && b->dirty_next == NULL);
	peerset_flush(&ps, 1000);
	CHECK(ps.dirty == NULL && timer_pending(&a->timer) && !timer_pending(&b->timer));

	/* A due timer runs the callback with its peer, touched. */
	CHECK(timerq_run(&q, a->timer.deadline) == 1);
	CHECK(fired == a && n_fired == 1 && !timer_pending(&a->timer));
	peerset_flush(&ps, 1000);
	CHECK(timer_pending(&a->timer));	/* rescheduled from its state */

	/* Reload: a kept (the same peer), b gone, c new; all touched. */
	again[0] = cp[0];
	again[1] = cp[2];
	cfg2.peers = again;
	cfg2.n_peers = 2;
	CHECK(peerset_reload(&ps, &cfg2) == 0);
	CHECK(ps.n_peers == 2 && ps.peers[0] == a && ps.peers[1] != b);
	CHECK(a->dirty && ps.peers[1]->dirty);
	CHECK(peer_index_find(&ps.by_key, cp[1].public_key) == NULL);
	CHECK(peer_index_find(&ps.by_key, cp[2].public_key) == ps.peers[1]);
	dst[3] = 4;
	CHECK(peerset_route(&ps, AF_INET, dst) == ps.peers[1]);
	peerset_flush(&ps, 1000);
	peerset_free(&ps);
	CHECK(q.len == 0);			/* no timer left behind */
	timerq_free(&q);
	proto_host_free(&host);
}

int main(void)
{
	if (sodium_init() < 0)
		return 99;
	RUN(test_queue());
	RUN(test_index());
	RUN(test_peerset());
	return tap_done();
}

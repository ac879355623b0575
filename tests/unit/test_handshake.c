/* SPDX-License-Identifier: ISC */
/* Handshake messages 1 and 2: vectors, round trips and hostile input. */
#include "config.h"

#include "proto_fixture.h"

struct vec_handshake {
	const char *name;
	bool psk;
	const char *initiation, *response, *key_i2r, *key_r2i;
};

/* One PROTOCOL.md handshake, replayed byte for byte. */
static void check_vector(const struct vec_handshake *v)
{
	struct pair p;
	uint8_t m1[HS_INITIATION_LEN], m2[HS_RESPONSE_LEN], want[HS_INITIATION_LEN];
	uint8_t pub[32];
	struct proto_peer *who = NULL;
	int failures = tap_failures;

	pair_init(&p, NULL);
	if (!v->psk)
		pair_set_psk(&p, NULL);
	unhex(pub, vec_ini_public);
	CHECK_MEM(p.ih.public_key, pub, 32);
	unhex(pub, vec_resp_public);
	CHECK_MEM(p.rh.public_key, pub, 32);

	CHECK_EQ(pair_initiate(&p, 0, 0, m1), 0);
	CHECK_EQ(unhex(want, v->initiation), HS_INITIATION_LEN);
	CHECK_MEM(m1, want, HS_INITIATION_LEN);
	CHECK_EQ(pair_respond(&p, 0, m1, sizeof(m1), m2), DROP_NONE);
	CHECK_EQ(unhex(want, v->response), HS_RESPONSE_LEN);
	CHECK_MEM(m2, want, HS_RESPONSE_LEN);
	CHECK_EQ(proto_consume_response(&p.ih, m2, sizeof(m2), 0, NULL, &who), DROP_NONE);
	CHECK(who == &p.ip);
	/* Key confirmation: the responder may not send yet, the initiator may. */
	CHECK(!proto_can_send(&p.rp, 0) && proto_can_send(&p.ip, 0));

	/* Transport keys: i sends with k1 = i->r, r with k2 = r->i. */
	unhex(want, v->key_i2r);
	CHECK(p.ip.current && p.rp.next && !p.rp.current);
	CHECK_MEM(p.ip.current->send_key, want, 32);
	CHECK_MEM(p.rp.next->recv_key, want, 32);
	unhex(want, v->key_r2i);
	CHECK_MEM(p.ip.current->recv_key, want, 32);
	CHECK_MEM(p.rp.next->send_key, want, 32);
	CHECK_EQ(p.ip.current->remote_index, VEC_RESP_INDEX);
	CHECK_EQ(p.rp.next->remote_index, VEC_INI_INDEX);
	CHECK_EQ(p.ip.current->local.index, VEC_INI_INDEX);
	CHECK_EQ(p.rp.next->local.index, VEC_RESP_INDEX);
	/* The initiator's handshake state is gone. */
	CHECK(!p.ip.hs.in_flight && sodium_is_zero(p.ip.hs.eph_private, 32));
	pair_free(&p);
	if (tap_failures != failures)
		fprintf(stderr, "  in: %s\n", v->name);
}

static void test_vectors(void)
{
	static const struct vec_handshake vectors[] = {
		{ "vector handshake with a pre-shared key", true, vec_initiation,
		  vec_response, vec_key_i2r, vec_key_r2i },
		{ "vector handshake without a pre-shared key", false, vec_initiation_nopsk,
		  vec_response_nopsk, vec_key_i2r_nopsk, vec_key_r2i_nopsk },
	};
	uint8_t ts[TAI64N_LEN], want[TAI64N_LEN];

	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++)
		check_vector(&vectors[i]);
	/* The sender's timestamp: nanoseconds rounded down to 2^24. */
	tai64n_encode_coarse(ts, 0x69264300, 0x075bcd15);
	unhex(want, vec_timestamp_coarse);
	CHECK_MEM(ts, want, TAI64N_LEN);
	tai64n_encode_coarse(ts, 0x69264300, 0x06ffffff);
	CHECK(tai64n_compare(ts, want) < 0);
}

/* Pre-shared keys that differ (one side only, or two keys): the responder
 * answers, the initiator cannot open the answer and counts it as a psk
 * mismatch; the responder's half-made session is never confirmed. Equal
 * keys again: the next handshake completes. */
static void test_psk_mismatch(void)
{
	static const char *const cases[] = {
		"psk on the initiator only", "psk on the responder only", "two different psks",
	};
	uint8_t m1[HS_INITIATION_LEN], m2[HS_RESPONSE_LEN], psk[32], other[32];
	struct proto_peer *who;

	vec_psk(psk);
	key_run(other, 0x99);
	for (int c = 0; c < 3; c++) {
		struct pair p;
		int failures = tap_failures;

		pair_init(&p, NULL);
		proto_peer_set_psk(&p.ip, c == 1 ? NULL : psk, 0);
		proto_peer_set_psk(&p.rp, c == 0 ? NULL : c == 1 ? psk : other, 0);
		CHECK(pair_initiate(&p, 0, 0, m1) == 0);
		CHECK(pair_respond(&p, 0, m1, sizeof(m1), m2) == DROP_NONE);
		CHECK(proto_consume_response(&p.ih, m2, sizeof(m2), 0, NULL, &who) ==
		      DROP_HS_PSK_MISMATCH);
		CHECK(who == &p.ip && !p.ip.current && p.ip.hs.in_flight);
		CHECK(!proto_can_send(&p.ip, 0) && !proto_can_send(&p.rp, 0));
		/* The keys match again: the retry completes. */
		pair_set_psk(&p, c == 1 ? NULL : psk);
		CHECK(pair_initiate(&p, SEC, 1, m1) == 0);
		CHECK(pair_respond(&p, SEC, m1, sizeof(m1), m2) == DROP_NONE);
		CHECK(proto_consume_response(&p.ih, m2, sizeof(m2), SEC, NULL, &who) == DROP_NONE);
		CHECK(proto_can_send(&p.ip, SEC));
		pair_free(&p);
		if (tap_failures != failures)
			fprintf(stderr, "  in: %s\n", cases[c]);
	}
}

/* A changed pre-shared key ends the sessions made under the old one and
 * wants a handshake at once; the same key again changes nothing. */
static void test_psk_change(void)
{
	uint8_t psk[32], other[32];
	struct pair p;

	vec_psk(psk);
	key_run(other, 0x99);
	pair_init(&p, NULL);
	pair_handshake(&p, SEC);
	CHECK(!proto_peer_set_psk(&p.ip, psk, 2 * SEC));
	CHECK(proto_can_send(&p.ip, 2 * SEC) && p.ip.current);
	CHECK(proto_peer_set_psk(&p.ip, other, 2 * SEC));
	CHECK(!p.ip.current && !p.ip.previous && !p.ip.next && p.ih.indices.count == 0);
	CHECK(p.ip.has_psk && !memcmp(p.ip.psk, other, 32));
	CHECK(proto_timers_due(&p.ip, 2 * SEC) & PROTO_SEND_INITIATION);
	/* The responder's unconfirmed session goes too; none is a key change. */
	CHECK(proto_peer_set_psk(&p.rp, NULL, 2 * SEC));
	CHECK(!p.rp.next && !p.rp.has_psk && sodium_is_zero(p.rp.psk, 32));
	CHECK(!proto_peer_set_psk(&p.rp, NULL, 2 * SEC));
	pair_free(&p);
}

/* Random ephemerals and indices, each side initiating once. */
static void round_trip(struct proto_host *ah, struct proto_peer *a_peer,
		       struct proto_host *bh, struct proto_peer *b_peer, uint64_t now,
		       uint32_t secs)
{
	uint8_t m1[HS_INITIATION_LEN], ts[TAI64N_LEN];
	uint8_t buf[200];
	struct proto_reply reply;
	struct proto_peer *who = NULL;
	struct keypair *fresh;
	struct proto_rx rx;
	size_t n;

	tai64n_encode(ts, secs, 0);
	CHECK_EQ(proto_create_initiation(a_peer, now, ts, 0, m1), 0);
	CHECK_EQ(proto_consume_initiation(bh, m1, sizeof(m1), now, NULL, &reply), DROP_NONE);
	CHECK_EQ(reply.peer, b_peer);
	CHECK_EQ(proto_consume_response(ah, reply.msg, sizeof(reply.msg), now, NULL, &who), DROP_NONE);
	CHECK_EQ(who, a_peer);
	/* The responder's session waits in next until data confirms it. */
	fresh = b_peer->next;
	CHECK(fresh && b_peer->current != fresh);
	n = seal_bytes(a_peer, buf, 0, now);
	CHECK_EQ(n, 32);
	CHECK_EQ(proto_consume_data(bh, buf, n, now, &rx), DROP_NONE);
	CHECK(rx.peer == b_peer && rx.len == 0 && rx.session_ready);
	CHECK(b_peer->current == fresh && !b_peer->next);
	CHECK(proto_can_send(b_peer, now));
	make_ipv4(buf + KEYPAIR_HEADER_LEN, 60);
	CHECK_EQ(proto_seal(b_peer, buf, 60, 1420, now, &n), PROTO_SEAL_OK);
	CHECK_EQ(proto_consume_data(ah, buf, n, now, &rx), DROP_NONE);
	CHECK(rx.peer == a_peer && rx.len == 60 && rx.inner.family == AF_INET);
}

static void test_round_trips(void)
{
	struct pair p;

	/* With the pair's pre-shared key, then with none. */
	for (int psk = 1; psk >= 0; psk--) {
		pair_init(&p, NULL);
		if (!psk)
			pair_set_psk(&p, NULL);
		round_trip(&p.ih, &p.ip, &p.rh, &p.rp, 1, 1000);
		round_trip(&p.rh, &p.rp, &p.ih, &p.ip, 2, 1001);
		round_trip(&p.ih, &p.ip, &p.rh, &p.rp, 3, 1002);
		/* Indices in use: at most 3 sessions per side, no handshake left. */
		CHECK(p.ih.indices.count <= 3 && p.rh.indices.count <= 3);
		CHECK(p.ih.indices.count >= 1 && p.rh.indices.count >= 1);
		pair_free(&p);
	}
}

/* Every bit of message 1: before mac2 each flip must be refused, also
 * with mac1 recomputed (reaching the DH and AEAD checks). */
/* Both sides initiate at once: each ends with a usable session and data
 * flows both ways on whichever session the sender holds as current. */
static void test_simultaneous(void)
{
	struct pair p;
	uint8_t i1[HS_INITIATION_LEN], r1[HS_INITIATION_LEN];
	struct proto_reply to_i, to_r;
	uint8_t ts[TAI64N_LEN], buf[128];
	struct proto_peer *who;
	struct proto_rx rx;
	size_t n;

	pair_init(&p, NULL);
	tai64n_encode(ts, 500, 0);
	CHECK_EQ(proto_create_initiation(&p.ip, 1, ts, 0, i1), 0);
	CHECK_EQ(proto_create_initiation(&p.rp, 1, ts, 0, r1), 0);
	CHECK_EQ(proto_consume_initiation(&p.rh, i1, sizeof(i1), 2, NULL, &to_i), DROP_NONE);
	CHECK_EQ(proto_consume_initiation(&p.ih, r1, sizeof(r1), 2, NULL, &to_r), DROP_NONE);
	CHECK_EQ(proto_consume_response(&p.ih, to_i.msg, sizeof(to_i.msg), 3, NULL, &who), DROP_NONE);
	CHECK_EQ(proto_consume_response(&p.rh, to_r.msg, sizeof(to_r.msg), 3, NULL, &who), DROP_NONE);
	CHECK(proto_can_send(&p.ip, 3) && proto_can_send(&p.rp, 3));
	n = seal_bytes(&p.ip, buf, 0, 4);
	CHECK(proto_consume_data(&p.rh, buf, n, 4, &rx) == DROP_NONE && rx.peer == &p.rp);
	n = seal_bytes(&p.rp, buf, 0, 4);
	CHECK(proto_consume_data(&p.ih, buf, n, 4, &rx) == DROP_NONE && rx.peer == &p.ip);
	CHECK(p.ih.indices.count == 2 && p.rh.indices.count == 2);
	proto_peer_free(&p.ip);
	CHECK_EQ(p.ih.indices.count, 0);
	pair_free(&p);

	/* A confirmed responder session ends our own attempt still in flight. */
	pair_init(&p, NULL);
	tai64n_encode(ts, 600, 0);
	CHECK_EQ(proto_create_initiation(&p.ip, 1, ts, 0, i1), 0);
	CHECK_EQ(proto_create_initiation(&p.rp, 1, ts, 0, r1), 0);
	CHECK_EQ(proto_consume_initiation(&p.ih, r1, sizeof(r1), 2, NULL, &to_r), DROP_NONE);
	CHECK_EQ(proto_consume_response(&p.rh, to_r.msg, sizeof(to_r.msg), 3, NULL, &who), DROP_NONE);
	n = seal_bytes(&p.rp, buf, 0, 4);
	CHECK(proto_consume_data(&p.ih, buf, n, 4, &rx) == DROP_NONE && rx.session_ready);
	CHECK(!p.ip.hs.in_flight && !p.ip.want_handshake && p.ih.indices.count == 1);
	CHECK(sodium_is_zero(p.ip.hs.eph_private, 32));
	CHECK_EQ(proto_consume_initiation(&p.rh, i1, sizeof(i1), 5, NULL, &to_i), DROP_NONE);
	CHECK_EQ(proto_consume_response(&p.ih, to_i.msg, sizeof(to_i.msg), 5, NULL, &who), DROP_UNKNOWN_INDEX);
	pair_free(&p);
}

static void test_initiation_flips(void)
{
	struct pair p;
	uint8_t m1[HS_INITIATION_LEN], bad[HS_INITIATION_LEN];
	uint8_t cookie[HS_COOKIE_LEN] = "0123456789abcdef";
	struct proto_reply reply;
	int refused = 0, refused_remac = 0, refused_cookie = 0, total = 0;

	pair_init(&p, NULL);
	CHECK_EQ(pair_initiate(&p, 0, 0, m1), 0);
	for (size_t bit = 0; bit < 8 * sizeof(m1); bit++) {
		memcpy(bad, m1, sizeof(m1));
		bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		memset(p.rp.latest_timestamp, 0, TAI64N_LEN);
		if (bit < 8 * (HS_INITIATION_LEN - HS_MAC_LEN)) {
			total++;
			refused += proto_consume_initiation(&p.rh, bad, sizeof(bad), 0, NULL,
							    &reply) != DROP_NONE;
			/* The sender index is covered by mac1 only (as in
			 * WireGuard): a remac'd change of it is a valid message. */
			if (bit < 8 * (HS_INITIATION_LEN - 2 * HS_MAC_LEN) &&
			    (bit / 8 < HS_INIT_SENDER || bit / 8 >= HS_INIT_SENDER + 4)) {
				handshake_add_macs(bad, sizeof(bad), p.rh.mac1_key, NULL, NULL);
				refused_remac += proto_consume_initiation(
					&p.rh, bad, sizeof(bad), 0, NULL, &reply) != DROP_NONE;
			}
		} else {
			/* mac2: ignored when not under load, refused under load. */
			refused_cookie += proto_consume_initiation(
				&p.rh, bad, sizeof(bad), 0, cookie, &reply) == DROP_HS_BAD_MAC2;
		}
	}
	CHECK_EQ(refused, total);
	CHECK_EQ(refused_remac, 8 * (HS_INITIATION_LEN - 2 * HS_MAC_LEN - 4));
	CHECK_EQ(refused_cookie, 8 * HS_MAC_LEN);
	/* The untouched message still works afterwards. */
	memset(p.rp.latest_timestamp, 0, TAI64N_LEN);
	CHECK_EQ(proto_consume_initiation(&p.rh, m1, sizeof(m1), 0, NULL, &reply), DROP_NONE);
	pair_free(&p);
}

static void test_response_flips(void)
{
	struct pair p;
	uint8_t m1[HS_INITIATION_LEN], m2[HS_RESPONSE_LEN], bad[HS_RESPONSE_LEN];
	uint8_t cookie[HS_COOKIE_LEN] = "0123456789abcdef";
	struct proto_peer *who;
	int refused = 0, refused_remac = 0;

	pair_init(&p, NULL);
	proto_peer_set_cookie(&p.rp, cookie, 0);	/* m2 carries a real mac2 */
	CHECK_EQ(pair_initiate(&p, 0, 0, m1), 0);
	CHECK_EQ(pair_respond(&p, 0, m1, sizeof(m1), m2), DROP_NONE);
	for (size_t bit = 0; bit < 8 * (HS_RESPONSE_LEN - HS_MAC_LEN); bit++) {
		memcpy(bad, m2, sizeof(m2));
		bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		refused += proto_consume_response(&p.ih, bad, sizeof(bad), 0, NULL,
						  &who) != DROP_NONE;
		if (bit < 8 * (HS_RESPONSE_LEN - 2 * HS_MAC_LEN) &&
		    (bit / 8 < HS_RESP_SENDER || bit / 8 >= HS_RESP_SENDER + 4)) {
			handshake_add_macs(bad, sizeof(bad), p.ih.mac1_key, NULL, NULL);
			refused_remac += proto_consume_response(&p.ih, bad, sizeof(bad), 0,
								NULL, &who) != DROP_NONE;
		}
	}
	CHECK_EQ(refused, 8 * (HS_RESPONSE_LEN - HS_MAC_LEN));
	CHECK_EQ(refused_remac, 8 * (HS_RESPONSE_LEN - 2 * HS_MAC_LEN - 4));
	/* mac2 bits: refused by an initiator under load (checking a cookie). */
	refused = 0;
	for (size_t bit = 8 * (HS_RESPONSE_LEN - HS_MAC_LEN); bit < 8 * HS_RESPONSE_LEN; bit++) {
		memcpy(bad, m2, sizeof(m2));
		bad[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		refused += proto_consume_response(&p.ih, bad, sizeof(bad), 0, cookie,
						  &who) == DROP_HS_BAD_MAC2;
	}
	CHECK_EQ(refused, 8 * HS_MAC_LEN);
	/* Failed attempts left the pending handshake intact. */
	CHECK(p.ip.hs.in_flight && !p.ip.current);
	CHECK_EQ(proto_consume_response(&p.ih, m2, sizeof(m2), 0, cookie, &who), DROP_NONE);
	/* The same response again: its handshake is gone. */
	CHECK_EQ(proto_consume_response(&p.ih, m2, sizeof(m2), 0, NULL, &who), DROP_UNKNOWN_INDEX);
	pair_free(&p);
}

static void test_lengths(void)
{
	struct pair p;
	uint8_t m1[HS_INITIATION_LEN + 64] = { 0 }, m2[HS_RESPONSE_LEN + 64] = { 0 };
	struct proto_reply reply;
	struct proto_peer *who;
	int bad1 = 0, bad2 = 0;

	pair_init(&p, NULL);
	CHECK_EQ(pair_initiate(&p, 0, 0, m1), 0);
	CHECK_EQ(pair_respond(&p, 0, m1, HS_INITIATION_LEN, m2), DROP_NONE);
	CHECK_EQ(pair_initiate(&p, 0, 1, m1), 0);
	memset(p.rp.latest_timestamp, 0, TAI64N_LEN);
	for (size_t len = 0; len < sizeof(m1); len++)
		if (len != HS_INITIATION_LEN)
			bad1 += proto_consume_initiation(&p.rh, m1, len, 0, NULL,
							 &reply) == DROP_HS_BAD_LENGTH;
	CHECK_EQ(bad1, (int)sizeof(m1) - 1);
	CHECK_EQ(pair_respond(&p, 0, m1, HS_INITIATION_LEN, m2), DROP_NONE);
	for (size_t len = 0; len < sizeof(m2); len++)
		if (len != HS_RESPONSE_LEN)
			bad2 += proto_consume_response(&p.ih, m2, len, 0, NULL,
						       &who) == DROP_HS_BAD_LENGTH;
	CHECK_EQ(bad2, (int)sizeof(m2) - 1);
	/* Wrong type byte and non-zero reserved bytes. */
	m2[0] = MSG_TYPE_INITIATION;
	CHECK_EQ(proto_consume_response(&p.ih, m2, HS_RESPONSE_LEN, 0, NULL, &who), DROP_HS_BAD_LENGTH);
	m2[0] = MSG_TYPE_RESPONSE;
	m2[2] = 1;
	handshake_add_macs(m2, HS_RESPONSE_LEN, p.ih.mac1_key, NULL, NULL);
	CHECK_EQ(proto_consume_response(&p.ih, m2, HS_RESPONSE_LEN, 0, NULL, &who), DROP_HS_BAD_LENGTH);
	m2[2] = 0;
	handshake_add_macs(m2, HS_RESPONSE_LEN, p.ih.mac1_key, NULL, NULL);
	CHECK_EQ(proto_consume_response(&p.ih, m2, HS_RESPONSE_LEN, 0, NULL, &who), DROP_NONE);
	pair_free(&p);
}

static void test_policy(void)
{
	struct pair p;
	struct proto_host stranger;
	struct proto_peer sp;
	uint8_t m1[HS_INITIATION_LEN], m2[HS_RESPONSE_LEN], key[32];
	struct proto_reply reply;

	pair_init(&p, NULL);
	/* Wrong mac1: keyed with another responder key. */
	CHECK_EQ(pair_initiate(&p, 0, 0, m1), 0);
	m1[116] ^= 0x80;
	CHECK_EQ(pair_respond(&p, 0, m1, sizeof(m1), m2), DROP_HS_BAD_MAC1);
	handshake_add_macs(m1, sizeof(m1), p.ih.mac1_key, NULL, NULL);
	CHECK_EQ(pair_respond(&p, 0, m1, sizeof(m1), m2), DROP_HS_BAD_MAC1);

	/* Replayed timestamp: the same initiation twice, then an older one. */
	CHECK_EQ(pair_initiate(&p, 0, 5, m1), 0);
	CHECK_EQ(pair_respond(&p, 0, m1, sizeof(m1), m2), DROP_NONE);
	CHECK_EQ(pair_respond(&p, 0, m1, sizeof(m1), m2), DROP_HS_REPLAY);
	CHECK_EQ(pair_initiate(&p, 0, 4, m1), 0);
	CHECK_EQ(pair_respond(&p, 0, m1, sizeof(m1), m2), DROP_HS_REPLAY);
	CHECK_EQ(pair_initiate(&p, 0, 6, m1), 0);
	CHECK_EQ(pair_respond(&p, 0, m1, sizeof(m1), m2), DROP_NONE);

	/* Unknown static key: a host r has no peer entry for. */
	key_run(key, 0x21);
	CHECK_EQ(proto_host_init(&stranger, key, NULL, 4, pair_lookup, NULL), 0);
	CHECK_EQ(proto_peer_init(&sp, &stranger, p.rh.public_key, NULL), 0);
	vec_timestamp(key);
	CHECK_EQ(proto_create_initiation(&sp, 0, key, 0, m1), 0);
	CHECK_EQ(proto_consume_initiation(&p.rh, m1, sizeof(m1), 0, NULL, &reply), DROP_HS_UNKNOWN_PEER);
	CHECK_EQ(reply.peer, NULL);
	proto_peer_free(&sp);
	proto_host_free(&stranger);
	pair_free(&p);
}

static void test_cookie_mac2(void)
{
	struct pair p;
	uint8_t m1[HS_INITIATION_LEN], m2[HS_RESPONSE_LEN];
	uint8_t cookie[HS_COOKIE_LEN] = "cookie-for-host", other[HS_COOKIE_LEN] = "another-cookie!";
	struct proto_reply reply;
	struct proto_peer *who;
	uint64_t t0 = 1000 * SEC;

	pair_init(&p, NULL);
	/* No cookie held: mac2 zero, refused by a loaded responder. */
	CHECK_EQ(pair_initiate(&p, t0, 1, m1), 0);
	CHECK(sodium_is_zero(m1 + HS_INITIATION_LEN - HS_MAC_LEN, HS_MAC_LEN));
	CHECK_EQ(proto_consume_initiation(&p.rh, m1, sizeof(m1), t0, cookie, &reply), DROP_HS_BAD_MAC2);
	proto_peer_set_cookie(&p.ip, cookie, t0);
	CHECK_EQ(pair_initiate(&p, t0, 2, m1), 0);
	CHECK(handshake_check_mac2(m1, sizeof(m1), cookie));
	CHECK_EQ(proto_consume_initiation(&p.rh, m1, sizeof(m1), t0, other, &reply), DROP_HS_BAD_MAC2);
	CHECK_EQ(proto_consume_initiation(&p.rh, m1, sizeof(m1), t0, cookie, &reply), DROP_NONE);
	/* The cookie lapses after cookie_lifetime: one ns before, and at. */
	CHECK_EQ(pair_initiate(&p, t0 + 120 * SEC - 1, 3, m1), 0);
	CHECK(handshake_check_mac2(m1, sizeof(m1), cookie));
	CHECK_EQ(pair_initiate(&p, t0 + 120 * SEC, 4, m1), 0);
	CHECK(sodium_is_zero(m1 + HS_INITIATION_LEN - HS_MAC_LEN, HS_MAC_LEN));
	/* The responder's mac2 on message 2 from a cookie it holds. */
	proto_peer_set_cookie(&p.rp, other, t0);
	CHECK_EQ(pair_initiate(&p, t0, 5, m1), 0);
	CHECK_EQ(pair_respond(&p, t0, m1, sizeof(m1), m2), DROP_NONE);
	CHECK(handshake_check_mac2(m2, sizeof(m2), other));
	CHECK_EQ(proto_consume_response(&p.ih, m2, sizeof(m2), t0, cookie, &who), DROP_HS_BAD_MAC2);
	CHECK_EQ(proto_consume_response(&p.ih, m2, sizeof(m2), t0, other, &who), DROP_NONE);
	/* last_mac1 kept for the cookie reply's additional data. */
	CHECK_MEM(p.rp.last_mac1, m2 + HS_RESPONSE_LEN - 2 * HS_MAC_LEN, HS_MAC_LEN);
	pair_free(&p);
}

int main(void)
{
	if (sodium_init() < 0)
		return 99;
	RUN(test_vectors());
	RUN(test_psk_mismatch());
	RUN(test_psk_change());
	RUN(test_round_trips());
	RUN(test_simultaneous());
	RUN(test_initiation_flips());
	RUN(test_response_flips());
	RUN(test_lengths());
	RUN(test_policy());
	RUN(test_cookie_mac2());
	return tap_done();
}

/* SPDX-License-Identifier: ISC */
/* Every timer decision at its exact boundary: one ns before, and at. */
#include "config.h"

#include "proto_fixture.h"

#define T0 (1000 * SEC)
#define JITTER 1234u

static uint8_t buf[1600];
static uint8_t m1[HS_INITIATION_LEN];

static void initiate(struct proto_peer *peer, uint64_t now, uint64_t jitter)
{
	static uint32_t secs = 1;
	uint8_t ts[TAI64N_LEN];

	tai64n_encode(ts, secs++, 0);
	CHECK_EQ(proto_create_initiation(peer, now, ts, jitter, m1), 0);
}

/* On demand, retries after REKEY_TIMEOUT + jitter, gives up at REKEY_ATTEMPT_TIME. */
static void test_retry_and_give_up(void)
{
	struct pair p;
	size_t n;
	uint64_t t = T0, next;
	int sent = 1;

	pair_init(&p, NULL);
	CHECK_EQ(proto_next_deadline(&p.ip, T0), PROTO_NEVER);
	CHECK_EQ(proto_timers_due(&p.ip, T0), 0);
	CHECK_EQ(proto_seal(&p.ip, buf, 10, 1420, T0, &n), PROTO_SEAL_NO_SESSION);
	CHECK_LE(proto_next_deadline(&p.ip, T0), T0);
	CHECK_EQ(proto_timers_due(&p.ip, T0), PROTO_SEND_INITIATION);
	initiate(&p.ip, T0, JITTER);
	CHECK_EQ(p.ih.indices.count, 1);
	for (;;) {
		tap_label("attempt %d", sent);
		next = t + 5 * SEC + JITTER;
		if (next >= T0 + 90 * SEC)
			break;
		CHECK_EQ(proto_next_deadline(&p.ip, t), next);
		CHECK_EQ(proto_timers_due(&p.ip, next - 1), 0);
		CHECK_EQ(proto_timers_due(&p.ip, next), PROTO_SEND_INITIATION);
		/* More queued packets do not restart the attempt. */
		CHECK_EQ(proto_seal(&p.ip, buf, 10, 1420, next, &n), PROTO_SEAL_NO_SESSION);
		initiate(&p.ip, next, JITTER);
		t = next;
		sent++;
		if (tap_failed())
			break;
	}
	tap_unlabel();
	CHECK_EQ(sent, 18);
	CHECK_EQ(proto_next_deadline(&p.ip, t), T0 + 90 * SEC);
	CHECK_EQ(proto_timers_due(&p.ip, T0 + 90 * SEC - 1), 0);
	CHECK_EQ(proto_timers_due(&p.ip, T0 + 90 * SEC), PROTO_GIVE_UP);
	CHECK(!p.ip.want_handshake && !p.ip.hs.in_flight && p.ih.indices.count == 0);
	CHECK(sodium_is_zero(p.ip.hs.eph_private, 32));
	CHECK_EQ(proto_next_deadline(&p.ip, T0 + 90 * SEC), PROTO_NEVER);
	/* A late response to the abandoned attempt finds nothing. */
	pair_free(&p);
}

/* After the handshake: the initiator confirms with a keepalive unless it
 * sent data; the responder waits for confirmation. */
static void test_after_handshake(void)
{
	struct pair p;
	size_t n;

	pair_init(&p, NULL);
	pair_handshake(&p, T0);
	CHECK_EQ(proto_next_deadline(&p.ip, T0), T0);
	CHECK_EQ(proto_timers_due(&p.ip, T0), PROTO_SEND_KEEPALIVE);
	CHECK_EQ(proto_timers_due(&p.ip, T0), 0);

	pair_handshake(&p, T0 + 1);
	CHECK_GT(seal_bytes(&p.ip, buf, 50, T0 + 1), 0);	/* the queue was flushed */
	CHECK_EQ(proto_timers_due(&p.ip, T0 + 1), 0);

	/* r holds an unconfirmed session: no data on it, and no competing
	 * initiation before REKEY_TIMEOUT has passed since it was made. */
	CHECK(p.rp.next && !proto_can_send(&p.rp, T0 + 1));
	CHECK_EQ(proto_seal(&p.rp, buf, 10, 1420, T0 + 1, &n), PROTO_SEAL_NO_SESSION);
	CHECK_EQ(proto_next_deadline(&p.rp, T0 + 1), T0 + 1 + 5 * SEC);
	CHECK_EQ(proto_timers_due(&p.rp, T0 + 1 + 5 * SEC - 1), 0);
	CHECK_EQ(proto_timers_due(&p.rp, T0 + 1 + 5 * SEC), PROTO_SEND_INITIATION);
	pair_free(&p);
}

static void confirm(struct pair *p, uint64_t now)
{
	struct proto_rx rx;
	size_t n = seal_bytes(&p->ip, buf, 0, now);

	CHECK(proto_consume_data(&p->rh, buf, n, now, &rx) == DROP_NONE && rx.session_ready);
}

static void test_rekey(void)
{
	struct pair p;

	pair_init(&p, NULL);
	pair_handshake(&p, T0);
	confirm(&p, T0);
	/* REKEY_AFTER_TIME, initiator only. */
	CHECK(seal_bytes(&p.ip, buf, 20, T0 + 120 * SEC - 1) > 0 && !p.ip.want_handshake);
	CHECK(seal_bytes(&p.ip, buf, 20, T0 + 120 * SEC) > 0 && p.ip.want_handshake);
	CHECK_EQ(proto_timers_due(&p.ip, T0 + 120 * SEC), PROTO_SEND_INITIATION);
	CHECK(seal_bytes(&p.rp, buf, 20, T0 + 120 * SEC) > 0 && !p.rp.want_handshake);
	/* REKEY_AFTER_MESSAGES, either side. */
	p.rp.current->send_counter = (UINT64_C(1) << 60) - 2;
	CHECK(seal_bytes(&p.rp, buf, 20, T0 + 1) > 0 && !p.rp.want_handshake);
	CHECK(seal_bytes(&p.rp, buf, 20, T0 + 1) > 0 && p.rp.want_handshake);
	pair_free(&p);

	/* Receiving on an initiator's session that nears REJECT_AFTER_TIME
	 * (180 - 10 - 5 = 165 s) also starts one. */
	pair_init(&p, NULL);
	pair_handshake(&p, T0);
	confirm(&p, T0);
	{
		struct proto_rx rx;
		size_t n = seal_bytes(&p.rp, buf, 0, T0 + 165 * SEC - 1);

		CHECK_EQ(proto_consume_data(&p.ih, buf, n, T0 + 165 * SEC - 1, &rx), DROP_NONE);
		CHECK(!p.ip.want_handshake);
		n = seal_bytes(&p.rp, buf, 0, T0 + 165 * SEC);
		CHECK_EQ(proto_consume_data(&p.ih, buf, n, T0 + 165 * SEC, &rx), DROP_NONE);
		CHECK(p.ip.want_handshake);
	}
	pair_free(&p);
}

static void test_reject_and_expiry(void)
{
	struct pair p;
	struct proto_rx rx;
	size_t n, old;
	struct keypair *kp;

	pair_init(&p, NULL);
	pair_handshake(&p, T0);
	confirm(&p, T0);
	(void)proto_timers_due(&p.ip, T0);
	kp = p.ip.current;
	CHECK(proto_can_send(&p.ip, T0 + 180 * SEC - 1));
	CHECK(!proto_can_send(&p.ip, T0 + 180 * SEC));
	old = seal_bytes(&p.ip, buf, 0, T0 + 180 * SEC - 1);
	CHECK_EQ(old, 32);
	CHECK_EQ(proto_seal(&p.ip, buf + 100, 0, 1420, T0 + 180 * SEC, &n), PROTO_SEAL_NO_SESSION);
	/* Received after its end: counted as such, not as an unknown index. */
	CHECK_EQ(proto_consume_data(&p.rh, buf, old, T0 + 180 * SEC, &rx), DROP_EXPIRED_SESSION);
	CHECK(rx.peer == &p.rp);
	CHECK_EQ(proto_next_deadline(&p.rp, T0), T0 + 180 * SEC);
	CHECK_EQ(proto_timers_due(&p.rp, T0 + 180 * SEC - 1), 0);
	CHECK_EQ(proto_timers_due(&p.rp, T0 + 180 * SEC), PROTO_EXPIRED);
	CHECK(!p.rp.current && !p.rp.previous && !p.rp.next && p.rh.indices.count == 0);
	CHECK(proto_timers_due(&p.ip, T0 + 180 * SEC) & PROTO_EXPIRED);
	CHECK(!p.ip.current && sodium_is_zero((const unsigned char *)kp, sizeof(*kp)));
	pair_free(&p);
}

static void test_passive_keepalive(void)
{
	struct pair p;
	struct proto_rx rx;
	size_t n;
	const uint64_t t1 = T0 + 3 * SEC;

	pair_init(&p, NULL);
	pair_handshake(&p, T0);
	confirm(&p, T0);		/* an empty packet arms nothing */
	CHECK(!p.rp.passive_armed);
	make_ipv4(buf + 16, 40);
	CHECK_EQ(proto_seal(&p.ip, buf, 40, 1420, t1, &n), PROTO_SEAL_OK);
	CHECK(proto_consume_data(&p.rh, buf, n, t1, &rx) == DROP_NONE && rx.len == 40);
	CHECK_EQ(proto_next_deadline(&p.rp, t1), t1 + 10 * SEC);
	CHECK_EQ(proto_timers_due(&p.rp, t1 + 10 * SEC - 1), 0);
	CHECK_EQ(proto_timers_due(&p.rp, t1 + 10 * SEC), PROTO_SEND_KEEPALIVE);
	CHECK_EQ(proto_timers_due(&p.rp, t1 + 10 * SEC), 0);
	/* Sending anything in between cancels it. */
	make_ipv4(buf + 16, 40);
	CHECK_EQ(proto_seal(&p.ip, buf, 40, 1420, t1, &n), PROTO_SEAL_OK);
	CHECK_EQ(proto_consume_data(&p.rh, buf, n, t1, &rx), DROP_NONE);
	CHECK_GT(seal_bytes(&p.rp, buf, 30, t1 + 1), 0);
	CHECK_EQ(proto_timers_due(&p.rp, t1 + 10 * SEC), 0);
	/* ...and that data, unanswered, wants a handshake 15 s later. */
	CHECK_EQ(proto_next_deadline(&p.rp, t1 + 1), t1 + 1 + 15 * SEC);
	pair_free(&p);
}

/* Data sent and nothing authenticated back for KEEPALIVE_TIMEOUT +
 * REKEY_TIMEOUT: the peer may have lost its state, handshake again. */
static void test_unanswered(void)
{
	struct pair p;
	struct proto_rx rx;
	size_t n;
	const uint64_t t1 = T0 + 3 * SEC, due = t1 + 15 * SEC;

	pair_init(&p, NULL);
	pair_handshake(&p, T0);
	confirm(&p, T0);
	(void)proto_timers_due(&p.ip, T0);
	/* Keepalives alone arm nothing. */
	CHECK(seal_bytes(&p.ip, buf, 0, t1) == 32 && !p.ip.unanswered_armed);
	CHECK_GT(seal_bytes(&p.ip, buf, 40, t1), 0);
	/* Later data does not push it back. */
	CHECK_GT(seal_bytes(&p.ip, buf, 40, t1 + 10 * SEC), 0);
	CHECK_EQ(proto_next_deadline(&p.ip, t1 + 10 * SEC), due);
	CHECK(proto_timers_due(&p.ip, due - 1) == 0 && !p.ip.want_handshake);
	CHECK_EQ(proto_timers_due(&p.ip, due), PROTO_SEND_INITIATION);
	CHECK(p.ip.want_handshake && !p.ip.unanswered_armed);
	pair_free(&p);

	/* Anything authenticated back (a keepalive too) disarms it. */
	pair_init(&p, NULL);
	pair_handshake(&p, T0);
	confirm(&p, T0);
	(void)proto_timers_due(&p.ip, T0);
	CHECK_GT(seal_bytes(&p.ip, buf, 40, t1), 0);
	n = seal_bytes(&p.rp, buf, 0, due - 1);
	CHECK(proto_consume_data(&p.ih, buf, n, due - 1, &rx) == DROP_NONE && rx.len == 0);
	CHECK(!p.ip.unanswered_armed);
	CHECK(proto_timers_due(&p.ip, due) == 0 && !p.ip.want_handshake);
	/* The responder's side of it: its data unanswered as well. */
	CHECK_GT(seal_bytes(&p.rp, buf, 40, due), 0);
	CHECK_EQ(proto_timers_due(&p.rp, due + 15 * SEC - 1), 0);
	CHECK_EQ(proto_timers_due(&p.rp, due + 15 * SEC), PROTO_SEND_INITIATION);
	pair_free(&p);

	/* A handshake response counts as an answer. */
	pair_init(&p, NULL);
	pair_handshake(&p, T0);
	confirm(&p, T0);
	CHECK(seal_bytes(&p.ip, buf, 40, t1) > 0 && p.ip.unanswered_armed);
	pair_handshake(&p, t1 + SEC);
	CHECK(!p.ip.unanswered_armed);
	pair_free(&p);
}

static void test_persistent_keepalive(void)
{
	struct pair p;

	pair_init(&p, NULL);
	p.ip.persistent_keepalive = 25 * SEC;
	/* Nothing sent yet, no session: at once, as a handshake. */
	CHECK_LE(proto_next_deadline(&p.ip, T0), T0);
	CHECK_EQ(proto_timers_due(&p.ip, T0), PROTO_SEND_INITIATION);
	initiate(&p.ip, T0, 0);
	/* While the attempt runs its own timers govern. */
	CHECK_EQ(proto_next_deadline(&p.ip, T0), T0 + 5 * SEC);
	pair_handshake(&p, T0 + SEC);
	CHECK_EQ(proto_timers_due(&p.ip, T0 + SEC), PROTO_SEND_KEEPALIVE);
	CHECK_EQ(seal_bytes(&p.ip, buf, 0, T0 + SEC), 32);
	CHECK_EQ(proto_next_deadline(&p.ip, T0 + SEC), T0 + 26 * SEC);
	CHECK_EQ(proto_timers_due(&p.ip, T0 + 26 * SEC - 1), 0);
	CHECK_EQ(proto_timers_due(&p.ip, T0 + 26 * SEC), PROTO_SEND_KEEPALIVE);
	CHECK_EQ(seal_bytes(&p.ip, buf, 0, T0 + 26 * SEC), 32);
	CHECK_EQ(proto_next_deadline(&p.ip, T0 + 26 * SEC), T0 + 51 * SEC);
	pair_free(&p);
}

static void test_overrides(void)
{
	struct proto_timers t;
	struct pair p;
	size_t n;

	timers_default(&t);
	CHECK_EQ(t.rekey_after_messages, UINT64_C(1) << 60);
	CHECK_EQ(t.reject_after_messages, UINT64_MAX - (UINT64_C(1) << 13));
	CHECK(t.rekey_after_time == 120 * SEC && t.reject_after_time == 180 * SEC);
	CHECK(t.rekey_attempt_time == 90 * SEC && t.rekey_timeout == 5 * SEC);
	CHECK(t.keepalive_timeout == 10 * SEC && t.rekey_jitter_max == SEC / 3);
	for (int i = 0; i < 100; i++) {
		tap_label("draw %d", i);
		CHECK_LE(timers_draw_jitter(&t), SEC / 3);
		if (tap_failed())
			break;
	}
	tap_unlabel();
	t.rekey_timeout = 1000;
	t.rekey_attempt_time = 3500;
	t.reject_after_time = 20000;
	pair_init(&p, &t);
	CHECK_EQ(proto_seal(&p.ip, buf, 0, 1420, 0, &n), PROTO_SEAL_NO_SESSION);
	CHECK_EQ(proto_timers_due(&p.ip, 0), PROTO_SEND_INITIATION);
	initiate(&p.ip, 0, 7);
	CHECK_EQ(proto_next_deadline(&p.ip, 0), 1007);
	CHECK_EQ(proto_timers_due(&p.ip, 3499), PROTO_SEND_INITIATION);
	CHECK_EQ(proto_timers_due(&p.ip, 3500), PROTO_GIVE_UP);
	pair_handshake(&p, 4000);
	CHECK(proto_can_send(&p.ip, 23999) && !proto_can_send(&p.ip, 24000));
	/* KEEPALIVE_TIMEOUT + REKEY_TIMEOUT as set. */
	p.ih.timers.keepalive_timeout = 2000;
	CHECK_GT(seal_bytes(&p.ip, buf, 40, 5000), 0);
	CHECK_EQ(proto_timers_due(&p.ip, 7999), 0);
	CHECK_EQ(proto_timers_due(&p.ip, 8000), PROTO_SEND_INITIATION);
	pair_free(&p);
}

int main(void)
{
	if (sodium_init() < 0)
		return 99;
	RUN(test_retry_and_give_up());
	RUN(test_after_handshake());
	RUN(test_rekey());
	RUN(test_reject_and_expiry());
	RUN(test_passive_keepalive());
	RUN(test_unanswered());
	RUN(test_persistent_keepalive());
	RUN(test_overrides());
	return tap_done();
}

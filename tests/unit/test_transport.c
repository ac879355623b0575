/* SPDX-License-Identifier: ISC */
/* Transport data (type 4): vectors, in-place seal/open, every drop reason. */
#include "config.h"

#include "proto_fixture.h"

#define BUF_LEN 1600

static void test_vectors(void)
{
	struct pair p;
	uint8_t buf[BUF_LEN], want[256];
	struct proto_rx rx;
	size_t n;

	pair_init(&p, NULL);
	pair_handshake(&p, 0);
	memset(buf, 0xee, sizeof(buf));
	memset(buf + KEYPAIR_HEADER_LEN, 0, 84);
	unhex(buf + KEYPAIR_HEADER_LEN, vec_inner_head);
	CHECK_EQ(proto_seal(&p.ip, buf, 84, 1420, 0, &n), PROTO_SEAL_OK);
	CHECK_EQ(n, unhex(want, vec_data));
	CHECK_MEM(buf, want, n);

	CHECK_EQ(proto_consume_data(&p.rh, buf, n, 0, &rx), DROP_NONE);
	CHECK(rx.peer == &p.rp && rx.session_ready && rx.len == 84);
	CHECK(rx.data == buf + KEYPAIR_HEADER_LEN && rx.inner.family == AF_INET);
	CHECK(rx.inner.src == rx.data + 12 && rx.inner.dst == rx.data + 16);
	unhex(want, vec_inner_head);
	CHECK_MEM(rx.data, want, 20);

	/* The responder, now confirmed, sends the keepalive with counter 7. */
	p.rp.current->send_counter = 7;
	CHECK_EQ(proto_seal(&p.rp, buf, 0, 1420, 0, &n), PROTO_SEAL_OK);
	CHECK_EQ(n, unhex(want, vec_keepalive));
	CHECK_MEM(buf, want, n);
	CHECK_EQ(proto_consume_data(&p.ih, buf, n, 0, &rx), DROP_NONE);
	CHECK(rx.peer == &p.ip && rx.len == 0 && !rx.session_ready);
	pair_free(&p);
}

static void test_padding(void)
{
	struct pair p;
	uint8_t buf[BUF_LEN];
	size_t n;

	pair_init(&p, NULL);
	pair_handshake(&p, 0);
	memset(buf, 0, sizeof(buf));
	CHECK(proto_seal(&p.ip, buf, 84, 1420, 0, &n) == PROTO_SEAL_OK && n == 16 + 96 + 16);
	CHECK(proto_seal(&p.ip, buf, 84, 90, 0, &n) == PROTO_SEAL_OK && n == 16 + 90 + 16);
	CHECK(proto_seal(&p.ip, buf, 1420, 1420, 0, &n) == PROTO_SEAL_OK && n == 16 + 1420 + 16);
	CHECK(proto_seal(&p.ip, buf, 1419, 1420, 0, &n) == PROTO_SEAL_OK && n == 16 + 1420 + 16);
	CHECK(proto_seal(&p.ip, buf, 1409, 1420, 0, &n) == PROTO_SEAL_OK && n == 16 + 1420 + 16);
	CHECK(proto_seal(&p.ip, buf, 1408, 1420, 0, &n) == PROTO_SEAL_OK && n == 16 + 1408 + 16);
	CHECK(proto_seal(&p.ip, buf, 1, 1420, 0, &n) == PROTO_SEAL_OK && n == 16 + 16 + 16);
	CHECK(proto_seal(&p.ip, buf, 0, 1420, 0, &n) == PROTO_SEAL_OK && n == 32);
	CHECK_EQ(p.ip.current->send_counter, 8);
	pair_free(&p);
}

static size_t vector_packet(uint8_t *buf)
{
	return unhex(buf, vec_data);
}

static void test_hostile(void)
{
	struct pair p;
	uint8_t buf[BUF_LEN], pkt[BUF_LEN];
	struct proto_rx rx;
	size_t len, n;
	int refused = 0, bits;

	pair_init(&p, NULL);
	pair_handshake(&p, 0);
	len = vector_packet(pkt);
	bits = (int)(8 * len);
	for (int bit = 0; bit < bits; bit++) {
		memcpy(buf, pkt, len);
		buf[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		refused += proto_consume_data(&p.rh, buf, len, 0, &rx) != DROP_NONE;
	}
	CHECK_EQ(refused, bits);
	/* Truncated anywhere, and too long. */
	refused = 0;
	for (size_t l = 0; l < len; l++) {
		memcpy(buf, pkt, len);
		refused += proto_consume_data(&p.rh, buf, l, 0, &rx) ==
			   (l < KEYPAIR_MIN_PACKET ? DROP_TOO_SHORT : DROP_BAD_TAG);
	}
	CHECK_EQ(refused, (int)len);
	memcpy(buf, pkt, len);
	buf[len] = 0;
	CHECK_EQ(proto_consume_data(&p.rh, buf, len + 1, 0, &rx), DROP_BAD_TAG);
	CHECK(rx.peer == &p.rp);
	CHECK(p.rp.next && !p.rp.current);	/* nothing confirmed by forgeries */

	/* Unknown index, and too short to hold one. */
	memcpy(buf, pkt, len);
	buf[4] ^= 0xff;
	CHECK(proto_consume_data(&p.rh, buf, len, 0, &rx) == DROP_UNKNOWN_INDEX && !rx.peer);
	CHECK_EQ(proto_consume_data(&p.rh, buf, 7, 0, &rx), DROP_TOO_SHORT);
	/* A response's receiver index is not a session index. */
	CHECK_EQ(proto_consume_data(&p.ih, buf, len, 0, &rx), DROP_UNKNOWN_INDEX);

	/* The real packet, then its replay. */
	memcpy(buf, pkt, len);
	CHECK_EQ(proto_consume_data(&p.rh, buf, len, 0, &rx), DROP_NONE);
	memcpy(buf, pkt, len);
	CHECK_EQ(proto_consume_data(&p.rh, buf, len, 0, &rx), DROP_REPLAY);

	/* Malformed inner packets that authenticate (counter 0 was the vector). */
	p.ip.current->send_counter = 1;
	memset(buf + KEYPAIR_HEADER_LEN, 0, 40);
	CHECK_EQ(proto_seal(&p.ip, buf, 40, 1420, 0, &n), PROTO_SEAL_OK);
	CHECK_EQ(proto_consume_data(&p.rh, buf, n, 0, &rx), DROP_MALFORMED_INNER);
	make_ipv4(buf + KEYPAIR_HEADER_LEN, 40);
	buf[KEYPAIR_HEADER_LEN + 3] = 41;	/* fits: the 40 bytes were padded to 48 */
	CHECK_EQ(proto_seal(&p.ip, buf, 40, 1420, 0, &n), PROTO_SEAL_OK);
	CHECK(proto_consume_data(&p.rh, buf, n, 0, &rx) == DROP_NONE && rx.len == 41);
	make_ipv4(buf + KEYPAIR_HEADER_LEN, 48);
	buf[KEYPAIR_HEADER_LEN + 3] = 49;
	CHECK_EQ(proto_seal(&p.ip, buf, 48, 1420, 0, &n), PROTO_SEAL_OK);
	CHECK_EQ(proto_consume_data(&p.rh, buf, n, 0, &rx), DROP_MALFORMED_INNER);
	pair_free(&p);
}

static void test_counter_limits(void)
{
	struct pair p;
	uint8_t buf[BUF_LEN], hdr[16];
	struct proto_rx rx;
	const uint64_t reject = UINT64_MAX - 8192;
	size_t n;

	pair_init(&p, NULL);
	CHECK_EQ(p.ih.timers.reject_after_messages, reject);
	pair_handshake(&p, 0);
	/* Send side: counters up to REJECT_AFTER_MESSAGES - 1, then none. */
	p.ip.current->send_counter = reject - 2;
	CHECK_EQ(seal_bytes(&p.ip, buf, 0, 0), 32);
	CHECK_EQ(proto_consume_data(&p.rh, buf, 32, 0, &rx), DROP_NONE);
	CHECK_EQ(seal_bytes(&p.ip, buf, 0, 0), 32);
	memcpy(hdr, buf, 16);
	CHECK(hdr[8] == 0xfe && hdr[9] == 0xdf);	/* LE64(2^64 - 8194) */
	CHECK_EQ(proto_consume_data(&p.rh, buf, 32, 0, &rx), DROP_NONE);
	CHECK(!proto_can_send(&p.ip, 0));
	CHECK_EQ(proto_seal(&p.ip, buf, 0, 1420, 0, &n), PROTO_SEAL_NO_SESSION);
	CHECK(p.ip.want_handshake);
	/* Receive side: a counter at the limit is refused before the tag. */
	memcpy(buf, hdr, 16);
	buf[8] = 0xff;	/* counter = reject */
	CHECK_EQ(proto_consume_data(&p.rh, buf, 32, 0, &rx), DROP_COUNTER_LIMIT);
	memset(buf + 8, 0xff, 8);
	CHECK_EQ(proto_consume_data(&p.rh, buf, 32, 0, &rx), DROP_COUNTER_LIMIT);
	pair_free(&p);
}

static void test_ippkt(void)
{
	uint8_t pkt[80];
	struct ippkt ip;

	make_ipv4(pkt, 60);
	CHECK(ippkt_parse(pkt, 64, &ip) == 0 && ip.len == 60 && ip.family == AF_INET);
	CHECK_EQ(ippkt_parse(pkt, 60, &ip), 0);
	CHECK_EQ(ippkt_parse(pkt, 59, &ip), -1);		/* length field > plaintext */
	CHECK_EQ(ippkt_parse(pkt, 19, &ip), -1);
	CHECK_EQ(ippkt_parse(pkt, 0, &ip), -1);
	pkt[0] = 0x44;					/* IHL 16 bytes */
	CHECK_EQ(ippkt_parse(pkt, 64, &ip), -1);
	pkt[0] = 0x4f;					/* IHL 60 bytes fits */
	CHECK_EQ(ippkt_parse(pkt, 64, &ip), 0);
	pkt[3] = 59;					/* total < header */
	CHECK_EQ(ippkt_parse(pkt, 64, &ip), -1);
	pkt[0] = 0x55;
	CHECK_EQ(ippkt_parse(pkt, 64, &ip), -1);

	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x60;
	pkt[5] = 8;
	pkt[8] = 0xfd;
	pkt[24] = 0xfe;
	CHECK(ippkt_parse(pkt, 64, &ip) == 0 && ip.len == 48 && ip.family == AF_INET6);
	CHECK(ip.src == pkt + 8 && ip.dst == pkt + 24);
	CHECK_EQ(ippkt_parse(pkt, 48, &ip), 0);
	CHECK_EQ(ippkt_parse(pkt, 47, &ip), -1);
	CHECK_EQ(ippkt_parse(pkt, 39, &ip), -1);
}

static void test_drop_names(void)
{
	for (int r = 0; r < DROP_REASON_COUNT; r++) {
		tap_label("reason %d", r);
		CHECK_NE(strcmp(drop_reason_name((enum drop_reason)r), "unknown"), 0);
		if (tap_failed())
			break;
	}
	tap_unlabel();
	CHECK_STR(drop_reason_name(DROP_BAD_TAG), "bad-tag");
	CHECK_STR(drop_reason_name(DROP_REASON_COUNT), "unknown");
}

int main(void)
{
	if (sodium_init() < 0)
		return 99;
	RUN(test_vectors());
	RUN(test_padding());
	RUN(test_hostile());
	RUN(test_counter_limits());
	RUN(test_ippkt());
	RUN(test_drop_names());
	return tap_done();
}

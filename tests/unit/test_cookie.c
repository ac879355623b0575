/* SPDX-License-Identifier: ISC */
/* Cookie replies and the per-address handshake rate limit. */
#include "config.h"

#include <arpa/inet.h>
#include <sodium.h>

#include "cookie.h"
#include "endpoint.h"
#include "hsgate.h"
#include "proto.h"
#include "ratelimit.h"
#include "tap.h"

#define SEC UINT64_C(1000000000)

static struct endpoint ep4(const char *addr, uint16_t port)
{
	struct endpoint ep = { 0 };

	ep.in4.sin_family = AF_INET;
	ep.in4.sin_port = htons(port);
	inet_pton(AF_INET, addr, &ep.in4.sin_addr);
	return ep;
}

static void test_cookie_reply(void)
{
	uint8_t priv[32], pub[32], msg[148], reply[COOKIE_REPLY_LEN], cookie[COOKIE_LEN];
	uint8_t expect[COOKIE_LEN], other[32];
	struct cookie_checker c;
	struct endpoint src = ep4("192.0.2.7", 4000);
	uint64_t now = 5 * SEC;

	randombytes_buf(priv, sizeof(priv));
	crypto_scalarmult_base(pub, priv);
	randombytes_buf(msg, sizeof(msg));
	CHECK_EQ(cookie_checker_init(&c, pub), 0);
	CHECK_EQ(cookie_reply_create(&c, msg, sizeof(msg), &src.sa, now, reply), 0);
	CHECK(reply[0] == 3 && !reply[1] && !reply[2] && !reply[3]);
	CHECK_MEM(reply + 4, msg + 4, 4);	/* answers the sender index */
	CHECK_EQ(cookie_reply_index(reply), (uint32_t)(msg[4] | msg[5] << 8 | msg[6] << 16 | (uint32_t)msg[7] << 24));
	/* The receiver opens it with our public key and its own mac1. */
	CHECK_EQ(cookie_reply_open(reply, sizeof(reply), pub, msg + 148 - 32, cookie), 0);
	CHECK_EQ(cookie_for(&c, &src.sa, now, expect), 0);
	CHECK_MEM(cookie, expect, COOKIE_LEN);
	/* Wrong length, wrong key, wrong mac1, any flipped bit: refused. */
	CHECK_LT(cookie_reply_open(reply, sizeof(reply) - 1, pub, msg + 116, cookie), 0);
	randombytes_buf(other, sizeof(other));
	CHECK_LT(cookie_reply_open(reply, sizeof(reply), other, msg + 116, cookie), 0);
	CHECK_LT(cookie_reply_open(reply, sizeof(reply), pub, msg, cookie), 0);
	for (size_t bit = 0; bit < sizeof(reply) * 8; bit++) {
		tap_label("bit %zu", bit);
		if (bit >= 32 && bit < 64)
			continue;	/* the index is not authenticated: it only routes */
		reply[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		CHECK_LT(cookie_reply_open(reply, sizeof(reply), pub, msg + 116, cookie), 0);
		reply[bit / 8] ^= (uint8_t)(1 << (bit % 8));
		if (tap_failed())
			break;
	}
	tap_unlabel();
	cookie_checker_wipe(&c);
}

static void test_cookie_binding(void)
{
	uint8_t pub[32] = { 9 }, a[COOKIE_LEN], b[COOKIE_LEN];
	struct cookie_checker c;
	struct endpoint src = ep4("192.0.2.7", 4000), port = ep4("192.0.2.7", 4001);
	struct endpoint addr = ep4("192.0.2.8", 4000);

	cookie_checker_init(&c, pub);
	cookie_for(&c, &src.sa, SEC, a);
	cookie_for(&c, &src.sa, 2 * SEC, b);
	CHECK_MEM(a, b, COOKIE_LEN);		/* stable within the secret's life */
	cookie_for(&c, &port.sa, 2 * SEC, b);
	CHECK(memcmp(a, b, COOKIE_LEN));	/* bound to the port */
	cookie_for(&c, &addr.sa, 2 * SEC, b);
	CHECK(memcmp(a, b, COOKIE_LEN));	/* and to the address */
	cookie_for(&c, &src.sa, SEC + COOKIE_SECRET_LIFETIME - 1, b);
	CHECK_MEM(a, b, COOKIE_LEN);
	cookie_for(&c, &src.sa, SEC + COOKIE_SECRET_LIFETIME, b);
	CHECK(memcmp(a, b, COOKIE_LEN));	/* a new secret every 120 s */
}

static void test_ratelimit(void)
{
	static struct ratelimit r;
	struct endpoint a = ep4("192.0.2.7", 1), a2 = ep4("192.0.2.7", 2), b = ep4("192.0.2.9", 1);
	uint64_t now = 10 * SEC;
	unsigned allowed = 0;

	ratelimit_init(&r);
	for (int i = 0; i < RATELIMIT_BURST; i++)
		CHECK(ratelimit_allow(&r, i % 2 ? &a.sa : &a2.sa, now));	/* ports share a bucket */
	CHECK(!ratelimit_allow(&r, &a.sa, now));
	CHECK(!ratelimit_allow(&r, &a2.sa, now));
	CHECK(ratelimit_allow(&r, &b.sa, now));			/* others unaffected */
	now += SEC / RATELIMIT_PER_SECOND;
	CHECK(ratelimit_allow(&r, &a.sa, now));			/* one interval, one token */
	CHECK(!ratelimit_allow(&r, &a.sa, now));
	/* Over ten seconds of flood, about the rate gets through. */
	for (uint64_t t = 0; t < 10 * SEC; t += SEC / 1000)
		allowed += ratelimit_allow(&r, &a.sa, now + t);
	CHECK(allowed >= 10 * RATELIMIT_PER_SECOND - 2 && allowed <= 10 * RATELIMIT_PER_SECOND + RATELIMIT_BURST);
	/* Many sources: the table stays bounded, and a source already known
	 * keeps its bucket. */
	for (unsigned i = 0; i < 100000; i++) {
		struct endpoint e = { 0 };

		e.in6.sin6_family = AF_INET6;
		randombytes_buf(&e.in6.sin6_addr, 16);
		ratelimit_allow(&r, &e.sa, now + 10 * SEC);
	}
	CHECK_EQ(sizeof(r.slots) / sizeof(r.slots[0]), RATELIMIT_SLOTS);
}

static struct endpoint ep6(const char *addr, uint16_t port)
{
	struct endpoint ep = { 0 };

	ep.in6.sin6_family = AF_INET6;
	ep.in6.sin6_port = htons(port);
	inet_pton(AF_INET6, addr, &ep.in6.sin6_addr);
	return ep;
}

/* IPv6 sources share a bucket per /64; v4-mapped ones are IPv4. */
static void test_ratelimit_prefix(void)
{
	static struct ratelimit r;
	struct endpoint a = ep6("2001:db8:1:2::1", 1), a2 = ep6("2001:db8:1:2:ffff::9", 7);
	struct endpoint b = ep6("2001:db8:1:3::1", 1);
	struct endpoint m = ep6("::ffff:192.0.2.7", 1), v4 = ep4("192.0.2.7", 2);
	uint64_t now = 10 * SEC;

	ratelimit_init(&r);
	for (int i = 0; i < RATELIMIT_BURST; i++)
		CHECK(ratelimit_allow(&r, i % 2 ? &a.sa : &a2.sa, now));
	CHECK(!ratelimit_allow(&r, &a2.sa, now));	/* same /64, another host */
	CHECK(ratelimit_allow(&r, &b.sa, now));		/* the next /64 is apart */
	for (int i = 0; i < RATELIMIT_BURST; i++)
		CHECK(ratelimit_allow(&r, &v4.sa, now));
	CHECK(!ratelimit_allow(&r, &m.sa, now));	/* mapped: the same IPv4 */
}

/* A message 1 for host with a valid mac1 (and mac2 when cookie). */
static void gate_msg(const struct proto_host *host, const uint8_t *cookie, uint8_t msg[148])
{
	uint8_t key[32], last[16];

	randombytes_buf(msg, 148);
	msg[0] = MSG_TYPE_INITIATION;
	msg[1] = msg[2] = msg[3] = 0;
	handshake_mac1_key(key, host->public_key);
	handshake_add_macs(msg, 148, key, cookie, last);
}

/* The gate's order: bad mac1 costs nothing (no load, no bucket); only
 * mac1-valid messages make the load; under load a missing mac2 gets a
 * cookie, and only cookie-proven messages meet the per-source limit. */
static void test_gate_order(void)
{
	static struct proto_host host;
	static struct hsgate g;
	struct endpoint src = ep4("192.0.2.7", 4000), other = ep4("192.0.2.9", 4000);
	struct hsgate_msg m;
	uint8_t priv[32], msg[148], cookie[COOKIE_LEN], c2[COOKIE_LEN];
	const uint8_t *need;
	uint64_t now = 10 * SEC;
	unsigned passed = 0, limited = 0;

	randombytes_buf(priv, sizeof(priv));
	CHECK_EQ(proto_host_init(&host, priv, NULL, 4, NULL, NULL), 0);
	CHECK_EQ(hsgate_init(&g, host.public_key), 0);
	m = (struct hsgate_msg){ msg, sizeof(msg), &src.sa };
	for (int i = 0; i < 1000; i++) {
		gate_msg(&host, NULL, msg);
		msg[148 - 32] ^= 1;
		CHECK_EQ(hsgate_check(&g, &host, &m, now, cookie, &need), DROP_HS_BAD_MAC1);
	}
	m.len = 100;
	CHECK_EQ(hsgate_check(&g, &host, &m, now, cookie, &need), DROP_HS_BAD_LENGTH);
	m.len = sizeof(msg);
	CHECK_EQ(g.load_count, 0);
	CHECK(!hsgate_under_load(&g, now));
	/* The same address gets through at once: no bucket was spent. */
	for (int i = 0; i < HSGATE_LOAD_THRESHOLD; i++) {
		gate_msg(&host, NULL, msg);
		CHECK_EQ(hsgate_check(&g, &host, &m, now, cookie, &need), DROP_NONE);
		CHECK(need == NULL);
	}
	/* Past the threshold: under load, a cookie is asked for. */
	gate_msg(&host, NULL, msg);
	CHECK_EQ(hsgate_check(&g, &host, &m, now, cookie, &need), DROP_HS_BAD_MAC2);
	CHECK(hsgate_under_load(&g, now));
	/* With the cookie of its address: the bucket applies. */
	CHECK_EQ(cookie_for(&g.cookies, &src.sa, now, c2), 0);
	for (int i = 0; i < 20; i++) {
		enum drop_reason why;

		gate_msg(&host, c2, msg);
		why = hsgate_check(&g, &host, &m, now, cookie, &need);
		passed += why == DROP_NONE && need == cookie;
		limited += why == DROP_HS_RATE_LIMITED;
	}
	CHECK_EQ(passed, RATELIMIT_BURST);
	CHECK_EQ(limited, 20 - RATELIMIT_BURST);
	/* Another source's cookie is no proof for this one. */
	CHECK_EQ(cookie_for(&g.cookies, &other.sa, now, c2), 0);
	gate_msg(&host, c2, msg);
	CHECK_EQ(hsgate_check(&g, &host, &m, now, cookie, &need), DROP_HS_BAD_MAC2);
	/* Load decays: two quiet seconds later, no mac2 needed again. */
	gate_msg(&host, NULL, msg);
	CHECK_EQ(hsgate_check(&g, &host, &m, now + 3 * SEC, cookie, &need), DROP_NONE);
	CHECK(need == NULL);
	hsgate_wipe(&g);
	proto_host_free(&host);
}

int main(void)
{
	if (sodium_init() < 0)
		return 99;
	RUN(test_cookie_reply());
	RUN(test_cookie_binding());
	RUN(test_ratelimit());
	RUN(test_ratelimit_prefix());
	RUN(test_gate_order());
	return tap_done();
}

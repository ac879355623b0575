/* Cookie replies and the per-address handshake rate limit. */
#include "config.h"

#include <arpa/inet.h>
#include <sodium.h>

#include "cookie.h"
#include "endpoint.h"
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

int main(void)
{
	if (sodium_init() < 0)
		return 99;
	RUN(test_cookie_reply());
	RUN(test_cookie_binding());
	RUN(test_ratelimit());
	return tap_done();
}

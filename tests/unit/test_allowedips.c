/* SPDX-License-Identifier: ISC */
/* allowedips: exact cases, then a randomized cross-check against a
 * brute-force longest-prefix match, then 10,000 peers. */
#include "config.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include "allowedips.h"
#include "tap.h"

static int peers[16];
#define P(i) ((void *)&peers[i])

static void *lk(struct allowedips *t, const char *ip)
{
	uint8_t a[16];
	int fam = strchr(ip, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(fam, ip, a) != 1)
		abort();
	return allowedips_lookup(t, fam, a);
}

static int ins(struct allowedips *t, const char *ip, int plen, void *v)
{
	uint8_t a[16];
	int fam = strchr(ip, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(fam, ip, a) != 1)
		abort();
	return allowedips_insert(t, fam, a, (uint8_t)plen, v);
}

static int rm(struct allowedips *t, const char *ip, int plen)
{
	uint8_t a[16];
	int fam = strchr(ip, ':') ? AF_INET6 : AF_INET;

	if (inet_pton(fam, ip, a) != 1)
		abort();
	return allowedips_remove(t, fam, a, (uint8_t)plen);
}

static void test_v4(void)
{
	struct allowedips t;

	allowedips_init(&t);
	CHECK_EQ(lk(&t, "10.0.0.1"), NULL);
	CHECK_EQ(ins(&t, "10.77.0.0", 16, P(1)), 0);
	CHECK_EQ(ins(&t, "10.77.1.0", 24, P(2)), 0);
	CHECK_EQ(ins(&t, "10.77.1.5", 32, P(3)), 0);
	CHECK_EQ(ins(&t, "10.77.1.128", 25, P(4)), 0);
	CHECK_EQ(lk(&t, "10.77.1.5"), P(3));
	CHECK_EQ(lk(&t, "10.77.1.6"), P(2));
	CHECK_EQ(lk(&t, "10.77.1.200"), P(4));
	CHECK_EQ(lk(&t, "10.77.2.1"), P(1));
	CHECK_EQ(lk(&t, "10.78.0.1"), NULL);
	CHECK_EQ(lk(&t, "0.0.0.0"), NULL);
	/* /0 catches everything else, v4 only */
	CHECK_EQ(ins(&t, "0.0.0.0", 0, P(5)), 0);
	CHECK_EQ(lk(&t, "10.78.0.1"), P(5));
	CHECK_EQ(lk(&t, "255.255.255.255"), P(5));
	CHECK_EQ(lk(&t, "10.77.1.5"), P(3));
	CHECK_EQ(lk(&t, "fd77::1"), NULL);
	/* replace keeps one entry */
	CHECK_EQ(ins(&t, "10.77.1.0", 24, P(6)), 0);
	CHECK_EQ(lk(&t, "10.77.1.6"), P(6));
	/* host bits are masked on insert and remove */
	CHECK_EQ(ins(&t, "192.0.2.77", 24, P(7)), 0);
	CHECK_EQ(lk(&t, "192.0.2.1"), P(7));
	CHECK_EQ(lk(&t, "192.0.3.1"), P(5));
	CHECK_EQ(rm(&t, "192.0.2.200", 24), 0);
	CHECK_EQ(lk(&t, "192.0.2.1"), P(5));
	/* remove: exact prefix only */
	CHECK_EQ(rm(&t, "10.77.1.0", 25), -1);
	CHECK_EQ(rm(&t, "10.77.1.5", 32), 0);
	CHECK_EQ(rm(&t, "10.77.1.5", 32), -1);
	CHECK_EQ(lk(&t, "10.77.1.5"), P(6));
	CHECK_EQ(rm(&t, "10.77.0.0", 16), 0);
	CHECK_EQ(lk(&t, "10.77.2.1"), P(5));
	CHECK_EQ(lk(&t, "10.77.1.200"), P(4));
	CHECK_EQ(rm(&t, "0.0.0.0", 0), 0);
	CHECK_EQ(lk(&t, "10.77.2.1"), NULL);
	/* bad input */
	CHECK_EQ(ins(&t, "10.0.0.0", 33, P(1)), -1);
	CHECK_EQ(ins(&t, "10.0.0.0", 8, NULL), -1);
	CHECK_EQ(allowedips_insert(&t, AF_UNIX, (const uint8_t *)"abcd", 8, P(1)), -1);
	CHECK_EQ(allowedips_lookup(&t, AF_UNIX, (const uint8_t *)"abcd"), NULL);
	allowedips_free(&t);
	CHECK(t.root4 == NULL && t.root6 == NULL);
}

static void test_v6(void)
{
	struct allowedips t;

	allowedips_init(&t);
	CHECK_EQ(ins(&t, "fd77::", 64, P(1)), 0);
	CHECK_EQ(ins(&t, "fd77::2", 128, P(2)), 0);
	CHECK_EQ(ins(&t, "fd77::ffff:0:0", 96, P(3)), 0);
	CHECK_EQ(ins(&t, "2001:db8::", 32, P(4)), 0);
	CHECK_EQ(lk(&t, "fd77::2"), P(2));
	CHECK_EQ(lk(&t, "fd77::3"), P(1));
	CHECK_EQ(lk(&t, "fd77::ffff:1:2"), P(3));
	CHECK_EQ(lk(&t, "fd77:0:0:1::2"), NULL);
	CHECK_EQ(lk(&t, "2001:db8:ffff::1"), P(4));
	CHECK_EQ(lk(&t, "10.77.0.2"), NULL);
	CHECK_EQ(ins(&t, "::", 0, P(5)), 0);
	CHECK_EQ(lk(&t, "fd77:0:0:1::2"), P(5));
	CHECK_EQ(lk(&t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), P(5));
	CHECK_EQ(ins(&t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", 128, P(6)), 0);
	CHECK_EQ(lk(&t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), P(6));
	CHECK_EQ(lk(&t, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe"), P(5));
	CHECK_EQ(ins(&t, "fd77::1234", 64, P(7)), 0);	/* replace, masked */
	CHECK_EQ(lk(&t, "fd77::3"), P(7));
	CHECK_EQ(ins(&t, "fd77::", 129, P(1)), -1);
	CHECK_EQ(rm(&t, "fd77::", 63), -1);
	CHECK_EQ(rm(&t, "fd77::", 64), 0);
	CHECK_EQ(lk(&t, "fd77::3"), P(5));
	CHECK_EQ(lk(&t, "fd77::2"), P(2));
	allowedips_free(&t);
}

struct walked {
	int n;
	char s[8][64];
};

static int walk_cb(int family, const uint8_t *addr, uint8_t plen, void *ctx)
{
	struct walked *w = ctx;
	char a[INET6_ADDRSTRLEN];

	inet_ntop(family, addr, a, sizeof(a));
	if (w->n < 8)
		snprintf(w->s[w->n], sizeof(w->s[0]), "%s/%u", a, plen);
	w->n++;
	return 0;
}

static int stop_cb(int family, const uint8_t *addr, uint8_t plen, void *ctx)
{
	(void)family; (void)addr; (void)plen;
	++*(int *)ctx;
	return 1;
}

static void test_by_value(void)
{
	struct allowedips t;
	struct walked w = { 0 };
	int stops = 0;

	allowedips_init(&t);
	CHECK_EQ(ins(&t, "10.77.0.2", 32, P(1)), 0);
	CHECK_EQ(ins(&t, "198.51.100.9", 24, P(1)), 0);
	CHECK_EQ(ins(&t, "fd77::2", 128, P(1)), 0);
	CHECK_EQ(ins(&t, "10.77.0.0", 16, P(2)), 0);
	CHECK_EQ(ins(&t, "10.77.0.3", 32, P(3)), 0);
	CHECK_EQ(ins(&t, "fd77::", 64, P(2)), 0);
	CHECK_EQ(allowedips_walk(&t, P(1), walk_cb, &w), 3);
	CHECK_EQ(w.n, 3);
	CHECK_STR(w.s[0], "10.77.0.2/32");
	CHECK_STR(w.s[1], "198.51.100.0/24");
	CHECK_STR(w.s[2], "fd77::2/128");
	CHECK(allowedips_walk(&t, P(1), stop_cb, &stops) == 1 && stops == 1);
	CHECK_EQ(allowedips_walk(&t, P(9), walk_cb, &w), 0);
	CHECK_EQ(allowedips_remove_by_value(&t, P(1)), 3);
	CHECK_EQ(allowedips_remove_by_value(&t, P(1)), 0);
	CHECK_EQ(lk(&t, "10.77.0.2"), P(2));
	CHECK_EQ(lk(&t, "10.77.0.3"), P(3));
	CHECK_EQ(lk(&t, "198.51.100.9"), NULL);
	CHECK_EQ(lk(&t, "fd77::2"), P(2));
	CHECK_EQ(allowedips_remove_by_value(&t, P(2)), 2);
	CHECK_EQ(lk(&t, "10.77.0.2"), NULL);
	CHECK_EQ(lk(&t, "10.77.0.3"), P(3));
	CHECK_EQ(t.root6, NULL);
	CHECK_EQ(allowedips_remove_by_value(&t, P(3)), 1);
	CHECK_EQ(t.root4, NULL);
	allowedips_free(&t);
}

/* Brute force reference: a flat list, replace on identical prefix. */
#define REF_MAX 6000
struct ref {
	uint8_t addr[16];
	uint8_t plen;
	void *value;
};
static struct ref ref[REF_MAX];
static int nref;

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 16);
}

static bool match(const uint8_t *a, const uint8_t *p, unsigned plen)
{
	for (unsigned i = 0; i < plen; i++) {
		unsigned b = 7 - i % 8;

		if (((a[i / 8] >> b) & 1) != ((p[i / 8] >> b) & 1))
			return false;
	}
	return true;
}

static int ref_find(const uint8_t *a, unsigned plen)
{
	for (int i = 0; i < nref; i++)
		if (ref[i].plen == plen && match(a, ref[i].addr, plen))
			return i;
	return -1;
}

static void *ref_lookup(const uint8_t *a)
{
	int best = -1;

	for (int i = 0; i < nref; i++)
		if (match(a, ref[i].addr, ref[i].plen) &&
		    (best < 0 || ref[i].plen > ref[best].plen))
			best = i;
	return best < 0 ? NULL : ref[best].value;
}

/* Addresses near a few bases, so prefixes nest and share long paths. */
static void rand_addr(uint8_t *a, int len)
{
	static const uint8_t base[3][16] = {
		{ 10, 77 }, { 0xfd, 0x77 }, { 198, 51, 100 },
	};
	int b = (int)(rnd() % 4);

	for (int i = 0; i < len; i++)
		a[i] = (uint8_t)rnd();
	if (b < 3) {
		int keep = (int)(rnd() % (unsigned)len);
		memcpy(a, base[b], (size_t)keep);
	}
}

static void cross_check(int family)
{
	int len = family == AF_INET ? 4 : 16, bits = len * 8;
	int mismatches = 0, rm_ok = 0;
	struct allowedips t;
	uint8_t a[16] = { 0 };

	allowedips_init(&t);
	nref = 0;
	for (int i = 0; i < 4000; i++) {
		unsigned plen = rnd() % (unsigned)(bits + 1);
		void *v = P(rnd() % 16);
		int k;

		rand_addr(a, len);
		if (allowedips_insert(&t, family, a, (uint8_t)plen, v))
			mismatches++;
		k = ref_find(a, plen);
		if (k < 0) {
			k = nref++;
			memcpy(ref[k].addr, a, 16);
			ref[k].plen = (uint8_t)plen;
		}
		ref[k].value = v;
	}
	/* remove a random fifth, both in the trie and the reference */
	for (int i = 0; i < 800; i++) {
		int k = (int)(rnd() % (unsigned)nref);

		if (allowedips_remove(&t, family, ref[k].addr, ref[k].plen) == 0)
			rm_ok++;
		ref[k] = ref[--nref];
	}
	for (int i = 0; i < 20000; i++) {
		if (i % 2) {
			rand_addr(a, len);
		} else {	/* inside or near a known prefix: deep matches */
			memcpy(a, ref[rnd() % (unsigned)nref].addr, 16);
			a[len - 1] ^= (uint8_t)(rnd() & 3);
		}
		if (allowedips_lookup(&t, family, a) != ref_lookup(a))
			mismatches++;
	}
	CHECK_EQ(rm_ok, 800);
	CHECK_EQ(mismatches, 0);
	if (mismatches)
		fprintf(stderr, "family %d: %d mismatches\n", family, mismatches);
	/* removing everything by value leaves an empty trie */
	for (int v = 0; v < 16; v++)
		allowedips_remove_by_value(&t, P(v));
	CHECK(t.root4 == NULL && t.root6 == NULL);
	allowedips_free(&t);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 10,000 peers, each a /32 in 10.77.0.0/16+ and a /128 in fd77::/64. */
static void many_peers(void)
{
	static int many[10000];
	struct allowedips t;
	int fails = 0, wrong = 0;
	double t0 = now(), dt;

	allowedips_init(&t);
	for (int i = 0; i < 10000; i++) {
		uint8_t a4[4] = { 10, (uint8_t)(77 + i / 65536), (uint8_t)(i >> 8), (uint8_t)i };
		uint8_t a6[16] = { 0xfd, 0x77 };

		a6[14] = (uint8_t)(i >> 8);
		a6[15] = (uint8_t)i;
		fails += allowedips_insert(&t, AF_INET, a4, 32, &many[i]) != 0;
		fails += allowedips_insert(&t, AF_INET6, a6, 128, &many[i]) != 0;
	}
	dt = now() - t0;
	for (int i = 0; i < 10000; i++) {
		uint8_t a6[16] = { 0xfd, 0x77 };

		a6[14] = (uint8_t)(i >> 8);
		a6[15] = (uint8_t)i;
		wrong += allowedips_lookup(&t, AF_INET6, a6) != &many[i];
	}
	CHECK_EQ(fails, 0);
	CHECK_EQ(wrong, 0);
	printf("10000 peers (20000 prefixes) inserted in %.1f ms\n", dt * 1e3);
	CHECK_LT(dt, 1.0);	/* about a millisecond normally; generous for sanitizers */
	allowedips_free(&t);
}

int main(void)
{
	RUN(test_v4());
	RUN(test_v6());
	RUN(test_by_value());
	RUN(cross_check(AF_INET));
	RUN(cross_check(AF_INET6));
	RUN(many_peers());
	return tap_done();
}

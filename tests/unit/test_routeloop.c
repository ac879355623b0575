/* SPDX-License-Identifier: ISC */
/* The routing-loop check against the kernel's real routing table: the
 * loopback address is routed through lo, so "is 127.0.0.1 routed through
 * lo" is a loop and through any other device is not; the answer is kept
 * until the endpoint, the route generation (at once, then not sooner than
 * ROUTELOOP_MIN_NS) or the time says otherwise (a kept answer never
 * touches the netlink socket). */
#include "config.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <string.h>

#include "ippkt.h"
#include "netlink.h"
#include "routeloop.h"
#include "tap.h"

#define SEC 1000000000ull
/* Where the tun is, and the route generation, for one check. */
#define LINK(nl, ifindex, gen) (&(struct routeloop_link){ (nl), (ifindex), (gen), NULL })

static struct endpoint v4(const char *a)
{
	struct endpoint ep;

	memset(&ep, 0, sizeof(ep));
	ep.in4.sin_family = AF_INET;
	ep.in4.sin_port = htons(51820);
	inet_pton(AF_INET, a, &ep.in4.sin_addr);
	return ep;
}

static void test_kernel_routes(struct nl *nlp)
{
	struct nl none = { 0 };
	struct routeloop r = { 0 };
	struct endpoint lo_ep = v4("127.0.0.1"), other = v4("127.0.0.2");
	int lo = (int)if_nametoindex("lo");
	bool changed;
	uint64_t t = 10 * SEC;

	CHECK_GT(lo, 0);
	CHECK_EQ(nl_route_get_oif(nlp, AF_INET, (const uint8_t *)&lo_ep.in4.sin_addr, 0), lo);
	CHECK(routeloop_check(&r, LINK(nlp, lo, 0), &lo_ep, t, &changed) && changed);
	/* Kept: the socket is not used (an unopened one would crash). */
	CHECK(routeloop_check(&r, LINK(&none, lo, 0), &lo_ep, t + SEC, &changed) && !changed);
	/* Asked again: another endpoint, new routes, or time. */
	CHECK(routeloop_check(&r, LINK(nlp, lo, 0), &other, t + SEC, &changed) && !changed);
	/* New routes: asked at once, however soon after the last look (a
	 * loop just made must not run)... */
	CHECK(!routeloop_check(&r, LINK(nlp, lo + 1000, 1), &other, t + SEC + 1, &changed) && changed);
	/* ...but more new routes soon after wait ROUTELOOP_MIN_NS. */
	CHECK(!routeloop_check(&r, LINK(&none, lo, 2), &other, t + SEC + 2, &changed) && !changed);
	CHECK(routeloop_check(&r, LINK(nlp, lo, 2), &other, t + SEC + 1 + ROUTELOOP_MIN_NS, &changed) &&
	      changed);
	CHECK(routeloop_check(&r, LINK(&none, lo + 1000, 2), &other, t + 2 * SEC, &changed) && !changed);
	CHECK(!routeloop_check(&r, LINK(nlp, lo + 1000, 2), &other,
			       t + SEC + 1 + ROUTELOOP_MIN_NS + ROUTELOOP_RECHECK_NS, &changed) && changed);
	/* No device known yet: never a loop. */
	memset(&r, 0, sizeof(r));
	CHECK(!routeloop_check(&r, LINK(nlp, 0, 0), &lo_ep, t, &changed) && !changed);
}

/* An IPv4 (or IPv6) UDP packet whose payload starts with msg[0..3]. */
static size_t udp_pkt(uint8_t *pkt, int v6, const uint8_t msg[4], size_t paylen)
{
	size_t hdr = v6 ? 40 : 20;

	memset(pkt, 0, hdr + 8 + paylen);
	if (v6) {
		pkt[0] = 0x60;
		pkt[6] = 17;
	} else {
		pkt[0] = 0x45;
		pkt[9] = 17;
	}
	memcpy(pkt + hdr + 8, msg, paylen < 4 ? paylen : 4);
	return hdr + 8 + paylen;
}

static void test_tunnel_datagram(void)
{
	static const uint8_t data[4] = { 4, 0, 0, 0 }, init[4] = { 1, 0, 0, 0 };
	static const uint8_t five[4] = { 5, 0, 0, 0 }, zero[4] = { 0 }, res[4] = { 4, 0, 1, 0 };
	uint8_t pkt[200];
	size_t n;

	CHECK(ippkt_is_tunnel_datagram(pkt, udp_pkt(pkt, 0, data, 32)));
	CHECK(ippkt_is_tunnel_datagram(pkt, udp_pkt(pkt, 1, init, 148)));
	CHECK(!ippkt_is_tunnel_datagram(pkt, udp_pkt(pkt, 0, five, 32)));
	CHECK(!ippkt_is_tunnel_datagram(pkt, udp_pkt(pkt, 0, zero, 32)));
	CHECK(!ippkt_is_tunnel_datagram(pkt, udp_pkt(pkt, 0, res, 32)));
	CHECK(!ippkt_is_tunnel_datagram(pkt, udp_pkt(pkt, 0, data, 3)));	/* payload cut */
	n = udp_pkt(pkt, 0, data, 32);
	CHECK(!ippkt_is_tunnel_datagram(pkt, 27));	/* UDP header cut */
	pkt[6] = 0x20;					/* MF: a first fragment */
	CHECK(ippkt_is_tunnel_datagram(pkt, n));
	pkt[7] = 1;					/* offset 8: a later one */
	CHECK(!ippkt_is_tunnel_datagram(pkt, n));
	n = udp_pkt(pkt, 0, data, 32);
	pkt[9] = 6;					/* TCP */
	CHECK(!ippkt_is_tunnel_datagram(pkt, n));
	n = udp_pkt(pkt, 0, data, 32);
	pkt[0] = 0x44;					/* IHL 16 bytes */
	CHECK(!ippkt_is_tunnel_datagram(pkt, n));
	pkt[0] = 0x46;					/* options: the payload moves */
	CHECK(!ippkt_is_tunnel_datagram(pkt, n));
	n = udp_pkt(pkt, 1, data, 32);
	pkt[6] = 44;					/* IPv6 fragment header */
	CHECK(!ippkt_is_tunnel_datagram(pkt, n));
	CHECK(!ippkt_is_tunnel_datagram(pkt, 0));
}

/* The two-tunnel guard decides on the kept answer: another tun, and a
 * sealed datagram (header, padding to 16, tag, IP and UDP header) over
 * its MTU. */
static void test_nested(void)
{
	static const uint8_t data[4] = { 4, 0, 0, 0 }, ping[4] = { 8, 0, 0, 0 };
	struct routeloop r = { .valid = true, .other_tun_mtu = 187 };
	uint8_t pkt[200];
	size_t n = udp_pkt(pkt, 0, data, 100), outer = 0;	/* 128 bytes */

	r.ep.sa.sa_family = AF_INET;
	CHECK(routeloop_nested(&r, pkt, n, 1420, &outer));
	CHECK_EQ(outer, (size_t)(16 + 128 + 16 + 20 + 8));
	r.other_tun_mtu = 188;
	CHECK(!routeloop_nested(&r, pkt, n, 1420, &outer));	/* fits: nested tunnels */
	r.ep.sa.sa_family = AF_INET6;				/* a 40-byte IP header */
	CHECK(routeloop_nested(&r, pkt, n, 1420, &outer) && outer == 208);
	r.ep.sa.sa_family = AF_INET;
	r.other_tun_mtu = 100;
	n = udp_pkt(pkt, 0, ping, 100);
	CHECK(!routeloop_nested(&r, pkt, n, 1420, &outer));	/* not a tunnel's packet */
	n = udp_pkt(pkt, 0, data, 100);
	r.other_tun_mtu = 0;					/* routed out of a real link */
	CHECK(!routeloop_nested(&r, pkt, n, 1420, &outer));
	r.other_tun_mtu = 100;
	r.valid = false;
	CHECK(!routeloop_nested(&r, pkt, n, 1420, &outer));
}

int main(void)
{
	struct nl nl = { 0 };

	if (nl_open(&nl) < 0)
		return 99;
	RUN(test_kernel_routes(&nl));
	RUN(test_tunnel_datagram());
	RUN(test_nested());
	nl_close(&nl);
	return tap_done();
}

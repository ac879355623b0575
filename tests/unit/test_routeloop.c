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

int main(void)
{
	struct nl nl = { 0 };

	if (nl_open(&nl) < 0)
		return 99;
	RUN(test_kernel_routes(&nl));
	nl_close(&nl);
	return tap_done();
}

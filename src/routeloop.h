/* SPDX-License-Identifier: ISC */
/* Routing loops: a peer's endpoint routed into our own tun (a route to
 * it through the tunnel, or the endpoint inside the peer's own
 * allowed-ips). A sealed packet sent there comes back out of the tun to be
 * sealed again, for ever; WireGuard refuses to send along such a route,
 * and so does ovpn. The answer is kept per peer and asked of the kernel
 * again only when the endpoint changes, when routes changed (a route
 * monitor bumps the generation; at once, then ROUTELOOP_MIN_NS after the
 * last look so caused at the soonest), or ROUTELOOP_RECHECK_NS after the last look (IPv4 drops
 * routes with a device without saying so). */
#ifndef OVPN_ROUTELOOP_H
#define OVPN_ROUTELOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netlink.h"
#include "endpoint.h"

#define ROUTELOOP_RECHECK_NS (5 * UINT64_C(1000000000))
/* Route changes force a new look at once, then at most this often per
 * peer: a router taking thousands of route updates a second must not make
 * every packet a netlink round trip, and a loop a route change just made
 * must not run until the next look (sealed packets looping through our
 * own tun are fragmented and multiply). */
#define ROUTELOOP_MIN_NS (UINT64_C(100000000))

/* Where our tun is: the netlink socket route lookups go through, the
 * tun's index (0 before it is up), a count of route changes seen, and the
 * mark the sealed packets carry (a full tunnel routes unmarked packets
 * into the tun: only the marked route tells). */
struct routeloop_link {
	struct nl *nl;
	int ifindex;
	unsigned generation;
	const uint32_t *mark;	/* the sockets' fwmark (NULL or 0: none), asked with */
};

struct routeloop {
	struct endpoint ep;	/* what was checked */
	uint64_t checked_at;	/* ns, CLOCK_BOOTTIME (timerq_now) */
	unsigned generation;	/* of the routes then */
	uint64_t forced_at;	/* the latest look a route change asked for */
	bool forced;		/* there was one: the next waits ROUTELOOP_MIN_NS */
	bool valid;
	bool loops;
	/* The route's device is another tun (0: not): its MTU and name, for
	 * the guard against loops between two tunnels (routeloop_nested). */
	unsigned other_tun_mtu;
	char other_tun[16];
	bool nested_logged;	/* that guard's drop was logged for this answer */
};

/* Is ep routed through link's tun? Asks the kernel (link->nl) only when
 * the kept answer is stale. *changed: the answer differs from the one kept (the
 * caller logs the change once). No route at all is no loop: the send
 * fails and is counted as such. */
bool routeloop_check(struct routeloop *r, const struct routeloop_link *link,
		     const struct endpoint *ep, uint64_t now, bool *changed);

/* Two tunnels routed into each other on one host (A's endpoint through B's
 * tun, B's through A's) never show either its own tun in the route: each
 * sealed packet comes back out of the other tun as an inner packet, one
 * tunnel overhead longer each time round, and once fragmented it
 * multiplies. Neither daemon can tell that loop from one tunnel nested in
 * another, but only a loop needs fragmenting there for ever: so a tunnel
 * datagram (a WireGuard/ovpn message in UDP, the first fragment at most)
 * of len bytes from our tun whose sealed datagram (with the tunnel's mtu;
 * *outer: its bytes with the IP and UDP header) would not fit the
 * other tun its endpoint is routed into is refused (the caller counts
 * routing-loop) rather than fragmented. A loop then ends after at most
 * MTU / overhead rounds; nested tunnels need each inner MTU at least one
 * overhead below the outer, which they need anyway to run without
 * fragments. Uses the answer routeloop_check keeps. */
bool routeloop_nested(const struct routeloop *r, const uint8_t *pkt, size_t len, size_t mtu,
		      size_t *outer);

#endif

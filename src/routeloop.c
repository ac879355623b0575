/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <string.h>

#include "ippkt.h"
#include "keypair.h"
#include "routeloop.h"

static bool stale(const struct routeloop *r, const struct endpoint *ep,
		  unsigned generation, uint64_t now)
{
	if (!r->valid || !endpoint_eq(&r->ep, ep) || now - r->checked_at >= ROUTELOOP_RECHECK_NS)
		return true;
	if (r->generation == generation)
		return false;
	return !r->forced || now - r->forced_at >= ROUTELOOP_MIN_NS;
}

static int lookup(const struct routeloop_link *link, const struct endpoint *ep)
{
	uint32_t mark = link->mark ? *link->mark : 0;

	if (ep->sa.sa_family == AF_INET)
		return nl_route_get_oif(link->nl, AF_INET, (const uint8_t *)&ep->in4.sin_addr, mark);
	if (ep->sa.sa_family == AF_INET6)
		return nl_route_get_oif(link->nl, AF_INET6, ep->in6.sin6_addr.s6_addr, mark);
	return 0;
}

/* Is the route's device (oif > 0) another tun? Its MTU is kept, or 0. */
static void note_other_tun(struct routeloop *r, const struct routeloop_link *link, int oif)
{
	struct nl_link l;
	unsigned was = r->other_tun_mtu;

	r->other_tun_mtu = 0;
	if (oif > 0 && nl_link_get(link->nl, oif, &l) == 0 && l.tun && l.mtu) {
		r->other_tun_mtu = l.mtu;
		memcpy(r->other_tun, l.name, sizeof(r->other_tun));
	}
	if (r->other_tun_mtu != was)
		r->nested_logged = false;
}

bool routeloop_check(struct routeloop *r, const struct routeloop_link *link,
		     const struct endpoint *ep, uint64_t now, bool *changed)
{
	bool loops;
	int oif;

	*changed = false;
	if (!stale(r, ep, link->generation, now))
		return r->loops;
	if (r->valid && r->generation != link->generation && endpoint_eq(&r->ep, ep)) {
		r->forced = true;	/* asked for by the route change */
		r->forced_at = now;
	}
	oif = lookup(link, ep);
	loops = link->ifindex > 0 && oif == link->ifindex;
	note_other_tun(r, link, loops ? 0 : oif);
	*changed = r->valid ? loops != r->loops : loops;
	endpoint_copy(&r->ep, ep);
	r->checked_at = now;
	r->generation = link->generation;
	r->valid = true;
	r->loops = loops;
	return loops;
}

/* The datagram keypair_seal makes of len bytes, with its IP and UDP header. */
static size_t outer_len(const struct routeloop *r, size_t len, size_t mtu)
{
	size_t ip = r->ep.sa.sa_family == AF_INET6 ? 40 : 20;

	return keypair_sealed_len(len, mtu) + ip + 8;
}

bool routeloop_nested(const struct routeloop *r, const uint8_t *pkt, size_t len, size_t mtu,
		      size_t *outer)
{
	if (!r->valid || !r->other_tun_mtu)	/* the usual case: nothing more to do */
		return false;
	*outer = outer_len(r, len, mtu);
	return *outer > r->other_tun_mtu && ippkt_is_tunnel_datagram(pkt, len);
}

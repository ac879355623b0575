/* SPDX-License-Identifier: ISC */
#include "config.h"

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

bool routeloop_check(struct routeloop *r, const struct routeloop_link *link,
		     const struct endpoint *ep, uint64_t now, bool *changed)
{
	bool loops;

	*changed = false;
	if (!stale(r, ep, link->generation, now))
		return r->loops;
	if (r->valid && r->generation != link->generation && endpoint_eq(&r->ep, ep)) {
		r->forced = true;	/* asked for by the route change */
		r->forced_at = now;
	}
	loops = link->ifindex > 0 && lookup(link, ep) == link->ifindex;
	*changed = r->valid ? loops != r->loops : loops;
	endpoint_copy(&r->ep, ep);
	r->checked_at = now;
	r->generation = link->generation;
	r->valid = true;
	r->loops = loops;
	return loops;
}

#include "config.h"

#include "routeloop.h"

static bool stale(const struct routeloop *r, const struct endpoint *ep,
		  unsigned generation, uint64_t now)
{
	uint64_t age = now - r->checked_at;

	return !r->valid || !endpoint_eq(&r->ep, ep) || age >= ROUTELOOP_RECHECK_NS ||
	       (r->generation != generation && age >= ROUTELOOP_MIN_NS);
}

static int lookup(struct nl *nl, const struct endpoint *ep)
{
	if (ep->sa.sa_family == AF_INET)
		return nl_route_get_oif(nl, AF_INET, (const uint8_t *)&ep->in4.sin_addr);
	if (ep->sa.sa_family == AF_INET6)
		return nl_route_get_oif(nl, AF_INET6, ep->in6.sin6_addr.s6_addr);
	return 0;
}

bool routeloop_check(struct routeloop *r, const struct routeloop_link *link,
		     const struct endpoint *ep, uint64_t now, bool *changed)
{
	bool loops;

	*changed = false;
	if (!stale(r, ep, link->generation, now))
		return r->loops;
	loops = link->ifindex > 0 && lookup(link->nl, ep) == link->ifindex;
	*changed = r->valid ? loops != r->loops : loops;
	endpoint_copy(&r->ep, ep);
	r->checked_at = now;
	r->generation = link->generation;
	r->valid = true;
	r->loops = loops;
	return loops;
}

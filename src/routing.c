/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "conf.h"
#include "log.h"
#include "routing.h"

uint32_t routing_table_for(const struct routing *rt, const struct cidr *c)
{
	if (c->prefix_len == 0 && rt->table == CONF_TABLE_MAIN)
		return rt->mark;
	return rt->table;
}

int routing_change(struct routing *rt, const struct cidr *c, unsigned line, bool add)
{
	struct nl_route r = { .family = c->family, .dst = c->addr, .plen = c->prefix_len };
	char text[CIDR_STRLEN], dev[IF_NAMESIZE] = "?";
	int ret, oif;

	if (!rt || rt->table == CONF_TABLE_OFF)	/* no interface yet, or no routes */
		return 0;
	r.ifindex = rt->ifindex;
	r.table = routing_table_for(rt, c);
	if (!add) {
		/* The delete names proto 77: the kernel's connected route on our
		 * tun (proto kernel) is left alone, and so is anyone else's, with
		 * ESRCH, and no dump of the table per route (which made removing
		 * 10,000 routes take 17 s). */
		ret = nl_route_del_quiet(rt->nl, &r);
		return ret == -ESRCH ? ROUTING_ALREADY : ret;
	}
	ret = nl_route_add(rt->nl, &r);
	if (ret != -EEXIST)
		return ret;
	oif = nl_route_find(rt->nl, &r);
	if (oif == rt->ifindex)
		return ROUTING_ALREADY;
	if (oif > 0 && !if_indextoname((unsigned)oif, dev))
		snprintf(dev, sizeof(dev), "#%d", oif);
	cidr_format(c, text);
	log_err("%s:%u: allowed-ips: a route to this prefix exists in table %u "
		"(dev %s), not this daemon's '%s'", rt->file, line, r.table,
		oif > 0 ? dev : "none", text);
	return ret;
}

static int rules_change(struct routing *rt, int family, bool add)
{
	const struct nl_rule rules[] = {
		{ .priority = ROUTING_PRIO_TUNNEL, .table = rt->mark, .mark = rt->mark,
		  .invert_mark = true, .suppress_prefixlen = -1 },
		{ .priority = ROUTING_PRIO_SUPPRESS, .table = CONF_TABLE_MAIN,
		  .suppress_prefixlen = 0 },
	};
	int ret = 0;

	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		int r = add ? nl_rule_add(rt->nl, family, &rules[i])
			    : nl_rule_del(rt->nl, family, &rules[i]);

		if (r < 0 && (add || (r != -ENOENT && r != -ESRCH))) {
			log_err("%s: %s full-tunnel rule %u (%s): %s", rt->ifname,
				add ? "add" : "delete", rules[i].priority,
				family == AF_INET ? "IPv4" : "IPv6", strerror(-r));
			ret = -1;
			if (add)
				break;
		}
	}
	return ret;
}

/* Rules at our priorities with our proto, found before we add any, were
 * left by a daemon that was killed: its tun, and so its routes, are gone. */
static void remove_stale(struct routing *rt, int family)
{
	int n = nl_rule_count(rt->nl, family, ROUTING_PRIO_TUNNEL) +
		nl_rule_count(rt->nl, family, ROUTING_PRIO_SUPPRESS);

	if (n <= 0)
		return;
	log_warn("%s: removing %d full-tunnel rule(s) (%s) left by an earlier daemon",
		 rt->ifname, n, family == AF_INET ? "IPv4" : "IPv6");
	for (uint32_t prio = ROUTING_PRIO_SUPPRESS; prio <= ROUTING_PRIO_TUNNEL; prio++)
		for (int i = 0; i < 8 && nl_rule_count(rt->nl, family, prio) > 0; i++) {
			const struct nl_rule any = { .priority = prio, .suppress_prefixlen = -1 };

			if (nl_rule_del(rt->nl, family, &any) < 0)
				break;
		}
}

static int full_tunnel_set(struct routing *rt, int i, bool want)
{
	int family = i == 0 ? AF_INET : AF_INET6;

	if (rt->full[i] == want)
		return 0;
	if (want) {
		remove_stale(rt, family);
		if (rules_change(rt, family, true) < 0) {
			rules_change(rt, family, false);
			return -1;
		}
		log_info("%s: full tunnel (%s): everything but the sealed traffic "
			 "(fwmark %u) goes through the tunnel", rt->ifname,
			 family == AF_INET ? "IPv4" : "IPv6", rt->mark);
	} else if (rules_change(rt, family, false) < 0) {
		return -1;
	}
	rt->full[i] = want;
	return 0;
}

int routing_full_tunnel(struct routing *rt, bool want4, bool want6)
{
	if (!rt)
		return 0;
	if (rt->table != CONF_TABLE_MAIN)
		want4 = want6 = false;
	if ((want4 || want6) && rt->udp && udp_set_mark(rt->udp, rt->mark) < 0)
		return -1;
	if (full_tunnel_set(rt, 0, want4) < 0)
		return -1;
	return full_tunnel_set(rt, 1, want6);
}

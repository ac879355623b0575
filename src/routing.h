/* SPDX-License-Identifier: ISC */
/* The interface's kernel routes and, for a full tunnel, its policy rules.
 *
 * Routes of routes = true peers go into the configured table (main by
 * default, none with table = off). A default route (0.0.0.0/0 or ::/0) with
 * table = main is a full tunnel, done as wg-quick does it: the default route
 * goes into a table of its own (numbered like the fwmark, 51820 unless set),
 * the daemon's UDP sockets carry that mark (SO_MARK), and two rules send
 * everything else there:
 *   ROUTING_PRIO_SUPPRESS: lookup main suppress_prefixlength 0
 *                          (the main table, but never its default route)
 *   ROUTING_PRIO_TUNNEL:   not fwmark MARK lookup TABLE
 * so sealed traffic keeps the main table's way out and nothing leaks past
 * the tun. Rules carry proto NL_RTPROT_OVPN; rules of a daemon that was
 * killed are found by that and their priority and removed at the next start. */
#ifndef OVPN_ROUTING_H
#define OVPN_ROUTING_H

#include <stdbool.h>
#include <stdint.h>

#include "cidr.h"
#include "netlink.h"
#include "udp.h"

#define ROUTING_PRIO_SUPPRESS 32764
#define ROUTING_PRIO_TUNNEL 32765

struct routing {
	struct nl *nl;
	int ifindex;
	const char *ifname;
	const char *file;	/* the config, for error lines */
	uint32_t table;		/* CONF_TABLE_OFF: no routes */
	uint32_t mark;		/* fwmark, also the full tunnel's table */
	struct udp *udp;	/* its sockets carry the mark in a full tunnel */
	bool full[2];		/* rules in place for IPv4, IPv6 */
};

/* routing_change: the route is there already, on our own tun (the
 * connected route of an interface address): nothing added, nothing wrong. */
#define ROUTING_ALREADY 1

/* The table a route to c goes into: the full tunnel's for a default route
 * in the main table, else the configured one. */
uint32_t routing_table_for(const struct routing *rt, const struct cidr *c);
/* Add or remove the route to c; line is its allowed-ips line. 0 done, or
 * ROUTING_ALREADY (see above), or -errno: a route that exists on another
 * device is one error naming file, line and prefix. Removing leaves alone
 * what ovpn did not add (the kernel's own connected routes). */
int routing_change(struct routing *rt, const struct cidr *c, unsigned line, bool add);
/* Put the full tunnel's rules in place for the families whose default
 * route is wanted, and take them away for the others. 0 or -1. */
int routing_full_tunnel(struct routing *rt, bool want4, bool want6);

#endif

/* SPDX-License-Identifier: ISC */
/* rtnetlink (NETLINK_ROUTE) requests: link, address and route changes.
 *
 * Every call is one synchronous request answered by the kernel's ACK; the
 * reply's sequence number and port id are checked. Failures return the
 * kernel's error as -errno and are logged once, naming the interface and
 * the address or route. Open the socket before dropping privileges: it
 * keeps working afterwards as long as CAP_NET_ADMIN is kept. */
#ifndef OVPN_NETLINK_H
#define OVPN_NETLINK_H

#include <stdbool.h>
#include <stdint.h>

/* rtm_protocol of the routes ovpn adds ("proto 77" in `ip route`). Deletion
 * matches it, so ovpn never removes a route it did not add. */
#define NL_RTPROT_OVPN 77

struct mnl_socket;

struct nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
};

int nl_open(struct nl *nl);
void nl_close(struct nl *nl);

/* Index (> 0) of interface ifname, or -errno (-ENODEV if none). */
int nl_link_index(struct nl *nl, const char *ifname);
int nl_link_set_mtu(struct nl *nl, int ifindex, unsigned mtu);
int nl_link_set_up(struct nl *nl, int ifindex);
/* No IPv6 link-local address on the device (addr_gen_mode none), before
 * it goes up: a tun gets a random one, and with it router solicitations
 * and MLD reports sent into the tunnel for ever, each a wake-up of an
 * idle daemon and a packet no peer routes. 0 or -errno, not logged (a
 * kernel without IPv6 says -EAFNOSUPPORT, which is no matter). */
int nl_link_set_no_link_local(struct nl *nl, int ifindex);

/* family AF_INET (addr: 4 bytes) or AF_INET6 (16 bytes). IPv6 addresses
 * are added with IFA_F_NODAD: usable at once. An existing address is an
 * error (-EEXIST). */
int nl_addr_add(struct nl *nl, int ifindex, int family, const uint8_t *addr,
		uint8_t prefix_len);
int nl_addr_del(struct nl *nl, int ifindex, int family, const uint8_t *addr,
		uint8_t prefix_len);

/* A route to dst/plen (host bits ignored) via device ifindex, scope link,
 * proto NL_RTPROT_OVPN, in a routing table (RT_TABLE_MAIN is 254). */
struct nl_route {
	int ifindex;
	int family;		/* AF_INET (dst: 4 bytes) or AF_INET6 (16) */
	const uint8_t *dst;
	uint8_t plen;
	uint32_t table;
};

/* Adding a route that exists (never ours: ours die with the tun) is
 * -EEXIST, not logged: the caller names the config line. Deleting only
 * matches routes with proto NL_RTPROT_OVPN on ifindex (-ESRCH if none). */
int nl_route_add(struct nl *nl, const struct nl_route *r);
int nl_route_del(struct nl *nl, const struct nl_route *r);
/* The same, -ESRCH not logged (one that may not be ours, at removal). */
int nl_route_del_quiet(struct nl *nl, const struct nl_route *r);
/* The output device of the route in r->table for exactly r->dst/r->plen
 * (r->ifindex ignored): its index, -1 for one with no device (say a
 * blackhole), 0 if there is none, or -errno. Needs no privilege. */
int nl_route_find(struct nl *nl, const struct nl_route *r);

/* A policy rule, proto NL_RTPROT_OVPN: look up table for packets whose mark
 * is (or with invert_mark, is not) mark (0: any packet), hiding routes of
 * prefix length <= suppress_prefixlen (-1: none) found there. */
struct nl_rule {
	uint32_t priority;
	uint32_t table;
	uint32_t mark;
	bool invert_mark;
	int suppress_prefixlen;
};

int nl_rule_add(struct nl *nl, int family, const struct nl_rule *r);
int nl_rule_del(struct nl *nl, int family, const struct nl_rule *r);
/* How many rules of proto NL_RTPROT_OVPN have this priority, or -errno. */
int nl_rule_count(struct nl *nl, int family, uint32_t priority);

/* The device (ifindex > 0) the kernel would send a locally made packet to
 * dst (with fwmark mark, 0: none) through, as `ip route get` says; 0 if the route names none, -errno
 * (-ENETUNREACH, ...) if there is no route. Not logged: callers ask often. */
int nl_route_get_oif(struct nl *nl, int family, const uint8_t *dst, uint32_t mark);

/* What a device is, as far as routing loops care: its name, MTU and
 * whether it is a tun (IFLA_INFO_KIND "tun"). 0 or -errno; not logged. */
struct nl_link {
	char name[16];		/* IF_NAMESIZE */
	unsigned mtu;
	bool tun;
};
int nl_link_get(struct nl *nl, int ifindex, struct nl_link *out);

/* A second, non-blocking socket subscribed to IPv4 and IPv6 route
 * changes, for the event loop: nl_fd() to watch, nl_monitor_drain() when
 * it is readable, which reads everything waiting and returns how many
 * notifications (lost ones count) there were. */
int nl_monitor_open(struct nl *nl);
int nl_fd(const struct nl *nl);
int nl_monitor_drain(struct nl *nl);

#endif

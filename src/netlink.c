/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

#include "log.h"
#include "netlink.h"

/* Replies to our requests are small (no dumps); one link message fits. */
#define NL_BUF_SIZE 16384
/* The kernel always answers; the timeout only bounds a wedged socket. */
#define NL_TIMEOUT_SEC 5

int nl_open(struct nl *nl)
{
	struct timeval tv = { .tv_sec = NL_TIMEOUT_SEC };
	int one = 1;

	nl->seq = (uint32_t)time(NULL);
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!nl->sock) {
		log_err("netlink: open NETLINK_ROUTE socket: %s", strerror(errno));
		return -1;
	}
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		log_err("netlink: bind: %s", strerror(errno));
		nl_close(nl);
		return -1;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	/* best effort: keep ACKs short, bound the wait */
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVTIMEO, &tv,
		   sizeof(tv));
	return 0;
}

void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

/* Send nlh and read until the kernel's ACK. cb sees the data replies.
 * Returns 0 or -errno. */
static int nl_talk(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	char buf[NL_BUF_SIZE];
	ssize_t len;
	int ret;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		len = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (len < 0)
			return -errno;
		ret = mnl_cb_run(buf, (size_t)len, nlh->nlmsg_seq, nl->portid,
				 cb, data);
	} while (ret > 0);
	return ret < 0 ? -errno : 0;
}

static const char *ifname_of(int ifindex, char *buf)
{
	if (!if_indextoname((unsigned)ifindex, buf))
		snprintf(buf, IF_NAMESIZE, "#%d", ifindex);
	return buf;
}

/* "10.77.0.1/24" into buf (at least PREFIX_STRLEN bytes). */
#define PREFIX_STRLEN (INET6_ADDRSTRLEN + 4)
static const char *prefix_str(int family, const uint8_t *addr, unsigned plen,
			      char *buf)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(family, addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "(family %d)", family);
	snprintf(buf, PREFIX_STRLEN, "%s/%u", a, plen);
	return buf;
}

static int addr_len(int family)
{
	if (family == AF_INET)
		return 4;
	if (family == AF_INET6)
		return 16;
	return -1;
}

/* -EINVAL for an unknown family or a prefix length too long for it. */
static int check_prefix(const char *what, int ifindex, int family,
			const uint8_t *addr, unsigned plen)
{
	char ifn[IF_NAMESIZE], p[PREFIX_STRLEN];
	int len = addr_len(family);

	if (len > 0 && plen <= (unsigned)len * 8)
		return 0;
	if (len < 0)
		log_err("netlink: %s on %s: unknown address family %d", what,
			ifname_of(ifindex, ifn), family);
	else
		log_err("netlink: %s %s on %s: prefix length too long", what,
			prefix_str(family, addr, plen, p), ifname_of(ifindex, ifn));
	return -EINVAL;
}

static int link_index_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type == RTM_NEWLINK)
		*(int *)data = ifi->ifi_index;
	return MNL_CB_OK;
}

int nl_link_index(struct nl *nl, const char *ifname)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(memset(buf, 0, sizeof(buf)));
	struct ifinfomsg *ifi;
	int index = 0, ret;

	if (strlen(ifname) >= IF_NAMESIZE) {
		log_err("netlink: interface %s: name too long", ifname);
		return -EINVAL;
	}
	nlh->nlmsg_type = RTM_GETLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, ifname);
	ret = nl_talk(nl, nlh, link_index_cb, &index);
	if (ret == 0 && index <= 0)
		ret = -ENODEV;
	if (ret < 0) {
		log_err("netlink: interface %s: %s", ifname, strerror(-ret));
		return ret;
	}
	return index;
}

/* buf: MNL_SOCKET_BUFFER_SIZE bytes, zeroed so no padding byte is sent uninitialised. */
static struct nlmsghdr *link_msg(char *buf, int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(memset(buf, 0, MNL_SOCKET_BUFFER_SIZE));
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

int nl_link_set_mtu(struct nl *nl, int ifindex, unsigned mtu)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], ifn[IF_NAMESIZE];
	struct nlmsghdr *nlh = link_msg(buf, ifindex);
	int ret;

	mnl_attr_put_u32(nlh, IFLA_MTU, mtu);
	ret = nl_talk(nl, nlh, NULL, NULL);
	if (ret < 0)
		log_err("netlink: set mtu %u on %s: %s", mtu,
			ifname_of(ifindex, ifn), strerror(-ret));
	return ret;
}

int nl_link_set_no_link_local(struct nl *nl, int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, ifindex);
	struct nlattr *spec = mnl_attr_nest_start(nlh, IFLA_AF_SPEC);
	struct nlattr *v6 = mnl_attr_nest_start(nlh, AF_INET6);

	mnl_attr_put_u8(nlh, IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE);
	mnl_attr_nest_end(nlh, v6);
	mnl_attr_nest_end(nlh, spec);
	return nl_talk(nl, nlh, NULL, NULL);
}

int nl_link_set_up(struct nl *nl, int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], ifn[IF_NAMESIZE];
	struct nlmsghdr *nlh = link_msg(buf, ifindex);
	struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	int ret;

	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	ret = nl_talk(nl, nlh, NULL, NULL);
	if (ret < 0)
		log_err("netlink: set %s up: %s", ifname_of(ifindex, ifn),
			strerror(-ret));
	return ret;
}

static int addr_change(struct nl *nl, uint16_t type, int ifindex, int family,
		       const uint8_t *addr, uint8_t plen)
{
	const char *what = type == RTM_NEWADDR ? "add address" : "delete address";
	char buf[MNL_SOCKET_BUFFER_SIZE], ifn[IF_NAMESIZE], p[PREFIX_STRLEN];
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	int ret = check_prefix(what, ifindex, family, addr, plen);

	if (ret < 0)
		return ret;
	nlh = mnl_nlmsg_put_header(memset(buf, 0, sizeof(buf)));
	nlh->nlmsg_type = type;
	if (type == RTM_NEWADDR)
		nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (uint32_t)ifindex;
	if (family == AF_INET) {
		/* both the same: a plain address, not a point-to-point peer */
		mnl_attr_put(nlh, IFA_LOCAL, 4, addr);
		mnl_attr_put(nlh, IFA_ADDRESS, 4, addr);
	} else {
		ifa->ifa_flags = IFA_F_NODAD;
		mnl_attr_put(nlh, IFA_ADDRESS, 16, addr);
	}
	ret = nl_talk(nl, nlh, NULL, NULL);
	if (ret < 0)
		log_err("netlink: %s %s on %s: %s", what,
			prefix_str(family, addr, plen, p),
			ifname_of(ifindex, ifn), strerror(-ret));
	return ret;
}

int nl_addr_add(struct nl *nl, int ifindex, int family, const uint8_t *addr,
		uint8_t prefix_len)
{
	return addr_change(nl, RTM_NEWADDR, ifindex, family, addr, prefix_len);
}

int nl_addr_del(struct nl *nl, int ifindex, int family, const uint8_t *addr,
		uint8_t prefix_len)
{
	return addr_change(nl, RTM_DELADDR, ifindex, family, addr, prefix_len);
}

/* The kernel rejects IPv4 routes with host bits set; clear them. */
static void prefix_mask(uint8_t *out, const uint8_t *addr, unsigned plen)
{
	memset(out, 0, 16);
	memcpy(out, addr, plen / 8);
	if (plen % 8)
		out[plen / 8] = addr[plen / 8] & (uint8_t)(0xff << (8 - plen % 8));
}

static struct nlmsghdr *route_msg(char *buf, uint16_t type, const struct nl_route *r)
{
	int ifindex = r->ifindex, family = r->family;
	const uint8_t *dst = r->dst;
	uint8_t plen = r->plen;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(memset(buf, 0, MNL_SOCKET_BUFFER_SIZE));
	struct rtmsg *rtm;
	uint8_t masked[16];

	nlh->nlmsg_type = type;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = plen;
	rtm->rtm_table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = NL_RTPROT_OVPN;
	rtm->rtm_type = RTN_UNICAST;
	/* on delete, RT_SCOPE_NOWHERE matches any scope */
	rtm->rtm_scope = type == RTM_NEWROUTE ? RT_SCOPE_LINK : RT_SCOPE_NOWHERE;
	prefix_mask(masked, dst, plen);
	mnl_attr_put(nlh, RTA_DST, (size_t)addr_len(family), masked);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)ifindex);
	mnl_attr_put_u32(nlh, RTA_TABLE, r->table);
	return nlh;
}

/* Adding uses NLM_F_CREATE | NLM_F_EXCL, never NLM_F_REPLACE: replacing
 * would silently take over a route someone else installed for the same
 * prefix. Our own routes die with the tun, so an existing route is never
 * ours: -EEXIST, not logged here (the caller names the config line).
 * Deleting matches proto 77 only; no such route is -ESRCH (quiet: not
 * logged). */
static int route_change(struct nl *nl, uint16_t type, const struct nl_route *r, bool quiet)
{
	const char *what = type == RTM_NEWROUTE ? "add route" : "delete route";
	char buf[MNL_SOCKET_BUFFER_SIZE], ifn[IF_NAMESIZE], p[PREFIX_STRLEN];
	struct nlmsghdr *nlh;
	int ret = check_prefix(what, r->ifindex, r->family, r->dst, r->plen);

	if (ret < 0)
		return ret;
	nlh = route_msg(buf, type, r);
	if (type == RTM_NEWROUTE)
		nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	ret = nl_talk(nl, nlh, NULL, NULL);
	if (ret < 0 && !(ret == -EEXIST && type == RTM_NEWROUTE) &&
	    !(ret == -ESRCH && type == RTM_DELROUTE && quiet)) {
		char table[24] = "";

		if (r->table != RT_TABLE_MAIN)
			snprintf(table, sizeof(table), " table %u", r->table);
		log_err("netlink: %s %s dev %s%s: %s", what,
			prefix_str(r->family, r->dst, r->plen, p),
			ifname_of(r->ifindex, ifn), table, strerror(-ret));
	}
	return ret;
}

int nl_route_add(struct nl *nl, const struct nl_route *r)
{
	return route_change(nl, RTM_NEWROUTE, r, false);
}

int nl_route_del(struct nl *nl, const struct nl_route *r)
{
	return route_change(nl, RTM_DELROUTE, r, false);
}

int nl_route_del_quiet(struct nl *nl, const struct nl_route *r)
{
	return route_change(nl, RTM_DELROUTE, r, true);
}

/* A dump of one family's routes, looking for one table, prefix and length. */
struct route_find {
	const struct nl_route *want;
	uint8_t dst[16];
	int oif;		/* 0 until found */
};

static int route_find_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type <= RTA_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

static int route_find_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_find *f = data;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	int len = addr_len(f->want->family);
	uint32_t table;

	if (nlh->nlmsg_type != RTM_NEWROUTE || rtm->rtm_family != f->want->family ||
	    rtm->rtm_dst_len != f->want->plen || f->oif)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*rtm), route_find_attr, tb);
	table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (table != f->want->table)
		return MNL_CB_OK;
	if (f->want->plen && (!tb[RTA_DST] || mnl_attr_get_payload_len(tb[RTA_DST]) != (unsigned)len ||
			      memcmp(mnl_attr_get_payload(tb[RTA_DST]), f->dst, (size_t)len)))
		return MNL_CB_OK;
	f->oif = tb[RTA_OIF] ? (int)mnl_attr_get_u32(tb[RTA_OIF]) : -1;
	return MNL_CB_OK;
}

int nl_route_find(struct nl *nl, const struct nl_route *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(memset(buf, 0, sizeof(buf)));
	struct route_find f = { .want = r };
	struct rtmsg *rtm;
	int ret;

	if (addr_len(r->family) < 0)
		return -EINVAL;
	prefix_mask(f.dst, r->dst, r->plen);
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_DUMP;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)r->family;
	ret = nl_talk(nl, nlh, route_find_cb, &f);
	return ret < 0 ? ret : f.oif;
}

/* One policy rule of a full tunnel (see netlink.h), added or deleted. */
static int rule_change(struct nl *nl, uint16_t type, int family, const struct nl_rule *r)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(memset(buf, 0, sizeof(buf)));
	struct fib_rule_hdr *frh;

	nlh->nlmsg_type = type;
	if (type == RTM_NEWRULE)
		nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = (uint8_t)family;
	frh->action = FR_ACT_TO_TBL;
	frh->table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	if (r->invert_mark)
		frh->flags = FIB_RULE_INVERT;
	mnl_attr_put_u32(nlh, FRA_TABLE, r->table);
	mnl_attr_put_u32(nlh, FRA_PRIORITY, r->priority);
	mnl_attr_put_u8(nlh, FRA_PROTOCOL, NL_RTPROT_OVPN);
	if (r->mark) {
		mnl_attr_put_u32(nlh, FRA_FWMARK, r->mark);
		mnl_attr_put_u32(nlh, FRA_FWMASK, 0xffffffff);
	}
	if (r->suppress_prefixlen >= 0)
		mnl_attr_put_u32(nlh, FRA_SUPPRESS_PREFIXLEN, (uint32_t)r->suppress_prefixlen);
	return nl_talk(nl, nlh, NULL, NULL);
}

int nl_rule_add(struct nl *nl, int family, const struct nl_rule *r)
{
	return rule_change(nl, RTM_NEWRULE, family, r);
}

int nl_rule_del(struct nl *nl, int family, const struct nl_rule *r)
{
	return rule_change(nl, RTM_DELRULE, family, r);
}

/* Rules of proto NL_RTPROT_OVPN at one priority, counted by a dump. */
struct rule_count {
	uint32_t priority;
	unsigned n;
};

static int rule_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type <= FRA_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

static int rule_count_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rule_count *c = data;
	const struct nlattr *tb[FRA_MAX + 1] = { 0 };

	if (nlh->nlmsg_type != RTM_NEWRULE)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(struct fib_rule_hdr), rule_attr, tb);
	if (tb[FRA_PROTOCOL] && mnl_attr_get_u8(tb[FRA_PROTOCOL]) == NL_RTPROT_OVPN &&
	    tb[FRA_PRIORITY] && mnl_attr_get_u32(tb[FRA_PRIORITY]) == c->priority)
		c->n++;
	return MNL_CB_OK;
}

int nl_rule_count(struct nl *nl, int family, uint32_t priority)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(memset(buf, 0, sizeof(buf)));
	struct rule_count c = { .priority = priority };
	struct fib_rule_hdr *frh;
	int ret;

	nlh->nlmsg_type = RTM_GETRULE;
	nlh->nlmsg_flags = NLM_F_DUMP;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = (uint8_t)family;
	ret = nl_talk(nl, nlh, rule_count_cb, &c);
	return ret < 0 ? ret : (int)c.n;
}

static int route_oif_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(struct rtmsg))
		if (mnl_attr_get_type(a) == RTA_OIF && mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			*(int *)data = (int)mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

int nl_route_get_oif(struct nl *nl, int family, const uint8_t *dst, uint32_t mark)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(memset(buf, 0, sizeof(buf)));
	int len = addr_len(family), oif = 0, ret;
	struct rtmsg *rtm;

	if (len < 0)
		return -EINVAL;
	nlh->nlmsg_type = RTM_GETROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = (uint8_t)(len * 8);
	mnl_attr_put(nlh, RTA_DST, (size_t)len, dst);
	if (mark)	/* the sockets' mark: a full tunnel's rules let them out */
		mnl_attr_put_u32(nlh, RTA_MARK, mark);
	ret = nl_talk(nl, nlh, route_oif_cb, &oif);
	return ret < 0 ? ret : oif;
}

static int link_info_kind_cb(const struct nlattr *a, void *data)
{
	struct nl_link *l = data;

	if (mnl_attr_get_type(a) == IFLA_INFO_KIND && mnl_attr_validate(a, MNL_TYPE_STRING) >= 0)
		l->tun = strcmp(mnl_attr_get_str(a), "tun") == 0;
	return MNL_CB_OK;
}

static int link_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nl_link *l = data;
	const struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg)) {
		switch (mnl_attr_get_type(a)) {
		case IFLA_MTU:
			if (mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
				l->mtu = mnl_attr_get_u32(a);
			break;
		case IFLA_IFNAME:
			if (mnl_attr_validate(a, MNL_TYPE_STRING) >= 0)
				snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(a));
			break;
		case IFLA_LINKINFO:
			mnl_attr_parse_nested(a, link_info_kind_cb, l);
			break;
		default:
			break;
		}
	}
	return MNL_CB_OK;
}

int nl_link_get(struct nl *nl, int ifindex, struct nl_link *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(memset(buf, 0, sizeof(buf)));
	struct ifinfomsg *ifi;

	memset(out, 0, sizeof(*out));
	nlh->nlmsg_type = RTM_GETLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nl_talk(nl, nlh, link_get_cb, out);
}

int nl_monitor_open(struct nl *nl)
{
	nl->seq = 0;
	nl->sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!nl->sock) {
		log_err("netlink: open NETLINK_ROUTE socket: %s", strerror(errno));
		return -1;
	}
	if (mnl_socket_bind(nl->sock, RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE,
			    MNL_SOCKET_AUTOPID) < 0) {
		log_err("netlink: subscribe to route changes: %s", strerror(errno));
		nl_close(nl);
		return -1;
	}
	nl->portid = mnl_socket_get_portid(nl->sock);
	return 0;
}

int nl_fd(const struct nl *nl)
{
	return mnl_socket_get_fd(nl->sock);
}

int nl_monitor_drain(struct nl *nl)
{
	char buf[NL_BUF_SIZE];
	int changes = 0;

	for (;;) {
		ssize_t len = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));

		if (len > 0) {
			changes++;
			continue;
		}
		/* ENOBUFS: notifications were lost, which is a change too. */
		if (len < 0 && errno == ENOBUFS) {
			changes++;
			continue;
		}
		break;
	}
	return changes;
}

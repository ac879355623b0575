/* SPDX-License-Identifier: ISC */
/* "No route, no answer" made an answer: for a packet read from the tun
 * whose destination no peer has, an ICMP host unreachable (IPv4) or
 * ICMPv6 address unreachable, written back into the tun so the sender
 * learns at once (ping: "Destination Host Unreachable", TCP: EHOSTUNREACH),
 * as kernel WireGuard does. Rate limited; never for ICMP errors, later
 * fragments, multicast or broadcast, or a source that cannot be answered
 * (RFC 1122 3.2.2, RFC 4443 2.4). */
#ifndef OVPN_ICMP_H
#define OVPN_ICMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The longest reply: IPv6's minimum MTU (IPv4 stops at 576). */
#define ICMP_REPLY_MAX 1280
/* Replies a second, and a burst of as many. */
#define ICMP_PER_SECOND 10

/* The reply to pkt (an IP packet of len bytes, its length field checked
 * by ippkt_parse) in out (cap >= ICMP_REPLY_MAX bytes), from pkt's
 * destination to its source, quoting as much of pkt as fits. Returns its
 * length, or 0 when pkt must not be answered. */
size_t icmp_unreach(const uint8_t *pkt, size_t len, uint8_t *out, size_t cap);

/* A token bucket over all replies. */
struct icmp_limit {
	uint64_t last;		/* ns of the latest refill */
	uint64_t credit;	/* ns of credit, at most a second's worth */
};

/* May a reply go at now (monotonic ns)? */
bool icmp_limit_allow(struct icmp_limit *l, uint64_t now);

#endif

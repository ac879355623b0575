/* SPDX-License-Identifier: ISC */
/* UDP transport: the IPv4 and IPv6 sockets, batched I/O. */
#ifndef OVPN_UDP_H
#define OVPN_UDP_H

/* struct mmsghdr needs _GNU_SOURCE: include config.h first. */
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "endpoint.h"

/* Numeric address or host name (an IPv6 literal may be in brackets), at
 * start-up: blocking getaddrinfo, first result wins. 0 or -1 (logged). */
int udp_resolve(const char *host, uint16_t port, struct endpoint *out);
/* The same, quiet: err gets the reason. For the resolver thread. */
int udp_lookup(const char *host, uint16_t port, struct endpoint *out, char *err, size_t errlen);
/* A numeric address only (AI_NUMERICHOST: no lookup, safe on the loop). 0 or -1. */
int udp_parse_numeric(const char *host, uint16_t port, struct endpoint *out);

/* Both sockets bound to the same port on the wildcard address; an fd is -1
 * when that family is unavailable. */
struct udp {
	int fd4;
	int fd6;
	uint16_t port;		/* host order, the one actually bound */
	bool gso;		/* UDP_SEGMENT accepted: udp_send_batch_gso may coalesce */
	bool gro;		/* UDP_GRO on: a received buffer may hold several datagrams */
	uint32_t mark;		/* SO_MARK set by udp_set_mark, 0: none */
};

#define UDP_SOCKBUF_SIZE (4 << 20)

/* Open non-blocking, close-on-exec sockets on port (0: any free port, the
 * same one for both families). IPv6 with IPV6_V6ONLY; buffers raised to
 * UDP_SOCKBUF_SIZE; path MTU discovery off (see udp.c); arrival stamped
 * (SO_TIMESTAMPNS, for udp_pkt.waited). Succeeds if at least
 * one family could be opened. 0 or -1 (logged). */
int udp_open(struct udp *u, uint16_t port);
/* SO_MARK on both sockets (needs CAP_NET_ADMIN), so policy routing can tell
 * the sealed traffic from what it carries. 0 or -1, logged. */
int udp_set_mark(struct udp *u, uint32_t mark);
void udp_close(struct udp *u);
/* The socket to reach ep with, -1 if that family is not open. */
int udp_fd_for(const struct udp *u, const struct endpoint *ep);
/* Ask for UDP GSO (UDP_SEGMENT) and GRO (UDP_GRO), those wanted, on the
 * open sockets and set u->gso, u->gro to what the kernel accepted (refusals
 * logged once at info). With gro, receive buffers must hold
 * UDP_GRO_BUF_SIZE bytes. */
void udp_enable_offloads(struct udp *u, bool gso, bool gro);

/* One datagram of a batch in a caller-owned buffer. */
struct udp_pkt {
	uint8_t *buf;
	size_t cap;		/* size of buf (receive) */
	size_t len;		/* bytes received / to send */
	size_t seg;		/* receive: with UDP_GRO, buf holds datagrams of
				 * seg bytes (the last may be shorter); 0: one */
	uint64_t waited;	/* receive: ns it waited in the socket buffer
				 * (kernel stamp, SO_TIMESTAMPNS), 0: unknown */
	struct endpoint ep;	/* source (receive) / destination (send) */
};

#define UDP_BATCH_MAX 64
/* One GSO send: at most this many datagrams and bytes (the kernel's
 * UDP_MAX_SEGMENTS, and an IP packet's 64 KiB less headers). */
#define UDP_GSO_MAX_SEGS 64
#define UDP_GSO_MAX_BYTES 65000
#define UDP_GRO_BUF_SIZE 65536

/* Scratch space for the system calls, owned by the caller (one per
 * thread), so batches never allocate. */
struct udp_batch {
	struct mmsghdr mh[UDP_BATCH_MAX];
	struct iovec iov[UDP_BATCH_MAX];
	union {
		struct cmsghdr align;	/* UDP_GRO or UDP_SEGMENT, PKTINFO, the stamp */
		char buf[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct in6_pktinfo)) +
			 CMSG_SPACE(sizeof(struct timespec))];
	} ctrl[UDP_BATCH_MAX];
};

/* One datagram to ep, from its source address if it has one. 0 or -1 with
 * errno set (not logged: the caller counts). */
int udp_send_one(int fd, const void *buf, size_t len, const struct endpoint *ep);

/* Receive up to n (<= UDP_BATCH_MAX) datagrams into pkts without blocking.
 * Returns how many (0 if none waiting), or -1 (logged). A datagram longer
 * than cap is reported with len 0: drop it. */
int udp_recv_batch(int fd, struct udp_batch *b, struct udp_pkt *pkts,
		   unsigned n);
/* Send pkts[0..n) without blocking; with *gso, consecutive datagrams to
 * one endpoint of one size (the last may be shorter) go as one UDP_SEGMENT
 * message. A kernel or device that refuses it turns *gso off (logged once)
 * and the batch goes out datagram by datagram. A run whose datagrams are
 * larger than the route's MTU allows is sent datagram by datagram (the
 * kernel fragments them) and GSO stays on. Returns as udp_send_batch. */
int udp_send_batch_gso(int fd, struct udp_batch *b, const struct udp_pkt *pkts,
		       unsigned n, bool *gso);
/* Send pkts[0..n) without blocking. Returns how many were sent (fewer than n
 * if the socket buffer filled or a datagram failed), or -1 (logged, rate
 * limited, errno kept: EMSGSIZE for one too big) if the first one failed
 * for a reason other than a full buffer (then 0). */
int udp_send_batch(int fd, struct udp_batch *b, const struct udp_pkt *pkts,
		   unsigned n);

#endif

/* SPDX-License-Identifier: ISC */
/* The data plane: tun -> seal -> UDP, UDP -> open -> tun, handshakes and
 * what a peer's due timer asks for. It owns the tun and UDP descriptors
 * as the loop sees them, the batches and buffer pools, the offload and
 * GRO state, the handshake load (cookies, rate limit) and the counters of
 * losses no peer is to blame for. Peers come from the peer set, which
 * reschedules every peer handed out here. */
#ifndef OVPN_DATAPLANE_H
#define OVPN_DATAPLANE_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "codel.h"
#include "cookie.h"
#include "drop.h"
#include "events.h"
#include "icmp.h"
#include "hsgate.h"
#include "loop.h"
#include "netlink.h"
#include "offload.h"
#include "peer.h"
#include "peerset.h"
#include "proto.h"
#include "ratelimit.h"
#include "routeloop.h"
#include "sealer.h"
#include "udp.h"

/* Drops that belong to no known peer, and data-path losses. */
struct dataplane_stats {
	uint64_t drops[DROP_REASON_COUNT];	/* unknown index, bad mac1, ... */
	uint64_t unknown_type;			/* datagram of no message type */
	uint64_t no_route;			/* tun packet for no peer's allowed-ips */
	uint64_t unreachable_sent;		/* ICMP unreachable written for those */
	uint64_t no_endpoint;			/* for a peer whose address is unknown */
	uint64_t tun_malformed;			/* tun packet that is not IPv4/IPv6 */
	uint64_t tun_write_drops;		/* tun queue full */
	uint64_t udp_send_drops;		/* socket buffer full or send error */
	uint64_t udp_too_big;			/* refused with EMSGSIZE, not even fragmented */
	uint64_t routing_loop;			/* not sent: the endpoint's route is our tun */
	uint64_t cookies_sent;			/* under load: mac2 demanded */
	uint64_t queue_delay_drops;		/* TCP segment dropped by CoDel (codel.h) */
};

/* A received data packet while the workers check its tag. */
#define DATAPLANE_OPENING_MAX 256
struct rx_opening {
	struct udp_pkt u;		/* the datagram, in the receive buffers */
	const uint8_t *rx_end;		/* its GRO buffer's end, or NULL */
	struct proto_opening o;
	struct proto_rx rx;
	enum drop_reason why;		/* proto_open_prepare's verdict */
};

struct dataplane {
	/* What it works on. */
	struct peerset *peers;
	struct proto_host *host;

	/* The tun and the sockets: the daemon opens them, the loop watches
	 * them, the handlers here run. */
	char ifname[IFNAMSIZ];
	unsigned mtu;
	struct loop_fd tun;
	struct loop_fd udp4, udp6;
	struct udp udp;
	/* Route change notifications (a second netlink socket): a change
	 * makes the routing-loop checks ask the kernel again. */
	struct nl nl_routes;
	struct loop_fd routes;
	struct routeloop_link link;	/* the daemon sets nl, ifindex once the tun is up */

	/* Batches: received datagrams, and sealed packets to send per family.
	 * The receive pool is cut into UDP_BATCH_MAX packet buffers, or with
	 * UDP GRO into fewer of UDP_GRO_BUF_SIZE. */
	struct udp_batch batch;
	uint8_t *rx_pool;
	struct udp_pkt rx[UDP_BATCH_MAX];
	unsigned n_rx;
	struct pkt *tx_bufs;
	unsigned tx_used;		/* tx_bufs handed out since the last flush */
	struct udp_pkt tx4[UDP_BATCH_MAX], tx6[UDP_BATCH_MAX];
	unsigned n_tx4, n_tx6;

	/* tun offloads (vnet): a virtio_net_hdr on every tun read and write;
	 * one read may be a TCP super-packet, cut into tx_bufs. */
	bool vnet;
	uint8_t *tun_buf;		/* vnet: OFFLOAD_HDR_LEN + OFFLOAD_MAX_PKT */
	struct offload_gro gro;		/* tun writes being coalesced */
	const uint8_t *rx_end;		/* end of the GRO buffer being opened, or NULL */
	struct codel rx_codel;		/* on the wait in the receive buffers */
	struct codel tun_codel;		/* on how long the tun has not been empty */
	uint64_t tun_busy_since;	/* the tun has had packets waiting since; 0: empty */

	/* Handshake load, cookies and the per-source limit (hsgate.h). */
	struct hsgate gate;

	/* workers > 1: the batches from the tun are sealed, and the data
	 * packets received opened, in parallel (sealer.h); NULL: on the loop
	 * thread, in proto_seal and proto_consume_data. */
	unsigned workers;		/* threads sealing, the loop thread included */
	struct sealer *sealer;
	struct rx_opening *opening;	/* received, tags being checked, in order */
	unsigned n_opening;

	struct icmp_limit icmp_limit;	/* ICMP unreachable for no-route packets */
	struct dataplane_stats stats;
	struct events *events;		/* ovpnctl watch; NULL: none */
	bool tun_gone;			/* the interface vanished: the daemon exits 1 */
};

/* Nothing open yet (descriptors -1); the handlers set. 0 or -1. */
int dataplane_init(struct dataplane *d, struct peerset *peers, struct proto_host *host);
/* The buffer pools, once the tun and the sockets are open (their sizes
 * follow the offloads the kernel granted). 0 or -1. */
int dataplane_buffers(struct dataplane *d);
/* n threads seal the tun's batches (1: the loop thread alone, none
 * started). After the privilege drop, before the sandbox. 0 or -1. */
int dataplane_workers(struct dataplane *d, unsigned n);
/* Close the tun and the sockets, free the pools, wipe the cookie secret;
 * the worker threads are stopped. */
void dataplane_free(struct dataplane *d);
/* Peers with an endpoint and a persistent keepalive connect at once. */
void dataplane_start(struct dataplane *d, uint64_t now);
/* A lookup gave p an endpoint (peerset_deps.on_endpoint, ctx the data
 * plane): with persistent-keepalive it is contacted at once, as at start. */
void dataplane_peer_endpoint(void *ctx, struct peer *p, uint64_t now);
/* A peer's timer is due (struct peerset_deps.on_timer; ctx: the plane). */
void dataplane_peer_timer(void *ctx, struct peer *p, uint64_t now);
/* Over the handshake load threshold at now (mac2 demanded), as the next
 * handshake message would find, without counting one. */
bool dataplane_under_load(const struct dataplane *d, uint64_t now);

#endif

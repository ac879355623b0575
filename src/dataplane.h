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

#include "cookie.h"
#include "drop.h"
#include "loop.h"
#include "offload.h"
#include "peer.h"
#include "peerset.h"
#include "proto.h"
#include "ratelimit.h"
#include "udp.h"

/* Drops that belong to no known peer, and data-path losses. */
struct dataplane_stats {
	uint64_t drops[DROP_REASON_COUNT];	/* unknown index, bad mac1, ... */
	uint64_t unknown_type;			/* datagram of no message type */
	uint64_t no_route;			/* tun packet for no peer's allowed-ips */
	uint64_t no_endpoint;			/* for a peer whose address is unknown */
	uint64_t tun_malformed;			/* tun packet that is not IPv4/IPv6 */
	uint64_t tun_write_drops;		/* tun queue full */
	uint64_t udp_send_drops;		/* socket buffer full or send error */
	uint64_t cookies_sent;			/* under load: mac2 demanded */
};

/* Above this many handshake messages a second the daemon is under load:
 * it answers a handshake without a valid mac2 with a cookie, not a DH. */
#define HANDSHAKE_LOAD_THRESHOLD 50

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

	/* Handshake load: messages in the current and the previous second. */
	struct cookie_checker cookies;
	struct ratelimit limiter;
	uint64_t load_window;
	unsigned load_count, load_prev;

	struct dataplane_stats stats;
};

/* Nothing open yet (descriptors -1); the handlers set. 0 or -1. */
int dataplane_init(struct dataplane *d, struct peerset *peers, struct proto_host *host);
/* The buffer pools, once the tun and the sockets are open (their sizes
 * follow the offloads the kernel granted). 0 or -1. */
int dataplane_buffers(struct dataplane *d);
/* Close the tun and the sockets, free the pools, wipe the cookie secret. */
void dataplane_free(struct dataplane *d);
/* Peers with an endpoint and a persistent keepalive connect at once. */
void dataplane_start(struct dataplane *d, uint64_t now);
/* A lookup gave p an endpoint (peerset_deps.on_endpoint, ctx the data
 * plane): with persistent-keepalive it is contacted at once, as at start. */
void dataplane_peer_endpoint(void *ctx, struct peer *p, uint64_t now);
/* A peer's timer is due (struct peerset_deps.on_timer; ctx: the plane). */
void dataplane_peer_timer(void *ctx, struct peer *p, uint64_t now);

#endif

/* SPDX-License-Identifier: ISC */
/* The daemon's peers: protocol state, endpoint, pending packets, counters,
 * and the lookup by static public key that the responder needs. */
#ifndef OVPN_PEER_H
#define OVPN_PEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cidr.h"
#include "conf.h"
#include "drop.h"
#include "proto.h"
#include "routeloop.h"
#include "timerq.h"
#include "udp.h"

/* Room in front of a packet for the data header, behind it for padding
 * and tag; a buffer holds the largest MTU the config allows. */
#define PKT_HEADROOM KEYPAIR_HEADER_LEN
#define PKT_MAX_MTU 9000
#define PKT_BUF_SIZE (PKT_HEADROOM + PKT_MAX_MTU + KEYPAIR_TAILROOM + 1)

/* Packets waiting for a session: bounded, the newest kept. */
#define PEER_QUEUE_MAX 64

struct peerset;

struct pkt {
	size_t len;			/* plaintext length at data + PKT_HEADROOM */
	uint8_t data[PKT_BUF_SIZE];
};

struct peer_stats {
	uint64_t rx_bytes, tx_bytes;	/* inner packet bytes */
	uint64_t rx_packets, tx_packets;
	uint64_t drops[DROP_REASON_COUNT];
	uint64_t queue_drops;		/* pending packets lost (queue full, gave up) */
	uint64_t sessions;		/* handshakes completed */
};

struct peer {
	struct proto_peer proto;	/* first: proto's owner pointer is the peer */
	char *name;
	uint8_t public_key[PROTO_KEY_LEN];
	struct endpoint endpoint;
	bool has_endpoint;
	bool routes;
	unsigned persistent_keepalive;	/* seconds */
	struct cidr *allowed_ips;
	size_t n_allowed_ips;
	struct peer_stats stats;
	struct routeloop loop;		/* is the endpoint routed into our own tun? */

	struct pkt *queue;		/* ring of PEER_QUEUE_MAX, allocated on demand */
	unsigned queue_head, queue_len;

	struct timer timer;		/* proto_next_deadline, in the daemon's queue */
	struct peerset *set;		/* the set it belongs to */
	struct peer *dirty_next;	/* touched since the last peerset_flush */
	bool dirty;
	const struct conf_peer *conf;	/* where it came from (the running config) */
	bool keep;			/* reload: still in the new config */

	/* An endpoint given by name, looked up off the loop (resolver.h). */
	bool resolving;			/* no answer yet for this name: retried */
	bool want_lookup;		/* load/reload: to be queued */
	unsigned lookups;		/* with the resolver now */
	unsigned resolve_failures;	/* in a row, for the backoff */
	struct timer resolve_timer;	/* the retry, or the next staleness check */
	uint64_t check_tx, check_rx;	/* stats.tx/rx_packets at the last check */
};

/* Append a copy of a plaintext packet; the oldest is dropped when full.
 * false when no memory (the packet is dropped and counted). */
bool peer_queue_push(struct peer *p, const uint8_t *pkt, size_t len);
/* The oldest pending packet, or NULL; release it with peer_queue_pop. */
struct pkt *peer_queue_front(struct peer *p);
void peer_queue_pop(struct peer *p);
/* Drop everything pending (counted) and free the ring. */
void peer_queue_clear(struct peer *p);

/* Lookup of peers by static public key: open addressing, O(1). */
struct peer_index {
	struct peer **slots;
	size_t mask;
};

int peer_index_build(struct peer_index *ix, struct peer **peers, size_t n);
void peer_index_free(struct peer_index *ix);
struct peer *peer_index_find(const struct peer_index *ix, const uint8_t key[PROTO_KEY_LEN]);

#endif

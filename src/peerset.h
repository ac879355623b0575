/* SPDX-License-Identifier: ISC */
/* The daemon's set of peers: the peers themselves, their lookup by public
 * key and by allowed-ips, their timers in the daemon's one queue, and the
 * kernel routes of their allowed-ips. Built from the config at start,
 * changed in place on reload so that peers still in the config keep their
 * sessions, counters and learned endpoints.
 *
 * Any peer the data plane gets from the set (by route, by owner, by its
 * timer) is marked touched; peerset_flush, run once before the loop
 * sleeps, recomputes the deadline of each touched peer. So no call site
 * has to remember to reschedule. */
#ifndef OVPN_PEERSET_H
#define OVPN_PEERSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "allowedips.h"
#include "conf.h"
#include "events.h"
#include "netlink.h"
#include "peer.h"
#include "proto.h"
#include "resolver.h"
#include "secmem.h"
#include "routing.h"
#include "timerq.h"

/* What a peer set needs from its daemon, given once at peerset_load. */
struct peerset_deps {
	struct proto_host *host;	/* the protocol state the peers belong to */
	struct timerq *timers;		/* the daemon's one timer queue */
	/* A peer's timer is due (the data plane); the peer is already touched. */
	void (*on_timer)(void *ctx, struct peer *p, uint64_t now);
	void *ctx;
	struct events *events;		/* peers added and removed; NULL: none */
	/* Where endpoints given by name are looked up (NULL: at once, blocking:
	 * for tests without a loop); on_endpoint (may be NULL) is told when a
	 * lookup gave a peer an endpoint. */
	struct resolver *resolver;
	void (*on_endpoint)(void *ctx, struct peer *p, uint64_t now);
	/* Longest retry and staleness-check interval, ns; 0: the default (60 s). */
	uint64_t resolve_max;
};

/* Where the routes of routes = true peers go: the daemon's tun, through
 * its routing (table, full-tunnel rules). */
struct peerset_link {
	struct nl *nl;
	int ifindex;
	const char *ifname;
	struct routing *routing;
};

/* The greatest initiation timestamp accepted from a key that left the set:
 * a peer removed and added again by reload still refuses an old initiation. */
struct peerset_stamp {
	uint8_t public_key[PROTO_KEY_LEN];
	uint8_t timestamp[TAI64N_LEN];
};

struct peerset {
	struct peer **peers;		/* each in the pool: pointers to them live on */
	struct secmem_pool pool;	/* where the peers are (secmem.h) */
	size_t n_peers;
	struct peer_index by_key;	/* the responder's lookup */
	struct allowedips aip;		/* tun packet -> peer, and source checks */
	struct peer *dirty;		/* touched since the last flush */
	size_t timers_reserved;		/* room this set holds in deps.timers */
	struct peerset_deps deps;
	struct peerset_link link;	/* set by the daemon once the tun is up */
	struct peerset_stamp *stamps;	/* for the life of the process */
	size_t n_stamps;
};

/* The peers of cfg (the set keeps pointers into it: cfg must outlive the
 * peers, or be replaced with peerset_reload). 0 or -1 (logged). */
int peerset_load(struct peerset *ps, const struct conf *cfg, const struct peerset_deps *deps);
/* Take the peers of nc: added, removed or changed ones take effect,
 * unchanged ones keep their sessions. -1: nothing changed (the old peers
 * run on); 0: done; 1: peers replaced but a lookup could not be rebuilt
 * (out of memory). The caller then keeps nc as the running config. */
int peerset_reload(struct peerset *ps, const struct conf *nc);
/* Every peer, its session keys wiped, and the lookups. */
void peerset_free(struct peerset *ps);
/* Add (at start) or remove (at exit) the kernel routes of routes = true
 * peers through ps->link. 0 or -1. */
int peerset_routes(struct peerset *ps, bool add);

/* A lookup's answer (resolver_fn, ctx the set), on the loop's thread. */
void peerset_resolved(void *ps, const struct resolver_req *r);

/* Lookups for the data plane; the peer found is touched. */
struct peer *peerset_route(struct peerset *ps, int family, const uint8_t *dst);
struct peer *peerset_owner(struct peerset *ps, struct proto_peer *pp);
/* Mark p for rescheduling at the next peerset_flush. */
void peerset_touch(struct peerset *ps, struct peer *p);
/* Reschedule every touched peer from its protocol state; run before the
 * loop sleeps. */
void peerset_flush(struct peerset *ps, uint64_t now);

#endif

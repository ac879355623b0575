/* SPDX-License-Identifier: ISC */
/* `ovpnctl watch`: control-socket clients that stay connected and get one
 * line per event (handshake, session expired, endpoint changed, peer
 * added or removed, drops crossing a threshold), text or JSON. A watcher
 * whose unsent lines pass EVENTS_MAX_PENDING bytes is cut off: the data
 * path never waits for a reader. */
#ifndef OVPN_EVENTS_H
#define OVPN_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

#include "drop.h"
#include "loop.h"
#include "strbuf.h"

#define EVENTS_MAX_WATCHERS 4
#define EVENTS_MAX_PENDING (16 * 1024)
/* The kernel's share of a watcher's backlog (SO_SNDBUF, doubled by it). */
#define EVENTS_SNDBUF (16 * 1024)
/* A peer's (or the interface's) drops of one reason are reported when
 * they reach 100, 1000, 10000, ... */
#define EVENTS_DROP_THRESHOLD 100

struct events;

struct events_watcher {
	struct loop_fd lfd;		/* fd < 0: slot free */
	struct events *ev;
	bool json;
	struct strbuf out;
	size_t out_off;
};

struct events {
	struct loop *loop;
	const char *ifname;
	unsigned n_watchers;
	uint64_t cut_off;		/* watchers dropped for not reading */
	struct events_watcher w[EVENTS_MAX_WATCHERS];
};

struct peer;

void events_init(struct events *ev, struct loop *loop, const char *ifname);
void events_close(struct events *ev);
/* For the control socket's adopt hook: takes fd for "watch" and "watch
 * json" (1), else leaves it (0). */
int events_adopt(struct events *ev, const char *request, int fd);

/* The hooks of the peer set and the data plane; ev may be NULL (none). */
void events_handshake(struct events *ev, const struct peer *p);
void events_expired(struct events *ev, const struct peer *p);
void events_endpoint(struct events *ev, const struct peer *p);
void events_peer(struct events *ev, const struct peer *p, bool added);
/* count: the new number of drops of reason why (p NULL: the interface's). */
void events_drop(struct events *ev, const struct peer *p, enum drop_reason why, uint64_t count);

#endif

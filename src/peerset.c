/* SPDX-License-Identifier: ISC */
/* The daemon's set of peers: built from the config at start, changed in
 * place on reload (SIGHUP or `ovpnctl reload`) so that peers still in the
 * config keep their sessions, counters and learned endpoints. */
#include "config.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "loop.h"
#include "peerset.h"
#include "secmem.h"

static bool conf_endpoint_eq(const struct conf_peer *a, const struct conf_peer *b)
{
	if (!a || !b || a->has_endpoint != b->has_endpoint)
		return false;
	return !a->has_endpoint ||
	       (a->endpoint_port == b->endpoint_port && !strcmp(a->endpoint_host, b->endpoint_host));
}

/* Take the settings of cp (the endpoint already resolved by the caller). */
static void peer_configure(struct peer *p, const struct conf_peer *cp)
{
	if (proto_peer_set_psk(&p->proto, cp->has_psk ? cp->psk : NULL, timerq_now()))
		log_info("peer %s: pre-shared key changed: sessions ended, new handshake",
			 cp->name);
	p->conf = cp;
	p->name = cp->name;
	p->routes = cp->routes;
	p->persistent_keepalive = cp->persistent_keepalive;
	p->proto.persistent_keepalive = (uint64_t)cp->persistent_keepalive * TIMERS_NS_PER_SEC;
	p->allowed_ips = cp->allowed_ips;
	p->n_allowed_ips = cp->n_allowed_ips;
}

/* A peer of the new config, and its endpoint (at load, and on reload). */
struct reload_item {
	struct peer *p;
	bool created;
	bool set_endpoint;	/* ep is its new endpoint */
	bool lookup;		/* its endpoint is a name to look up */
	struct endpoint ep;
};

static void resolve_timer_fire(struct timer *t, uint64_t now);

static void peer_timer_fire(struct timer *t, uint64_t now)
{
	struct peer *p = container_of(t, struct peer, timer);

	peerset_touch(p->set, p);
	p->set->deps.on_timer(p->set->deps.ctx, p, now);
}

static struct peerset_stamp *stamp_find(struct peerset *ps, const uint8_t *key)
{
	for (size_t i = 0; i < ps->n_stamps; i++)
		if (!memcmp(ps->stamps[i].public_key, key, PROTO_KEY_LEN))
			return &ps->stamps[i];
	return NULL;
}

/* A peer leaves: keep its replay state (out of memory: lost, logged). */
static void stamp_keep(struct peerset *ps, const struct peer *p)
{
	const uint8_t *ts = p->proto.latest_timestamp;
	struct peerset_stamp *s = stamp_find(ps, p->public_key), *grown;

	if (sodium_is_zero(ts, TAI64N_LEN))
		return;
	if (!s) {
		grown = realloc(ps->stamps, (ps->n_stamps + 1) * sizeof(*grown));
		if (!grown) {
			log_warn("peer %s: out of memory, its replay state is lost", p->name);
			return;
		}
		ps->stamps = grown;
		s = &ps->stamps[ps->n_stamps++];
		memcpy(s->public_key, p->public_key, PROTO_KEY_LEN);
		memset(s->timestamp, 0, TAI64N_LEN);
	}
	if (tai64n_compare(ts, s->timestamp) > 0)
		memcpy(s->timestamp, ts, TAI64N_LEN);
}

static struct peer *peer_create(struct peerset *ps, const struct conf_peer *cp)
{
	const struct peerset_stamp *s;
	struct peer *p;

	if (!ps->pool.size)
		secmem_pool_init(&ps->pool, sizeof(*p));
	p = secmem_pool_alloc(&ps->pool);	/* session keys: out of dumps */
	if (!p) {
		log_err("peer %s: out of memory", cp->name);
		return NULL;
	}
	memcpy(p->public_key, cp->public_key, sizeof(p->public_key));
	timer_init(&p->timer, peer_timer_fire);
	timer_init(&p->resolve_timer, resolve_timer_fire);
	p->set = ps;
	if (proto_peer_init(&p->proto, ps->deps.host, p->public_key, p) < 0) {
		log_err("peer %s: unusable public key", cp->name);
		secmem_pool_free(&ps->pool, p);
		return NULL;
	}
	s = stamp_find(ps, p->public_key);
	if (s)
		memcpy(p->proto.latest_timestamp, s->timestamp, TAI64N_LEN);
	return p;
}

/* p must not be touched (peerset_flush first). */
static void peer_destroy(struct peerset *ps, struct peer *p)
{
	timerq_remove(ps->deps.timers, &p->timer);
	stamp_keep(ps, p);
	timerq_remove(ps->deps.timers, &p->resolve_timer);
	peer_queue_clear(p);
	proto_peer_free(&p->proto);	/* wipes the session keys */
	secmem_pool_free(&ps->pool, p);	/* wipes */
}

/* ---- endpoints by name ---- */

#define RESOLVE_MAX_DEFAULT (60 * TIMERS_NS_PER_SEC)

static uint64_t resolve_max(const struct peerset *ps)
{
	return ps->deps.resolve_max ? ps->deps.resolve_max : RESOLVE_MAX_DEFAULT;
}

static void lookup_submit(struct peerset *ps, struct peer *p)
{
	const struct conf_peer *cp = p->conf;

	if (resolver_submit(ps->deps.resolver, p->public_key, cp->endpoint_host,
			    cp->endpoint_port) == 0)
		p->lookups++;
	else	/* out of memory: try again later */
		timerq_set(ps->deps.timers, &p->resolve_timer, timerq_now() + resolve_max(ps));
}

/* The peer does not answer, so its name may point somewhere else now
 * (dynamic DNS): a handshake attempt has run a whole rekey-timeout
 * unanswered, or we sent and got nothing back since the last check (a
 * live peer answers data within keepalive-timeout, with a keepalive). */
static bool handshake_failing(const struct peerset *ps, struct peer *p, uint64_t now)
{
	bool unanswered = p->stats.tx_packets != p->check_tx && p->stats.rx_packets == p->check_rx;

	p->check_tx = p->stats.tx_packets;
	p->check_rx = p->stats.rx_packets;
	return unanswered || (p->proto.want_handshake &&
			      now - p->proto.attempt_start >= ps->deps.host->timers.rekey_timeout);
}

/* Retry a failed lookup; or, every interval, look again if handshakes fail. */
static void resolve_timer_fire(struct timer *t, uint64_t now)
{
	struct peer *p = container_of(t, struct peer, resolve_timer);
	struct peerset *ps = p->set;
	bool failing = handshake_failing(ps, p, now);

	if (p->resolving || failing) {
		if (!p->resolving)
			log_info("peer %s: no answer: looking up '%s' again", p->name,
				 p->conf->endpoint_host);
		lookup_submit(ps, p);
	} else {
		timerq_set(ps->deps.timers, t, now + resolve_max(ps));
	}
}

static void lookups_start(struct peerset *ps)
{
	for (size_t i = 0; i < ps->n_peers; i++) {
		struct peer *p = ps->peers[i];

		if (!p->want_lookup)
			continue;
		p->want_lookup = false;
		p->resolving = true;
		p->resolve_failures = 0;
		timerq_remove(ps->deps.timers, &p->resolve_timer);
		log_info("peer %s: looking up '%s' in the background", p->name,
			 p->conf->endpoint_host);
		lookup_submit(ps, p);
	}
}

void peerset_resolved(void *ctx, const struct resolver_req *r)
{
	struct peerset *ps = ctx;
	struct peer *p = peer_index_find(&ps->by_key, r->key);
	uint64_t now = timerq_now(), wait;
	char ep[ENDPOINT_STRLEN];

	if (!p)
		return;		/* gone with a reload */
	if (p->lookups)
		p->lookups--;
	if (!p->conf->has_endpoint || strcmp(p->conf->endpoint_host, r->host) ||
	    p->conf->endpoint_port != r->port)
		return;		/* a reload changed the endpoint: its own lookup is queued */
	if (r->rc == 0) {
		if (p->resolving || !p->has_endpoint || !endpoint_eq(&p->endpoint, &r->ep))
			log_info("peer %s: '%s' is %s", p->name, r->host,
				 endpoint_format(&r->ep, ep, sizeof(ep)));
		p->endpoint = r->ep;
		p->has_endpoint = true;
		p->resolving = false;
		p->resolve_failures = 0;
		timerq_set(ps->deps.timers, &p->resolve_timer, now + resolve_max(ps));
		peerset_touch(ps, p);
		if (ps->deps.on_endpoint)
			ps->deps.on_endpoint(ps->deps.ctx, p, now);
		return;
	}
	/* backoff: 1, 2, 4 ... s up to the longest interval */
	wait = TIMERS_NS_PER_SEC << (p->resolve_failures < 16 ? p->resolve_failures : 16);
	if (wait > resolve_max(ps))
		wait = resolve_max(ps);
	p->resolve_failures++;
	log_warn("peer %s: cannot resolve '%s': %s; %s, again in %.0f s", p->name, r->host,
		 r->err, p->has_endpoint ? "keeping the last address" : "no endpoint yet",
		 (double)wait / TIMERS_NS_PER_SEC);
	timerq_set(ps->deps.timers, &p->resolve_timer, now + wait);
}

/* cp's endpoint when it is new or changed: a numeric one is taken at once
 * (*set), a name is looked up later (*lookup) by the resolver; false on
 * failure (only without a resolver, where names resolve here, blocking). */
static bool peer_resolve(const struct peerset *ps, const struct peer *old,
			 const struct conf_peer *cp, struct reload_item *it)
{
	it->lookup = false;
	it->set_endpoint = cp->has_endpoint && !(old && conf_endpoint_eq(old->conf, cp));
	if (!it->set_endpoint ||
	    udp_parse_numeric(cp->endpoint_host, cp->endpoint_port, &it->ep) == 0)
		return true;
	if (ps->deps.resolver) {
		it->set_endpoint = false;
		it->lookup = true;
		return true;
	}
	if (udp_resolve(cp->endpoint_host, cp->endpoint_port, &it->ep) < 0) {
		log_err("peer %s: cannot resolve endpoint '%s'", cp->name, cp->endpoint_host);
		return false;
	}
	return true;
}

static int trie_build(struct peerset *ps)
{
	allowedips_free(&ps->aip);
	allowedips_init(&ps->aip);
	for (size_t i = 0; i < ps->n_peers; i++) {
		struct peer *p = ps->peers[i];

		for (size_t j = 0; j < p->n_allowed_ips; j++) {
			const struct cidr *c = &p->allowed_ips[j];

			if (allowedips_insert(&ps->aip, c->family, c->addr, c->prefix_len, p) < 0)
				return -1;
		}
	}
	return 0;
}

/* The queue is shared: this set keeps room there for each of its peers. */
static int timers_reserve(struct peerset *ps)
{
	struct timerq *q = ps->deps.timers;

	size_t want = 2 * ps->n_peers;	/* its timer and its resolve_timer */

	if (want <= ps->timers_reserved)
		return 0;
	if (timerq_reserve(q, q->cap + want - ps->timers_reserved) < 0)
		return -1;
	ps->timers_reserved = want;
	return 0;
}

static int index_build(struct peerset *ps)
{
	peer_index_free(&ps->by_key);
	if (peer_index_build(&ps->by_key, ps->peers, ps->n_peers) < 0 || timers_reserve(ps) < 0) {
		log_err("peers: out of memory");
		return -1;
	}
	return 0;
}

static void touch_all(struct peerset *ps)
{
	for (size_t i = 0; i < ps->n_peers; i++)
		peerset_touch(ps, ps->peers[i]);
}

int peerset_load(struct peerset *ps, const struct conf *cfg, const struct peerset_deps *deps)
{
	memset(ps, 0, sizeof(*ps));
	ps->deps = *deps;
	allowedips_init(&ps->aip);
	ps->peers = calloc(cfg->n_peers ? cfg->n_peers : 1, sizeof(*ps->peers));
	if (!ps->peers)
		return -1;
	for (size_t i = 0; i < cfg->n_peers; i++) {
		const struct conf_peer *cp = &cfg->peers[i];
		struct reload_item it;
		struct peer *p;

		if (!peer_resolve(ps, NULL, cp, &it) || !(p = peer_create(ps, cp)))
			return -1;
		ps->peers[ps->n_peers++] = p;
		peer_configure(p, cp);
		if (it.set_endpoint) {
			p->endpoint = it.ep;
			p->has_endpoint = true;
		}
		p->want_lookup = it.lookup;
	}
	touch_all(ps);
	if (trie_build(ps) < 0 || index_build(ps) < 0)
		return -1;
	lookups_start(ps);
	return 0;
}

void peerset_free(struct peerset *ps)
{
	ps->dirty = NULL;	/* each is destroyed: nothing to reschedule */
	for (size_t i = 0; i < ps->n_peers; i++)
		peer_destroy(ps, ps->peers[i]);
	free(ps->peers);
	ps->peers = NULL;
	ps->n_peers = 0;
	peer_index_free(&ps->by_key);
	allowedips_free(&ps->aip);
	secmem_pool_destroy(&ps->pool);
	free(ps->stamps);
	ps->stamps = NULL;
	ps->n_stamps = 0;
}

/* ---- the data plane's lookups, and rescheduling ---- */

void peerset_touch(struct peerset *ps, struct peer *p)
{
	if (p->dirty)
		return;
	p->dirty = true;
	p->dirty_next = ps->dirty;
	ps->dirty = p;
}

struct peer *peerset_route(struct peerset *ps, int family, const uint8_t *dst)
{
	struct peer *p = allowedips_lookup(&ps->aip, family, dst);

	if (p)
		peerset_touch(ps, p);
	return p;
}

struct peer *peerset_owner(struct peerset *ps, struct proto_peer *pp)
{
	struct peer *p = pp ? pp->owner : NULL;

	if (p)
		peerset_touch(ps, p);
	return p;
}

void peerset_flush(struct peerset *ps, uint64_t now)
{
	struct peer *p;

	while ((p = ps->dirty)) {
		uint64_t when = proto_next_deadline(&p->proto, now);

		ps->dirty = p->dirty_next;
		p->dirty_next = NULL;
		p->dirty = false;
		/* Room for each peer is reserved: this cannot fail. */
		if (when == PROTO_NEVER)
			timerq_remove(ps->deps.timers, &p->timer);
		else
			timerq_set(ps->deps.timers, &p->timer, when);
	}
}

/* ---- routes ---- */

struct route {
	struct cidr dst;
	unsigned line;		/* its allowed-ips line, for errors */
};

static int route_cmp(const void *a, const void *b)
{
	return cidr_compare(&((const struct route *)a)->dst, &((const struct route *)b)->dst);
}

/* The sorted routes wanted by a set of peers. */
static struct route *routes_wanted(struct peer **peers, size_t n, size_t *count)
{
	struct route *r;
	size_t total = 0, k = 0;

	for (size_t i = 0; i < n; i++)
		if (peers[i]->routes)
			total += peers[i]->n_allowed_ips;
	r = calloc(total ? total : 1, sizeof(*r));
	if (!r)
		return NULL;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; peers[i]->routes && j < peers[i]->n_allowed_ips; j++)
			r[k++] = (struct route){ peers[i]->allowed_ips[j],
						 peers[i]->conf->allowed_ips_line };
	qsort(r, total, sizeof(*r), route_cmp);
	*count = total;
	return r;
}

/* 0: the route is in place (added, or already the interface's own);
 * < 0: it could not be (logged). Counted as added only when ret says so. */
static int route_change(const struct peerset_link *l, const struct route *r, bool add)
{
	return routing_change(l->routing, &r->dst, r->line, add);
}

/* Which families a routed peer's default route asks a full tunnel for. */
static void full_tunnel_wanted(const struct route *r, size_t n, bool want[2])
{
	want[0] = want[1] = false;
	for (size_t i = 0; i < n; i++)
		if (r[i].dst.prefix_len == 0)
			want[r[i].dst.family == AF_INET6] = true;
}

/* Rules for the default routes now wanted (the sockets marked with them). */
static int full_tunnel_update(const struct peerset_link *l, const struct route *r, size_t n)
{
	bool want[2];

	full_tunnel_wanted(r, n, want);
	return routing_full_tunnel(l->routing, want[0], want[1]);
}

int peerset_routes(struct peerset *ps, bool add)
{
	unsigned done = 0, failed = 0;
	size_t n = 0;
	struct route *r = routes_wanted(ps->peers, ps->n_peers, &n);

	if (!r)
		return -1;
	if (!add && routing_full_tunnel(ps->link.routing, false, false) < 0)
		failed++;
	for (size_t i = 0; i < n; i++) {
		int ret = route_change(&ps->link, &r[i], add);

		if (ret == 0) {
			done++;
		} else if (ret != ROUTING_ALREADY) {
			failed++;
			if (add)
				break;	/* the caller fails the start and removes them */
		}
	}
	if (add && !failed && full_tunnel_update(&ps->link, r, n) < 0)
		failed++;
	free(r);
	if (done || (failed && !add))
		log_info("%s: %s %u routes%s", ps->link.ifname, add ? "added" : "removed", done,
			 failed ? " (some could not be removed)" : "");
	return failed ? -1 : 0;
}

/* Walk two sorted route lists: remove what only the old has, add what only
 * the new has; routes in both are left alone. */
static void routes_update(const struct peerset_link *l, const struct route *o, size_t no,
			  const struct route *n, size_t nn)
{
	size_t i = 0, j = 0;
	unsigned added = 0, removed = 0;

	while (i < no || j < nn) {
		int c = i == no ? 1 : j == nn ? -1 : route_cmp(&o[i], &n[j]);

		if (c < 0) {
			removed += route_change(l, &o[i++], false) == 0;
		} else if (c > 0) {
			added += route_change(l, &n[j++], true) == 0;
		} else {
			i++;
			j++;
		}
	}
	if (added || removed)
		log_info("reload: %u routes added, %u removed", added, removed);
	full_tunnel_update(l, n, nn);
}

/* ---- reload ---- */


/* Phase 1: everything that can fail, with nothing running touched. */
static struct reload_item *reload_prepare(struct peerset *ps, const struct conf *nc)
{
	struct reload_item *items = calloc(nc->n_peers ? nc->n_peers : 1, sizeof(*items));
	size_t i;

	if (!items)
		return NULL;
	for (i = 0; i < nc->n_peers; i++) {
		const struct conf_peer *cp = &nc->peers[i];
		struct peer *old = peer_index_find(&ps->by_key, cp->public_key);

		if (!peer_resolve(ps, old, cp, &items[i]))
			goto fail;
		items[i].p = old;
		if (!old) {
			items[i].p = peer_create(ps, cp);
			items[i].created = true;
			if (!items[i].p)
				goto fail;
		}
	}
	return items;
fail:
	while (i-- > 0)
		if (items[i].created)
			peer_destroy(ps, items[i].p);
	free(items);
	return NULL;
}

/* Phase 2: peers gone from the config go first, then the others take
 * their new settings, in the order of nc. Returns how many were added. */
static size_t reload_commit(struct peerset *ps, const struct conf *nc,
			    struct reload_item *items, struct peer **peers)
{
	size_t added = 0;

	for (size_t i = 0; i < nc->n_peers; i++)
		items[i].p->keep = true;
	for (size_t i = 0; i < ps->n_peers; i++) {
		if (ps->peers[i]->keep)
			continue;
		log_info("reload: peer %s removed", ps->peers[i]->name);
		events_peer(ps->deps.events, ps->peers[i], false);
		peer_destroy(ps, ps->peers[i]);
	}
	for (size_t i = 0; i < nc->n_peers; i++) {
		struct peer *p = items[i].p;

		p->keep = false;
		peer_configure(p, &nc->peers[i]);
		if (items[i].set_endpoint) {
			p->endpoint = items[i].ep;
			p->has_endpoint = true;
			p->resolving = false;
			timerq_remove(ps->deps.timers, &p->resolve_timer);
		} else if (!nc->peers[i].has_endpoint) {
			p->resolving = false;
			timerq_remove(ps->deps.timers, &p->resolve_timer);
		}
		p->want_lookup = items[i].lookup;
		if (items[i].created) {
			log_info("reload: peer %s added", p->name);
			events_peer(ps->deps.events, p, true);
		}
		added += items[i].created;
		peers[i] = p;
	}
	free(ps->peers);
	ps->peers = peers;
	ps->n_peers = nc->n_peers;
	return added;
}

int peerset_reload(struct peerset *ps, const struct conf *nc)
{
	struct route *old_routes = NULL, *new_routes = NULL;
	struct reload_item *items = NULL;
	struct peer **peers = NULL;
	size_t n_old = 0, n_new = 0, was = ps->n_peers, added, kept;
	int rc = -1;

	/* A peer about to go must not stay on the touched list. */
	peerset_flush(ps, timerq_now());
	old_routes = routes_wanted(ps->peers, ps->n_peers, &n_old);
	peers = calloc(nc->n_peers ? nc->n_peers : 1, sizeof(*peers));
	if (!old_routes || !peers || !(items = reload_prepare(ps, nc)))
		goto out;
	added = reload_commit(ps, nc, items, peers);
	kept = nc->n_peers - added;
	peers = NULL;
	rc = trie_build(ps) < 0 || index_build(ps) < 0 ? 1 : 0;
	new_routes = routes_wanted(ps->peers, ps->n_peers, &n_new);
	if (new_routes)
		routes_update(&ps->link, old_routes, n_old, new_routes, n_new);
	touch_all(ps);
	lookups_start(ps);
	log_info("reload: %zu peers kept, %zu added, %zu removed", kept, added, was - kept);
out:
	free(items);
	free(peers);
	free(old_routes);
	free(new_routes);
	return rc;
}

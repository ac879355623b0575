/* The daemon's set of peers: built from the config at start, changed in
 * place on reload (SIGHUP or `ovpnctl reload`) so that peers still in the
 * config keep their sessions, counters and learned endpoints. */
#include "config.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "log.h"
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
	p->conf = cp;
	p->name = cp->name;
	p->routes = cp->routes;
	p->persistent_keepalive = cp->persistent_keepalive;
	p->proto.persistent_keepalive = (uint64_t)cp->persistent_keepalive * TIMERS_NS_PER_SEC;
	p->allowed_ips = cp->allowed_ips;
	p->n_allowed_ips = cp->n_allowed_ips;
}

static struct peer *peer_create(struct daemon *d, const struct conf_peer *cp)
{
	struct peer *p = secmem_alloc(sizeof(*p));	/* session keys: out of dumps */

	if (!p) {
		log_err("peer %s: out of memory", cp->name);
		return NULL;
	}
	memcpy(p->public_key, cp->public_key, sizeof(p->public_key));
	timer_init(&p->timer);
	if (proto_peer_init(&p->proto, &d->host, p->public_key, p) < 0) {
		log_err("peer %s: unusable public key", cp->name);
		secmem_free(p);
		return NULL;
	}
	return p;
}

static void peer_destroy(struct daemon *d, struct peer *p)
{
	timerq_remove(&d->timerq, &p->timer);
	peer_queue_clear(p);
	proto_peer_free(&p->proto);	/* wipes the session keys */
	secmem_free(p);	/* wipes */
}

/* Resolve cp's endpoint when it is new or changed; false on failure. */
static bool peer_resolve(const struct peer *old, const struct conf_peer *cp,
			 struct endpoint *ep, bool *set)
{
	*set = cp->has_endpoint && !(old && conf_endpoint_eq(old->conf, cp));
	if (*set && udp_resolve(cp->endpoint_host, cp->endpoint_port, ep) < 0) {
		log_err("peer %s: cannot resolve endpoint '%s'", cp->name, cp->endpoint_host);
		return false;
	}
	return true;
}

static int trie_build(struct daemon *d)
{
	allowedips_free(&d->aip);
	allowedips_init(&d->aip);
	for (size_t i = 0; i < d->n_peers; i++) {
		struct peer *p = d->peers[i];

		for (size_t j = 0; j < p->n_allowed_ips; j++) {
			const struct cidr *c = &p->allowed_ips[j];

			if (allowedips_insert(&d->aip, c->family, c->addr, c->prefix_len, p) < 0)
				return -1;
		}
	}
	return 0;
}

static int index_build(struct daemon *d)
{
	peer_index_free(&d->by_key);
	if (peer_index_build(&d->by_key, d->peers, d->n_peers) < 0 ||
	    timerq_reserve(&d->timerq, d->n_peers) < 0) {
		log_err("peers: out of memory");
		return -1;
	}
	return 0;
}

int peers_setup(struct daemon *d)
{
	const struct conf *cfg = d->cfg;

	if (timerq_init(&d->timerq, cfg->n_peers) < 0)
		return -1;
	d->peers = calloc(cfg->n_peers ? cfg->n_peers : 1, sizeof(*d->peers));
	if (!d->peers)
		return -1;
	for (size_t i = 0; i < cfg->n_peers; i++) {
		const struct conf_peer *cp = &cfg->peers[i];
		struct endpoint ep;
		struct peer *p;
		bool set;

		if (!peer_resolve(NULL, cp, &ep, &set) || !(p = peer_create(d, cp)))
			return -1;
		d->peers[d->n_peers++] = p;
		peer_configure(p, cp);
		if (set) {
			p->endpoint = ep;
			p->has_endpoint = true;
		}
	}
	return trie_build(d) < 0 ? -1 : index_build(d);
}

void peers_teardown(struct daemon *d)
{
	for (size_t i = 0; i < d->n_peers; i++)
		peer_destroy(d, d->peers[i]);
	free(d->peers);
	d->peers = NULL;
	d->n_peers = 0;
	peer_index_free(&d->by_key);
	allowedips_free(&d->aip);
	timerq_free(&d->timerq);
}

/* ---- routes ---- */

struct route {
	struct cidr dst;
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
			r[k++].dst = peers[i]->allowed_ips[j];
	qsort(r, total, sizeof(*r), route_cmp);
	*count = total;
	return r;
}

static int route_change(struct daemon *d, const struct cidr *c, bool add)
{
	return add ? nl_route_add(&d->nl, d->ifindex, c->family, c->addr, c->prefix_len)
		   : nl_route_del(&d->nl, d->ifindex, c->family, c->addr, c->prefix_len);
}

int routes_apply(struct daemon *d, bool add)
{
	unsigned done = 0, failed = 0;
	size_t n = 0;
	struct route *r = routes_wanted(d->peers, d->n_peers, &n);

	if (!r)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (route_change(d, &r[i].dst, add) == 0)
			done++;
		else if (add)
			break;
		else
			failed++;
	}
	free(r);
	if (done || failed)
		log_info("%s: %s %u routes%s", d->ifname, add ? "added" : "removed", done,
			 failed ? " (some could not be removed)" : "");
	return (failed || (add && done < n)) ? -1 : 0;
}

/* Walk two sorted route lists: remove what only the old has, add what only
 * the new has; routes in both are left alone. */
static void routes_update(struct daemon *d, const struct route *o, size_t no,
			  const struct route *n, size_t nn)
{
	size_t i = 0, j = 0;
	unsigned added = 0, removed = 0;

	while (i < no || j < nn) {
		int c = i == no ? 1 : j == nn ? -1 : route_cmp(&o[i], &n[j]);

		if (c < 0) {
			removed += route_change(d, &o[i++].dst, false) == 0;
		} else if (c > 0) {
			added += route_change(d, &n[j++].dst, true) == 0;
		} else {
			i++;
			j++;
		}
	}
	if (added || removed)
		log_info("reload: %u routes added, %u removed", added, removed);
}

/* ---- reload ---- */

/* Options of the interface itself are set up once; name every one that
 * changed, so nobody believes a reload applied it. */
static void reload_warn_fixed(const struct conf *old, const struct conf *nc)
{
	char changed[256] = "";
	const struct {
		const char *name;
		bool differs;
	} opts[] = {
		{ "interface", strcmp(old->interface, nc->interface) != 0 },
		{ "private-key-file", strcmp(old->private_key_file, nc->private_key_file) != 0 },
		{ "listen-port", old->listen_port != nc->listen_port },
		{ "mtu", old->mtu != nc->mtu },
		{ "address", old->n_addresses != nc->n_addresses ||
			     memcmp(old->addresses, nc->addresses,
				    nc->n_addresses * sizeof(*nc->addresses)) != 0 },
		{ "user", strcmp(old->user, nc->user) != 0 },
		{ "group", strcmp(old->group, nc->group) != 0 },
		{ "control-socket", strcmp(old->control_socket, nc->control_socket) != 0 },
		{ "control-group", !old->control_group != !nc->control_group ||
				   (old->control_group && strcmp(old->control_group, nc->control_group)) },
		{ "sandbox", old->sandbox != nc->sandbox },
	};

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		if (!opts[i].differs)
			continue;
		if (changed[0])
			strncat(changed, ", ", sizeof(changed) - strlen(changed) - 1);
		strncat(changed, opts[i].name, sizeof(changed) - strlen(changed) - 1);
	}
	if (changed[0])
		log_warn("reload: %s changed in %s: restart ovpnd to apply; peers and log-level are reloaded",
			 changed, nc->file);
}

struct reload_item {
	struct peer *p;
	bool created;
	bool set_endpoint;
	struct endpoint ep;
};

/* Phase 1: everything that can fail, with nothing running touched. */
static struct reload_item *reload_prepare(struct daemon *d, const struct conf *nc)
{
	struct reload_item *items = calloc(nc->n_peers ? nc->n_peers : 1, sizeof(*items));
	size_t i;

	if (!items)
		return NULL;
	for (i = 0; i < nc->n_peers; i++) {
		const struct conf_peer *cp = &nc->peers[i];
		struct peer *old = peer_index_find(&d->by_key, cp->public_key);

		if (!peer_resolve(old, cp, &items[i].ep, &items[i].set_endpoint))
			goto fail;
		items[i].p = old;
		if (!old) {
			items[i].p = peer_create(d, cp);
			items[i].created = true;
			if (!items[i].p)
				goto fail;
		}
	}
	return items;
fail:
	while (i-- > 0)
		if (items[i].created)
			peer_destroy(d, items[i].p);
	free(items);
	return NULL;
}

int daemon_reload(struct daemon *d)
{
	struct conf *nc = secmem_alloc(sizeof(*nc));	/* holds the private key */
	struct route *old_routes = NULL, *new_routes = NULL;
	size_t n_old = 0, n_new = 0, kept = 0, added = 0, removed = 0;
	struct reload_item *items = NULL;
	struct peer **peers = NULL;
	int rc = -1;

	if (!nc)
		return -1;
	log_info("reload: reading %s", d->cfg->file);
	/* The private key was read before the privilege drop: keep it. */
	if (conf_load_with_key(d->cfg->file, nc, d->cfg->private_key) < 0) {
		log_err("reload: %s has errors; still running the previous configuration",
			d->cfg->file);
		secmem_free(nc);
		return -1;
	}
	old_routes = routes_wanted(d->peers, d->n_peers, &n_old);
	peers = calloc(nc->n_peers ? nc->n_peers : 1, sizeof(*peers));
	if (!old_routes || !peers || !(items = reload_prepare(d, nc)))
		goto out;

	/* Phase 2: commit. Peers gone from the config go first. */
	for (size_t i = 0; i < nc->n_peers; i++)
		items[i].p->keep = true;
	for (size_t i = 0; i < d->n_peers; i++) {
		if (d->peers[i]->keep)
			continue;
		log_info("reload: peer %s removed", d->peers[i]->name);
		peer_destroy(d, d->peers[i]);
		removed++;
	}
	for (size_t i = 0; i < nc->n_peers; i++) {
		struct peer *p = items[i].p;

		p->keep = false;
		peer_configure(p, &nc->peers[i]);
		if (items[i].set_endpoint) {
			p->endpoint = items[i].ep;
			p->has_endpoint = true;
		}
		if (items[i].created)
			log_info("reload: peer %s added", p->name);
		added += items[i].created;
		kept += !items[i].created;
		peers[i] = p;
	}
	free(d->peers);
	d->peers = peers;
	peers = NULL;
	d->n_peers = nc->n_peers;
	reload_warn_fixed(d->cfg, nc);
	if (!d->opts->verbose)
		log_set_level(nc->log_level);
	/* The running identity stays: keep what start-up settled on. */
	nc->uid = d->cfg->uid;
	nc->gid = d->cfg->gid;
	conf_free(d->cfg);
	secmem_free(d->cfg);
	d->cfg = nc;
	nc = NULL;
	rc = trie_build(d) < 0 || index_build(d) < 0 ? -1 : 0;
	new_routes = routes_wanted(d->peers, d->n_peers, &n_new);
	if (new_routes)
		routes_update(d, old_routes, n_old, new_routes, n_new);
	for (size_t i = 0; i < d->n_peers; i++)
		dataplane_reschedule(d, d->peers[i], timerq_now());
	log_info("reload: %zu peers kept, %zu added, %zu removed", kept, added, removed);
out:
	if (nc) {
		log_err("reload: failed; still running the previous configuration");
		conf_free(nc);
		secmem_free(nc);
	}
	free(items);
	free(peers);
	free(old_routes);
	free(new_routes);
	return rc;
}

/* SPDX-License-Identifier: ISC */
/* ovpnd's life: set up in DESIGN.md's order (config and key -> tun,
 * addresses, routes -> UDP -> control socket -> privilege drop), run the
 * event loop until SIGTERM/SIGINT, then undo what was set up. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "control.h"
#include "ctlcmd.h"
#include "daemon.h"
#include "daemonize.h"
#include "dataplane.h"
#include "events.h"
#include "http.h"
#include "hooks.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "netlink.h"
#include "notify.h"
#include "routing.h"
#include "peerset.h"
#include "priv.h"
#include "proto.h"
#include "sandbox.h"
#include "secmem.h"
#include "resolver.h"
#include "status.h"
#include "tun.h"
#include "workers.h"

/* The daemon is its parts, each owned by its module. */
struct daemon {
	/* Configuration: the running config (replaced by a reload). */
	struct conf *cfg;
	const struct daemon_opts *opts;

	/* Identity: our keys and the protocol's state for them. */
	struct proto_timers timers;
	struct proto_host host;

	/* The peers, their lookups, timers and routes. */
	struct peerset peers;

	/* The interface as the kernel sees it (netlink: addresses, routes). */
	int ifindex;
	struct nl nl;
	bool nl_open;
	bool routes_added;
	struct routing routing;		/* table, full-tunnel rules */

	/* The packets: tun and UDP, batches, offloads, handshake load. */
	struct dataplane dp;

	/* What wakes us: fds and the one timer queue; signals, ovpnctl. */
	struct loop loop;
	struct loop_fd sig;
	struct control ctl;
	bool stop;

	/* Observers: ovpnctl watch, metrics-listen; what they render from. */
	struct events events;
	struct http_server metrics_http;	/* lfd.fd < 0: off */
	struct status_src src;
	/* Endpoint names, looked up off the loop. */
	struct resolver resolver;

	/* pre-up .. post-down, and the helper that runs the down-hooks. */
	struct hooks hooks;
};

static struct proto_peer *lookup_by_key(void *ctx, const uint8_t *public_key)
{
	struct peer *p = peer_index_find(&((struct daemon *)ctx)->peers.by_key, public_key);

	return p ? &p->proto : NULL;
}

/* OVPN_TEST_TIMERS="rekey-after-time=2 reject-after-time=4 ...": seconds
 * (decimals allowed). For the test suite only; announced loudly. */
static int test_timers_apply(struct proto_timers *t)
{
	static const struct {
		const char *name;
		size_t off;
	} names[] = {
		{ "rekey-after-time", offsetof(struct proto_timers, rekey_after_time) },
		{ "reject-after-time", offsetof(struct proto_timers, reject_after_time) },
		{ "rekey-attempt-time", offsetof(struct proto_timers, rekey_attempt_time) },
		{ "rekey-timeout", offsetof(struct proto_timers, rekey_timeout) },
		{ "keepalive-timeout", offsetof(struct proto_timers, keepalive_timeout) },
	};
	const char *env = getenv("OVPN_TEST_TIMERS");
	char *copy, *tok, *save = NULL;
	int rc = 0;

	if (!env)
		return 0;
	log_warn("OVPN_TEST_TIMERS is set: protocol timers shortened for testing (%s)", env);
	copy = strdup(env);
	if (!copy)
		return -1;
	for (tok = strtok_r(copy, " ,", &save); tok; tok = strtok_r(NULL, " ,", &save)) {
		char *eq = strchr(tok, '='), *end;
		double secs;
		size_t i;

		if (!eq)
			goto bad;
		*eq = '\0';
		secs = strtod(eq + 1, &end);
		if (*end || !(secs > 0))	/* NaN too */
			goto bad;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!strcmp(tok, names[i].name))
				break;
		if (i == sizeof(names) / sizeof(names[0]))
			goto bad;
		{
			uint64_t *field = (uint64_t *)(void *)((char *)t + names[i].off);

			/* Only ever shorter than the protocol's values. */
			if ((uint64_t)(secs * 1e9) > *field)
				goto bad;
			*field = (uint64_t)(secs * 1e9);
		}
		continue;
bad:
		log_err("OVPN_TEST_TIMERS: bad setting '%s'", tok);
		rc = -1;
		break;
	}
	free(copy);
	return rc;
}

/* OVPN_TEST_NO_OFFLOAD="tun,gso,gro" (any of them): act as if the kernel
 * refused these offloads, so that the tests cover the fallbacks. */
static bool offload_wanted(const char *what)
{
	const char *env = getenv("OVPN_TEST_NO_OFFLOAD");

	return !env || !strstr(env, what);
}

static int tun_setup(struct daemon *d)
{
	struct conf *cfg = d->cfg;

	if (getenv("OVPN_TEST_NO_OFFLOAD"))
		log_warn("OVPN_TEST_NO_OFFLOAD is set: offloads refused for testing (%s)",
			 getenv("OVPN_TEST_NO_OFFLOAD"));
	d->dp.tun.fd = tun_open_offload(cfg->interface, d->dp.ifname, offload_wanted("tun"),
					&d->dp.vnet);
	if (d->dp.tun.fd < 0)
		return -1;
	if (nl_open(&d->nl) < 0)
		return -1;
	d->nl_open = true;
	d->ifindex = nl_link_index(&d->nl, d->dp.ifname);
	if (d->ifindex < 0 || nl_link_set_mtu(&d->nl, d->ifindex, d->dp.mtu) < 0)
		return -1;
	d->routing = (struct routing){ .nl = &d->nl, .ifindex = d->ifindex,
				       .ifname = d->dp.ifname, .file = cfg->file,
				       .table = cfg->table, .udp = &d->dp.udp,
				       .mark = cfg->fwmark ? cfg->fwmark : CONF_FWMARK_AUTO };
	for (size_t i = 0; i < cfg->n_addresses; i++) {
		struct cidr *c = &cfg->addresses[i];

		if (nl_addr_add(&d->nl, d->ifindex, c->family, c->addr, c->prefix_len) < 0)
			return -1;
	}
	if (nl_link_set_no_link_local(&d->nl, d->ifindex) < 0)
		log_debug("%s: IPv6 link-local address left on", d->dp.ifname);
	if (nl_link_set_up(&d->nl, d->ifindex) < 0)
		return -1;
	d->peers.link = (struct peerset_link){ &d->nl, d->ifindex, d->dp.ifname, &d->routing };
	d->dp.link.nl = &d->nl;
	d->dp.link.ifindex = d->ifindex;
	d->routes_added = true;	/* even partly: removal skips what is missing */
	return peerset_routes(&d->peers, true);
}

/* Route changes make the routing-loop checks ask the kernel again. */
static int routes_monitor_setup(struct daemon *d)
{
	if (nl_monitor_open(&d->dp.nl_routes) < 0)
		return -1;
	d->dp.routes.fd = nl_fd(&d->dp.nl_routes);
	return loop_add(&d->loop, &d->dp.routes, EPOLLIN);
}

static int sockets_setup(struct daemon *d)
{
	struct dataplane *dp = &d->dp;

	if (udp_open(&dp->udp, d->cfg->listen_port) < 0)
		return -1;
	udp_enable_offloads(&dp->udp, offload_wanted("gso"), offload_wanted("gro"));
	/* sealed traffic must not follow a full tunnel's rules into the tun */
	if ((d->cfg->fwmark || d->routing.full[0] || d->routing.full[1]) &&
	    udp_set_mark(&dp->udp, d->routing.mark) < 0)
		return -1;
	dp->udp4.fd = dp->udp.fd4;
	dp->udp6.fd = dp->udp.fd6;
	if (dp->udp.fd4 >= 0 && loop_add(&d->loop, &dp->udp4, EPOLLIN) < 0)
		return -1;
	if (dp->udp.fd6 >= 0 && loop_add(&d->loop, &dp->udp6, EPOLLIN) < 0)
		return -1;
	if (routes_monitor_setup(d) < 0)
		return -1;
	return loop_add(&d->loop, &dp->tun, EPOLLIN);
}


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
		{ "metrics-listen", strcmp(old->metrics_listen ? old->metrics_listen : "",
					   nc->metrics_listen ? nc->metrics_listen : "") != 0 },
		{ "control-group", !old->control_group != !nc->control_group ||
				   (old->control_group && strcmp(old->control_group, nc->control_group)) },
		{ "sandbox", old->sandbox != nc->sandbox },
		{ "workers", old->workers != nc->workers },
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

/* Run nc (allocated, taken over) as the new configuration: the peer set
 * takes its peers in place; the options fixed at start are named if they
 * changed. What a reload and ovpnctl set/remove peer share. 0 or -1. */
static int daemon_apply(struct daemon *d, struct conf *nc)
{
	int rc = peerset_reload(&d->peers, nc);

	if (rc < 0) {
		log_err("reload: failed; still running the previous configuration");
		conf_free(nc);
		secmem_free(nc);
		return -1;
	}
	reload_warn_fixed(d->cfg, nc);
	if (!d->opts->verbose)
		log_set_level(nc->log_level);
	/* The running identity stays: keep what start-up settled on. */
	nc->uid = d->cfg->uid;
	nc->gid = d->cfg->gid;
	conf_free(d->cfg);
	secmem_free(d->cfg);
	d->cfg = nc;	/* the peers point into it now */
	return rc ? -1 : 0;
}

/* ctlcmd's apply: ctx is the daemon. */
static int daemon_apply_ctx(void *ctx, struct conf *nc)
{
	return daemon_apply(ctx, nc);
}

/* Re-read the config file: peers added, removed or changed take effect,
 * unchanged ones keep their sessions. A bad file changes nothing. 0 or -1. */
static int daemon_reload(struct daemon *d)
{
	struct conf *nc = secmem_alloc(sizeof(*nc));	/* holds the private key */

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
	return daemon_apply(d, nc);
}

/* Config errors met during a reload requested over the control socket go
 * to the log and back to ovpnctl. */
static void reload_error(const char *msg, void *arg)
{
	log_err("%s", msg);
	strbuf_printf(arg, "error: %s\n", msg);
}

static void control_request(void *ctx, const char *request, struct strbuf *reply)
{
	struct daemon *d = ctx;
	const struct ctlcmd_ctx cmd = { &d->src, d->cfg, daemon_apply_ctx, d };

	if (ctlcmd_request(&cmd, request, reply))
		return;
	switch (control_parse(request)) {
	case CONTROL_SHOW:
		status_render(&d->src, reply, false);
		break;
	case CONTROL_SHOW_JSON:
		status_render(&d->src, reply, true);
		break;
	case CONTROL_RELOAD:
		conf_set_error_func(reload_error, reply);
		if (daemon_reload(d) == 0)
			strbuf_printf(reply, "reloaded %s: %zu peers\n", d->cfg->file, d->peers.n_peers);
		else if (!reply->len)
			strbuf_printf(reply, "error: reload failed; the previous configuration is still running\n");
		conf_set_error_func(NULL, NULL);
		break;
	case CONTROL_UNKNOWN:
		strbuf_printf(reply, "error: unknown request (try show, show json, reload)\n");
		break;
	}
}

/* ovpnctl watch keeps its connection: the events take it. */
static int control_adopt(void *ctx, const char *request, int fd)
{
	return events_adopt(&((struct daemon *)ctx)->events, request, fd);
}

static void signal_event(struct loop_fd *lfd, uint32_t events)
{
	struct daemon *d = container_of(lfd, struct daemon, sig);
	struct signalfd_siginfo si;

	(void)events;
	while (read(lfd->fd, &si, sizeof(si)) == sizeof(si)) {
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
			log_info("signal %u: shutting down", si.ssi_signo);
			d->stop = true;
		} else if (si.ssi_signo == SIGHUP) {
			daemon_reload(d);
		}
	}
}

static int signals_setup(struct daemon *d)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	d->sig.fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	d->sig.on_event = signal_event;
	if (d->sig.fd < 0) {
		log_err("signalfd: %s", strerror(errno));
		return -1;
	}
	return loop_add(&d->loop, &d->sig, EPOLLIN);
}

static int peers_load(struct daemon *d)
{
	const char *env = getenv("OVPN_TEST_RESOLVE_MAX");
	struct peerset_deps deps = {
		.host = &d->host,
		.timers = &d->loop.timers,
		.on_timer = dataplane_peer_timer,
		.ctx = &d->dp,
		.events = &d->events,
		.resolver = &d->resolver,
		.on_endpoint = dataplane_peer_endpoint,
	};

	/* OVPN_TEST_RESOLVE_MAX=SECONDS: the longest lookup retry and the
	 * staleness check, shortened for the test suite */
	if (env && atof(env) > 0) {
		log_warn("OVPN_TEST_RESOLVE_MAX is set: lookups retried every %s s at most, for testing",
			 env);
		deps.resolve_max = (uint64_t)(atof(env) * 1e9);
	}
	if (resolver_init(&d->resolver, &d->loop, peerset_resolved, &d->peers) < 0)
		return -1;
	return peerset_load(&d->peers, d->cfg, &deps);
}

static int setup(struct daemon *d)
{
	struct conf *cfg = d->cfg;

	if (!priv_check_start() || sandbox_check(cfg->sandbox) < 0)
		return -1;
	timers_default(&d->timers);
	if (test_timers_apply(&d->timers) < 0)
		return -1;
	if (proto_host_init(&d->host, cfg->private_key, &d->timers, 16, lookup_by_key, d) < 0) {
		log_err("cannot initialise the protocol state");
		return -1;
	}
	if (dataplane_init(&d->dp, &d->peers, &d->host) < 0)
		return -1;
	d->dp.mtu = cfg->mtu;
	if (loop_init(&d->loop) < 0 || peers_load(d) < 0)
		return -1;
	events_init(&d->events, &d->loop, d->dp.ifname);
	d->dp.events = &d->events;
	if (hooks_run(cfg, CONF_PRE_UP, cfg->interface) < 0)
		return -1;
	if (tun_setup(d) < 0 || sockets_setup(d) < 0 || dataplane_buffers(&d->dp) < 0)
		return -1;
	/* Started unprivileged (systemd User=), the daemon stays who it is. */
	if (!priv_is_root()) {
		if (cfg->uid != getuid() || cfg->gid != getgid())
			log_info("started unprivileged: running as uid %u gid %u, not as %s:%s",
				 (unsigned)getuid(), (unsigned)getgid(), cfg->user, cfg->group);
		cfg->uid = getuid();
		cfg->gid = getgid();
	}
	if (control_open(&d->ctl, &d->loop, cfg->control_socket, &(struct control_access){
				 .uid = cfg->uid, .gid = cfg->control_group ? cfg->control_gid : cfg->gid,
				 .group_allowed = cfg->control_group != NULL }) < 0)
		return -1;
	d->ctl.adopt = control_adopt;
	if (cfg->metrics_listen &&
	    http_open(&d->metrics_http, &d->loop, cfg->metrics_listen, metrics_serve, &d->src) < 0)
		return -1;
	if (signals_setup(d) < 0)
		return -1;
	if (d->opts->pidfile && pidfile_write(d->opts->pidfile) < 0)
		return -1;
	/* as root, like pre-up; the down-hooks keep these privileges in the helper */
	if (hooks_start(&d->hooks, cfg, d->dp.ifname) < 0 ||
	    hooks_run(cfg, CONF_POST_UP, d->dp.ifname) < 0)
		return -1;
	hooks_arm(&d->hooks);
	if (cfg->uid == 0 && priv_is_root())
		log_warn("WARNING: user = \"root\": ovpnd stays root after setup (with CAP_NET_ADMIN "
			 "only); a bug in its packet handling would run as root. Use an "
			 "unprivileged account unless you must.");
	/* The resolver and worker threads start after the drop (capabilities
	 * are per thread) and before the sandbox, whose filter covers every
	 * thread. */
	if (priv_drop(cfg->uid, cfg->gid) < 0 || resolver_run(&d->resolver) < 0 ||
	    dataplane_workers(&d->dp, cfg->workers == CONF_WORKERS_AUTO ? workers_auto() :
				      cfg->workers) < 0 ||
	    sandbox_apply(cfg->sandbox) < 0)
		return -1;
	log_info("interface %s up, mtu %u, listening on port %u, %zu peers, %u worker%s; running as uid %u gid %u with CAP_NET_ADMIN only",
		 d->dp.ifname, d->dp.mtu, d->dp.udp.port, d->peers.n_peers, d->dp.workers,
		 d->dp.workers == 1 ? "" : "s", (unsigned)cfg->uid, (unsigned)cfg->gid);
	return 0;
}

/* fastd's loop: run what is due, sleep until the next deadline or an
 * event. Peers touched by the events are rescheduled before the timers
 * run (so none fires on a stale deadline), and those touched by their
 * timers before the loop sleeps. */
static int run(struct daemon *d)
{
	dataplane_start(&d->dp, timerq_now());
	while (!d->stop && !d->dp.tun_gone) {
		uint64_t now = timerq_now();

		peerset_flush(&d->peers, now);
		timerq_run(&d->loop.timers, now);	/* peers, control and metrics clients */
		peerset_flush(&d->peers, now);
		if (loop_run_once(&d->loop, timerq_timeout_ms(&d->loop.timers, timerq_now())) < 0)
			return 1;
	}
	/* Its routes and addresses went with the device; a full tunnel's
	 * rules did not. */
	if (d->dp.tun_gone) {
		routing_full_tunnel(&d->routing, false, false);
		d->routes_added = false;
	}
	return d->dp.tun_gone ? 1 : 0;
}

static void teardown(struct daemon *d)
{
	hooks_down(&d->hooks, CONF_PRE_DOWN);
	if (d->nl_open) {
		if (d->routes_added)
			peerset_routes(&d->peers, false);
		nl_close(&d->nl);
	}
	control_close(&d->ctl);
	events_close(&d->events);
	http_close(&d->metrics_http);
	dataplane_free(&d->dp);	/* the tun device and its routes go with it */
	if (d->sig.fd >= 0)
		close(d->sig.fd);
	resolver_stop(&d->resolver);	/* before the peers its answers name */
	peerset_free(&d->peers);
	proto_host_free(&d->host);
	loop_free(&d->loop);
	hooks_down(&d->hooks, CONF_POST_DOWN);
	hooks_stop(&d->hooks);
}

int daemon_run(struct conf *cfg, const struct daemon_opts *opts)
{
	/* In secure memory: the static key, the cookie secret and the
	 * handshake state live in it, and the config holds the key too. */
	struct daemon *d = secmem_alloc(sizeof(*d));
	int rc = 1;

	if (!d)
		return 1;
	/* The daemon owns the config from here: reload replaces it. */
	d->cfg = secmem_alloc(sizeof(*d->cfg));
	if (!d->cfg) {
		secmem_free(d);
		return 1;
	}
	*d->cfg = *cfg;
	sodium_memzero(cfg, sizeof(*cfg));
	d->opts = opts;
	d->sig.fd = -1;
	d->dp.tun.fd = -1;
	d->dp.routes.fd = -1;
	d->dp.udp.fd4 = d->dp.udp.fd6 = -1;
	control_init(&d->ctl, control_request, d);
	d->metrics_http.lfd.fd = -1;
	d->src = (struct status_src){ &d->peers, &d->dp, &d->ctl, d->cfg->sandbox };
	d->loop.epfd = -1;
	d->hooks.fd = -1;
	d->resolver.ev.fd = -1;
	if (setup(d) == 0) {
		secmem_stack_wipe();	/* the DHs of the key checks and peer set-up */
		if (opts->ready_fd >= 0)
			daemonize_ready(opts->ready_fd);
		notify_ready(d->dp.ifname);	/* systemd Type=notify */
		rc = run(d);
	}
	teardown(d);
	log_info("%s: stopped", d->dp.ifname);
	if (opts->pidfile)
		unlink(opts->pidfile);	/* fails quietly where the account may not */
	conf_free(d->cfg);
	secmem_free(d->cfg);
	secmem_free(d);
	return rc;
}

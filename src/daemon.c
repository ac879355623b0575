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

#include "daemon.h"
#include "daemonize.h"
#include "log.h"
#include "priv.h"
#include "sandbox.h"
#include "secmem.h"
#include "tun.h"

static struct proto_peer *lookup_by_key(void *ctx, const uint8_t *public_key)
{
	struct peer *p = peer_index_find(&((struct daemon *)ctx)->by_key, public_key);

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
	d->tun.fd = tun_open_offload(cfg->interface, d->ifname, offload_wanted("tun"), &d->vnet);
	if (d->tun.fd < 0)
		return -1;
	d->tun.on_event = dataplane_tun_event;
	if (nl_open(&d->nl) < 0)
		return -1;
	d->nl_open = true;
	d->ifindex = nl_link_index(&d->nl, d->ifname);
	if (d->ifindex < 0 || nl_link_set_mtu(&d->nl, d->ifindex, d->mtu) < 0)
		return -1;
	for (size_t i = 0; i < cfg->n_addresses; i++) {
		struct cidr *c = &cfg->addresses[i];

		if (nl_addr_add(&d->nl, d->ifindex, c->family, c->addr, c->prefix_len) < 0)
			return -1;
	}
	if (nl_link_set_up(&d->nl, d->ifindex) < 0)
		return -1;
	d->routes_added = true;	/* even partly: removal skips what is missing */
	return routes_apply(d, true);
}

static int sockets_setup(struct daemon *d)
{
	if (udp_open(&d->udp, d->cfg->listen_port) < 0)
		return -1;
	udp_enable_offloads(&d->udp, offload_wanted("gso"), offload_wanted("gro"));
	d->udp4.fd = d->udp.fd4;
	d->udp4.on_event = dataplane_udp4_event;
	d->udp6.fd = d->udp.fd6;
	d->udp6.on_event = dataplane_udp6_event;
	if (d->udp.fd4 >= 0 && loop_add(&d->loop, &d->udp4, EPOLLIN) < 0)
		return -1;
	if (d->udp.fd6 >= 0 && loop_add(&d->loop, &d->udp6, EPOLLIN) < 0)
		return -1;
	return loop_add(&d->loop, &d->tun, EPOLLIN);
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

	switch (control_parse(request)) {
	case CONTROL_SHOW:
		status_render(d, reply, false);
		break;
	case CONTROL_SHOW_JSON:
		status_render(d, reply, true);
		break;
	case CONTROL_RELOAD:
		conf_set_error_func(reload_error, reply);
		if (daemon_reload(d) == 0)
			strbuf_printf(reply, "reloaded %s: %zu peers\n", d->cfg->file, d->n_peers);
		else if (!reply->len)
			strbuf_printf(reply, "error: reload failed; the previous configuration is still running\n");
		conf_set_error_func(NULL, NULL);
		break;
	case CONTROL_UNKNOWN:
		strbuf_printf(reply, "error: unknown request (try show, show json, reload)\n");
		break;
	}
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

/* A fixed pool, allocated once: pages never written stay out of RSS. */
#define RX_POOL_SIZE (UDP_BATCH_MAX * sizeof(struct pkt))

static int buffers_setup(struct daemon *d)
{
	size_t cap = d->udp.gro ? UDP_GRO_BUF_SIZE : sizeof(struct pkt);

	d->rx_pool = malloc(RX_POOL_SIZE);
	d->tx_bufs = malloc(UDP_BATCH_MAX * sizeof(*d->tx_bufs));
	d->tun_buf = d->vnet ? malloc(OFFLOAD_HDR_LEN + OFFLOAD_MAX_PKT) : NULL;
	if (!d->rx_pool || !d->tx_bufs || (d->vnet && !d->tun_buf))
		return -1;
	d->n_rx = RX_POOL_SIZE / cap;
	if (d->n_rx > UDP_BATCH_MAX)
		d->n_rx = UDP_BATCH_MAX;
	for (unsigned i = 0; i < d->n_rx; i++) {
		d->rx[i].buf = d->rx_pool + i * cap;
		d->rx[i].cap = cap;
	}
	log_info("%s: tun offloads %s, UDP GSO %s, GRO %s", d->ifname, d->vnet ? "on" : "off",
		 d->udp.gso ? "on" : "off", d->udp.gro ? "on" : "off");
	return 0;
}

/* Peers with an endpoint and a persistent keepalive connect at once. */
static void peers_start(struct daemon *d, uint64_t now)
{
	uint8_t buf[PKT_HEADROOM + KEYPAIR_TAILROOM];
	size_t len;

	for (size_t i = 0; i < d->n_peers; i++) {
		struct peer *p = d->peers[i];

		if (p->has_endpoint && p->persistent_keepalive)
			proto_seal(&p->proto, buf, 0, d->mtu, now, &len);
		dataplane_reschedule(d, p, now);
	}
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
	allowedips_init(&d->aip);
	ratelimit_init(&d->limiter);
	if (cookie_checker_init(&d->cookies, d->host.public_key) < 0)
		return -1;
	if (loop_init(&d->loop) < 0 || peers_setup(d) < 0)
		return -1;
	if (tun_setup(d) < 0 || sockets_setup(d) < 0 || buffers_setup(d) < 0)
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
				 .group_allowed = cfg->control_group != NULL }, control_request, d) < 0)
		return -1;
	if (signals_setup(d) < 0)
		return -1;
	if (d->opts->pidfile && pidfile_write(d->opts->pidfile) < 0)
		return -1;
	if (cfg->uid == 0 && priv_is_root())
		log_warn("WARNING: user = \"root\": ovpnd stays root after setup (with CAP_NET_ADMIN "
			 "only); a bug in its packet handling would run as root. Use an "
			 "unprivileged account unless you must.");
	if (priv_drop(cfg->uid, cfg->gid) < 0 || sandbox_apply(cfg->sandbox) < 0)
		return -1;
	log_info("interface %s up, mtu %u, listening on port %u, %zu peers; running as uid %u gid %u with CAP_NET_ADMIN only",
		 d->ifname, d->mtu, d->udp.port, d->n_peers, (unsigned)cfg->uid, (unsigned)cfg->gid);
	return 0;
}

static int run(struct daemon *d)
{
	peers_start(d, timerq_now());
	while (!d->stop) {
		uint64_t now = timerq_now();
		uint64_t next = dataplane_run_timers(d, now);
		uint64_t ctl_next = control_expire(&d->ctl, now);
		int timeout = -1;

		if (ctl_next < next)
			next = ctl_next;
		if (next != UINT64_MAX) {
			now = timerq_now();
			/* Round up: waking early would spin until the deadline. */
			timeout = next <= now ? 0 : (int)((next - now + 999999) / 1000000);
		}
		if (loop_run_once(&d->loop, timeout) < 0)
			return 1;
	}
	return 0;
}

static void teardown(struct daemon *d)
{
	if (d->nl_open) {
		if (d->routes_added)
			routes_apply(d, false);
		nl_close(&d->nl);
	}
	control_close(&d->ctl);
	if (d->tun.fd >= 0)
		close(d->tun.fd);	/* the device and its routes go with it */
	udp_close(&d->udp);
	if (d->sig.fd >= 0)
		close(d->sig.fd);
	peers_teardown(d);
	proto_host_free(&d->host);
	cookie_checker_wipe(&d->cookies);
	loop_free(&d->loop);
	free(d->rx_pool);
	free(d->tx_bufs);
	free(d->tun_buf);
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
	d->mtu = d->cfg->mtu;
	d->tun.fd = d->sig.fd = -1;
	d->udp.fd4 = d->udp.fd6 = -1;
	d->ctl.lfd.fd = -1;
	d->loop.epfd = -1;
	d->started = timerq_now();
	if (setup(d) == 0) {
		if (opts->ready_fd >= 0)
			daemonize_ready(opts->ready_fd);
		rc = run(d);
	}
	teardown(d);
	log_info("%s: stopped", d->ifname);
	if (opts->pidfile)
		unlink(opts->pidfile);	/* fails quietly where the account may not */
	conf_free(d->cfg);
	secmem_free(d->cfg);
	secmem_free(d);
	return rc;
}

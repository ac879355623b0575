/* SPDX-License-Identifier: ISC */
/* Names follow the Prometheus conventions: an ovpn_ prefix, base units
 * (bytes, seconds), _total on counters, one family with a reason label for
 * the drops. Every sample carries interface="..."; peer samples also
 * peer="NAME". Families are written whole, each after its HELP and TYPE. */
#include "config.h"

#include <stddef.h>
#include <stdio.h>

#include "dump.h"
#include "metrics.h"
#include "timerq.h"

struct metrics_ctx {
	const struct peerset *ps;
	const struct dataplane *dp;
	const struct control *ctl;
	struct strbuf *out;
	uint64_t now;
};

/* A label value: backslash, double quote and newline escaped. */
static void label_value(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			strbuf_printf(out, "\\%c", *s);
		else if (*s == '\n')
			strbuf_printf(out, "\\n");
		else
			strbuf_append(out, s, 1);
	}
}

static void family(struct metrics_ctx *m, const char *name, const char *type, const char *help)
{
	strbuf_printf(m->out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{interface="...",peer="..."[,reason="..."]} value */
static void sample(struct metrics_ctx *m, const char *name, const struct peer *p,
		   const char *reason, uint64_t value)
{
	strbuf_printf(m->out, "%s{interface=\"", name);
	label_value(m->out, m->dp->ifname);
	if (p) {
		strbuf_printf(m->out, "\",peer=\"");
		label_value(m->out, p->name);
	}
	if (reason)
		strbuf_printf(m->out, "\",reason=\"%s", reason);
	strbuf_printf(m->out, "\"} %llu\n", (unsigned long long)value);
}

static uint64_t stat_at(const struct peer *p, size_t off)
{
	return *(const uint64_t *)(const void *)((const char *)&p->stats + off);
}

static const struct {
	const char *suffix, *help;
	size_t off;
} traffic[] = {
	{ "rx_bytes_total", "Inner packet bytes received and opened.", offsetof(struct peer_stats, rx_bytes) },
	{ "tx_bytes_total", "Inner packet bytes sealed and sent.", offsetof(struct peer_stats, tx_bytes) },
	{ "rx_packets_total", "Data packets received and opened (keepalives included).", offsetof(struct peer_stats, rx_packets) },
	{ "tx_packets_total", "Data packets sealed and sent (keepalives included).", offsetof(struct peer_stats, tx_packets) },
	{ "sessions_established_total", "Handshakes completed: sessions that became usable.", offsetof(struct peer_stats, sessions) },
	{ "queue_dropped_total", "Packets lost while waiting for a session.", offsetof(struct peer_stats, queue_drops) },
};

/* The traffic counters, per peer and summed per interface. */
static void render_traffic(struct metrics_ctx *m)
{
	char name[64];

	for (size_t t = 0; t < sizeof(traffic) / sizeof(traffic[0]); t++) {
		uint64_t sum = 0;

		snprintf(name, sizeof(name), "ovpn_peer_%s", traffic[t].suffix);
		family(m, name, "counter", traffic[t].help);
		for (size_t i = 0; i < m->ps->n_peers; i++) {
			sample(m, name, m->ps->peers[i], NULL, stat_at(m->ps->peers[i], traffic[t].off));
			sum += stat_at(m->ps->peers[i], traffic[t].off);
		}
		snprintf(name, sizeof(name), "ovpn_interface_%s", traffic[t].suffix);
		family(m, name, "counter", traffic[t].help);
		sample(m, name, NULL, NULL, sum);
	}
}

static void render_peer_gauges(struct metrics_ctx *m)
{
	family(m, "ovpn_peer_latest_handshake_timestamp_seconds", "gauge",
	       "Unix time of the latest completed handshake, 0 for never.");
	for (size_t i = 0; i < m->ps->n_peers; i++)
		sample(m, "ovpn_peer_latest_handshake_timestamp_seconds", m->ps->peers[i], NULL,
		       dump_handshake_unix(m->ps->peers[i], m->now));
	family(m, "ovpn_peer_queue_packets", "gauge", "Packets waiting for a session.");
	for (size_t i = 0; i < m->ps->n_peers; i++)
		sample(m, "ovpn_peer_queue_packets", m->ps->peers[i], NULL, m->ps->peers[i]->queue_len);
}

/* Drops by reason: per peer the packets blamed on it; per interface all
 * of them (the peers' and those of no known peer). */
static void render_drops(struct metrics_ctx *m)
{
	family(m, "ovpn_peer_drops_total", "counter", "Received packets dropped, by reason.");
	for (size_t i = 0; i < m->ps->n_peers; i++)
		for (int r = DROP_NONE + 1; r < DROP_REASON_COUNT; r++)
			sample(m, "ovpn_peer_drops_total", m->ps->peers[i], drop_reason_name(r),
			       m->ps->peers[i]->stats.drops[r]);
	family(m, "ovpn_interface_drops_total", "counter",
	       "Received packets dropped, by reason, peers' included.");
	for (int r = DROP_NONE + 1; r < DROP_REASON_COUNT; r++) {
		uint64_t sum = m->dp->stats.drops[r];

		for (size_t i = 0; i < m->ps->n_peers; i++)
			sum += m->ps->peers[i]->stats.drops[r];
		sample(m, "ovpn_interface_drops_total", NULL, drop_reason_name(r), sum);
	}
}

static void render_interface(struct metrics_ctx *m)
{
	const struct dataplane *d = m->dp;
	const struct {
		const char *name, *type, *help;
		uint64_t value;
	} rows[] = {
		{ "ovpn_interface_peers", "gauge", "Configured peers.", m->ps->n_peers },
		{ "ovpn_interface_cookies_sent_total", "counter",
		  "Handshakes answered with a cookie reply (under load).", d->stats.cookies_sent },
		{ "ovpn_interface_rate_limited_total", "counter",
		  "Handshake messages over the per-address rate, dropped.", d->stats.drops[DROP_HS_RATE_LIMITED] },
		{ "ovpn_interface_under_load", "gauge",
		  "1 while over the handshake load threshold (mac2 demanded).", dataplane_under_load(d, m->now) },
		{ "ovpn_interface_unknown_type_total", "counter", "Datagrams of no message type.", d->stats.unknown_type },
		{ "ovpn_interface_no_route_total", "counter", "Tun packets for no peer's allowed-ips.", d->stats.no_route },
		{ "ovpn_interface_no_endpoint_total", "counter", "Packets for a peer of unknown address.", d->stats.no_endpoint },
		{ "ovpn_interface_tun_malformed_total", "counter", "Tun packets neither IPv4 nor IPv6.", d->stats.tun_malformed },
		{ "ovpn_interface_tun_write_dropped_total", "counter", "Packets lost writing to the tun.", d->stats.tun_write_drops },
		{ "ovpn_interface_udp_send_dropped_total", "counter", "Datagrams lost sending.", d->stats.udp_send_drops },
		{ "ovpn_interface_control_rejected_total", "counter",
		  "Control connections refused, all slots busy.", m->ctl->rejected },
	};
	uint64_t queued = 0;

	for (size_t i = 0; i < m->ps->n_peers; i++)
		queued += m->ps->peers[i]->queue_len;
	family(m, "ovpn_interface_queue_packets", "gauge", "Packets waiting for a session, all peers.");
	sample(m, "ovpn_interface_queue_packets", NULL, NULL, queued);
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		family(m, rows[i].name, rows[i].type, rows[i].help);
		sample(m, rows[i].name, NULL, NULL, rows[i].value);
	}
}

void metrics_render(const struct status_src *src, struct strbuf *out, uint64_t now)
{
	struct metrics_ctx m = { src->peers, src->dp, src->ctl, out, now };

	render_traffic(&m);
	render_peer_gauges(&m);
	render_drops(&m);
	render_interface(&m);
}

void metrics_serve(void *ctx, struct strbuf *body)
{
	metrics_render(ctx, body, timerq_now());
}

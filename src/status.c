/* SPDX-License-Identifier: ISC */
/* What `ovpnctl show` prints: the interface and its peers, as text in the
 * manner of `wg show`, or as one JSON document with stable names. Public
 * keys only: no private or session key is ever rendered. */
#include "config.h"

#include "aead.h"
#include "dump.h"
#include "key.h"
#include "sandbox.h"
#include "status.h"
#include "timerq.h"

/* Seconds since the latest handshake, or -1 for none. */
static long long handshake_age(const struct peer *p, uint64_t now)
{
	if (!p->proto.has_handshake)
		return -1;
	return (long long)((now - p->proto.last_handshake) / TIMERS_NS_PER_SEC);
}

static void human_bytes(struct strbuf *out, uint64_t n)
{
	static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	unsigned u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		strbuf_printf(out, "%llu B", (unsigned long long)n);
	else
		strbuf_printf(out, "%.2f %s", v, units[u]);
}

static void text_peer(struct strbuf *out, const struct peer *p, uint64_t now)
{
	char key[64], ep[ENDPOINT_STRLEN], ip[CIDR_STRLEN];
	long long age = handshake_age(p, now);
	bool any = false;

	key_to_base64(key, p->public_key);
	strbuf_printf(out, "\npeer: %s\n  public key: %s\n", p->name, key);
	/* As wg show: that there is one, never the key. */
	if (p->proto.has_psk)
		strbuf_printf(out, "  preshared key: (hidden)\n");
	if (p->has_endpoint)
		strbuf_printf(out, "  endpoint: %s%s\n", endpoint_format(&p->endpoint, ep, sizeof(ep)),
			      p->resolving ? " (resolving)" : "");
	else if (p->resolving)
		strbuf_printf(out, "  endpoint: resolving %s\n", p->conf->endpoint_host);
	strbuf_printf(out, "  allowed ips: ");
	for (size_t i = 0; i < p->n_allowed_ips; i++) {
		cidr_format(&p->allowed_ips[i], ip);
		strbuf_printf(out, "%s%s", i ? ", " : "", ip);
	}
	strbuf_printf(out, "%s\n", p->n_allowed_ips ? "" : "(none)");
	if (age >= 0)
		strbuf_printf(out, "  latest handshake: %lld seconds ago\n", age);
	else
		strbuf_printf(out, "  latest handshake: never\n");
	strbuf_printf(out, "  transfer: ");
	human_bytes(out, p->stats.rx_bytes);
	strbuf_printf(out, " received (%llu packets), ", (unsigned long long)p->stats.rx_packets);
	human_bytes(out, p->stats.tx_bytes);
	strbuf_printf(out, " sent (%llu packets)\n", (unsigned long long)p->stats.tx_packets);
	if (p->persistent_keepalive)
		strbuf_printf(out, "  persistent keepalive: every %u seconds\n", p->persistent_keepalive);
	if (p->queue_len || p->stats.queue_drops)
		strbuf_printf(out, "  pending: %u packets waiting, %llu dropped\n", p->queue_len,
			      (unsigned long long)p->stats.queue_drops);
	strbuf_printf(out, "  drops:");
	for (int r = DROP_NONE + 1; r < DROP_REASON_COUNT; r++) {
		if (!p->stats.drops[r])
			continue;
		strbuf_printf(out, " %s %llu", drop_reason_name(r), (unsigned long long)p->stats.drops[r]);
		any = true;
	}
	strbuf_printf(out, "%s\n", any ? "" : " none");
}

/* Losses of the data path that are not a bad packet from a peer. */
#define DAEMON_COUNTERS(s) \
	const struct { const char *text, *json; const uint64_t *value; } counters[] = { \
		{ "unknown-type", "unknown_type", &(s)->dp->stats.unknown_type }, \
		{ "no-route", "no_route", &(s)->dp->stats.no_route }, \
		{ "unreachable-sent", "unreachable_sent", &(s)->dp->stats.unreachable_sent }, \
		{ "no-endpoint", "no_endpoint", &(s)->dp->stats.no_endpoint }, \
		{ "tun-malformed", "tun_malformed", &(s)->dp->stats.tun_malformed }, \
		{ "tun-write-dropped", "tun_write_dropped", &(s)->dp->stats.tun_write_drops }, \
		{ "udp-send-dropped", "udp_send_dropped", &(s)->dp->stats.udp_send_drops }, \
		{ "udp-too-big", "udp_too_big", &(s)->dp->stats.udp_too_big }, \
		{ "routing-loop", "routing_loop", &(s)->dp->stats.routing_loop }, \
		{ "control-rejected", "control_rejected", &(s)->ctl->rejected }, \
		{ "control-denied", "control_denied", &(s)->ctl->denied }, \
		{ "cookies-sent", "cookies_sent", &(s)->dp->stats.cookies_sent }, \
		{ "queue-delay-dropped", "queue_delay_dropped", &(s)->dp->stats.queue_delay_drops }, \
	}

static const char *on_off(bool on)
{
	return on ? "on" : "off";
}

static const char *json_bool(bool v)
{
	return v ? "true" : "false";
}

static void text_render(const struct status_src *s, struct strbuf *out, uint64_t now)
{
	DAEMON_COUNTERS(s);
	const struct dataplane *d = s->dp;
	char key[64];

	key_to_base64(key, d->host->public_key);
	strbuf_printf(out, "interface: %s\n  public key: %s\n  listen port: %u\n",
		      d->ifname, key, d->udp.port);
	strbuf_printf(out, "  offloads: tun %s, udp gso %s, udp gro %s\n", on_off(d->vnet),
		      on_off(d->udp.gso), on_off(d->udp.gro));
	strbuf_printf(out, "  aead: chacha20-poly1305 from %s\n", aead_impl_name(AEAD_AUTO));
	strbuf_printf(out, "  sandbox: %s\n", sandbox_mode_name(s->sandbox));
	strbuf_printf(out, "  workers: %u\n", d->workers);
	/* Drops no peer can be blamed for: unknown index, bad mac1, ... */
	size_t mark;

	strbuf_printf(out, "  drops:");
	mark = out->len;
	for (int r = DROP_NONE + 1; r < DROP_REASON_COUNT; r++)
		if (d->stats.drops[r])
			strbuf_printf(out, " %s %llu", drop_reason_name(r),
				      (unsigned long long)d->stats.drops[r]);
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		if (*counters[i].value)
			strbuf_printf(out, " %s %llu", counters[i].text,
				      (unsigned long long)*counters[i].value);
	strbuf_printf(out, "%s\n", out->len == mark ? " none" : "");
	for (size_t i = 0; i < s->peers->n_peers; i++)
		text_peer(out, s->peers->peers[i], now);
}

static void json_drops(struct strbuf *out, const uint64_t *drops)
{
	strbuf_printf(out, "{");
	for (int r = DROP_NONE + 1; r < DROP_REASON_COUNT; r++) {
		char name[64];
		size_t j;

		/* snake_case of the stable name: "bad-tag" -> "bad_tag" */
		for (j = 0; drop_reason_name(r)[j] && j < sizeof(name) - 1; j++)
			name[j] = drop_reason_name(r)[j] == '-' ? '_' : drop_reason_name(r)[j];
		name[j] = '\0';
		strbuf_printf(out, "%s\"%s\": %llu", r > DROP_NONE + 1 ? ", " : "", name,
			      (unsigned long long)drops[r]);
	}
	strbuf_printf(out, "}");
}

static void json_peer(struct strbuf *out, const struct peer *p, uint64_t now)
{
	char key[64], ep[ENDPOINT_STRLEN], ip[CIDR_STRLEN];

	key_to_base64(key, p->public_key);
	strbuf_printf(out, "{\"name\": ");
	strbuf_json_string(out, p->name);
	strbuf_printf(out, ", \"public_key\": \"%s\", \"preshared_key\": %s, \"endpoint\": ",
		      key, json_bool(p->proto.has_psk));
	if (p->has_endpoint)
		strbuf_json_string(out, endpoint_format(&p->endpoint, ep, sizeof(ep)));
	else
		strbuf_printf(out, "null");
	strbuf_printf(out, ", \"resolving\": %s", json_bool(p->resolving));
	strbuf_printf(out, ", \"allowed_ips\": [");
	for (size_t i = 0; i < p->n_allowed_ips; i++) {
		cidr_format(&p->allowed_ips[i], ip);
		strbuf_printf(out, "%s\"%s\"", i ? ", " : "", ip);
	}
	strbuf_printf(out, "], \"latest_handshake\": %lld, \"latest_handshake_unix\": %llu, \"persistent_keepalive\": %u, "
		      "\"rx_bytes\": %llu, \"tx_bytes\": %llu, \"rx_packets\": %llu, \"tx_packets\": %llu, \"drops\": ",
		      handshake_age(p, now), (unsigned long long)dump_handshake_unix(p, now),
		      p->persistent_keepalive,
		      (unsigned long long)p->stats.rx_bytes, (unsigned long long)p->stats.tx_bytes,
		      (unsigned long long)p->stats.rx_packets, (unsigned long long)p->stats.tx_packets);
	json_drops(out, p->stats.drops);
	strbuf_printf(out, ", \"pending_packets\": %u, \"pending_dropped\": %llu", p->queue_len,
		      (unsigned long long)p->stats.queue_drops);
	strbuf_printf(out, "}");
}

static void json_render(const struct status_src *s, struct strbuf *out, uint64_t now)
{
	DAEMON_COUNTERS(s);
	const struct dataplane *d = s->dp;
	char key[64];

	key_to_base64(key, d->host->public_key);
	strbuf_printf(out, "{\"interface\": ");
	strbuf_json_string(out, d->ifname);
	strbuf_printf(out, ", \"public_key\": \"%s\", \"listen_port\": %u", key, d->udp.port);
	strbuf_printf(out, ", \"offloads\": {\"tun\": %s, \"udp_gso\": %s, \"udp_gro\": %s}",
		      json_bool(d->vnet), json_bool(d->udp.gso), json_bool(d->udp.gro));
	strbuf_printf(out, ", \"aead\": \"%s\"", aead_impl_name(AEAD_AUTO));
	strbuf_printf(out, ", \"sandbox\": \"%s\"", sandbox_mode_name(s->sandbox));
	strbuf_printf(out, ", \"workers\": %u", d->workers);
	strbuf_printf(out, ", \"drops\": ");
	json_drops(out, d->stats.drops);
	strbuf_printf(out, ", \"counters\": {");
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++)
		strbuf_printf(out, "%s\"%s\": %llu", i ? ", " : "", counters[i].json,
			      (unsigned long long)*counters[i].value);
	strbuf_printf(out, "}, \"peers\": [");
	for (size_t i = 0; i < s->peers->n_peers; i++) {
		strbuf_printf(out, "%s", i ? ", " : "");
		json_peer(out, s->peers->peers[i], now);
	}
	strbuf_printf(out, "]}\n");
}

void status_render(const struct status_src *src, struct strbuf *out, bool json)
{
	uint64_t now = timerq_now();

	if (json)
		json_render(src, out, now);
	else
		text_render(src, out, now);
}

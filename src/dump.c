/* SPDX-License-Identifier: ISC */
/* The columns are those of `wg show dump`, so that scripts written for
 * WireGuard read it; private and pre-shared keys are never sent
 * ("(hidden)"), and a ninth column on peer lines carries the peer's name. */
#include "config.h"

#include <time.h>

#include "dump.h"
#include "key.h"

uint64_t dump_handshake_unix(const struct peer *p, uint64_t now)
{
	struct timespec ts;
	uint64_t age, wall;

	if (!p->proto.has_handshake)
		return 0;
	/* In nanoseconds, so that two renderings agree on the second. */
	clock_gettime(CLOCK_REALTIME, &ts);
	wall = (uint64_t)ts.tv_sec * TIMERS_NS_PER_SEC + (uint64_t)ts.tv_nsec;
	age = now - p->proto.last_handshake;
	return age < wall ? (wall - age) / TIMERS_NS_PER_SEC : 1;
}

static void dump_allowed_ips(struct strbuf *out, const struct peer *p)
{
	char ip[CIDR_STRLEN];

	for (size_t i = 0; i < p->n_allowed_ips; i++) {
		cidr_format(&p->allowed_ips[i], ip);
		strbuf_printf(out, "%s%s", i ? "," : "", ip);
	}
	if (!p->n_allowed_ips)
		strbuf_printf(out, "(none)");
}

static void dump_peer(struct strbuf *out, const struct peer *p, uint64_t now)
{
	char key[64], ep[ENDPOINT_STRLEN];

	key_to_base64(key, p->public_key);
	/* The pre-shared key is never sent: "(hidden)" says there is one. */
	strbuf_printf(out, "%s\t%s\t%s\t", key, p->proto.has_psk ? "(hidden)" : "(none)",
		      p->has_endpoint ? endpoint_format(&p->endpoint, ep, sizeof(ep)) : "(none)");
	dump_allowed_ips(out, p);
	strbuf_printf(out, "\t%llu\t%llu\t%llu\t", (unsigned long long)dump_handshake_unix(p, now),
		      (unsigned long long)p->stats.rx_bytes, (unsigned long long)p->stats.tx_bytes);
	if (p->persistent_keepalive)
		strbuf_printf(out, "%u", p->persistent_keepalive);
	else
		strbuf_printf(out, "off");
	strbuf_printf(out, "\t%s\n", p->name);
}

void dump_render(const struct status_src *src, struct strbuf *out, uint64_t now)
{
	char key[64];

	key_to_base64(key, src->dp->host->public_key);
	strbuf_printf(out, "(hidden)\t%s\t%u\t", key, src->dp->udp.port);
	if (src->dp->udp.mark)	/* as wg: the sockets' mark, in hex */
		strbuf_printf(out, "0x%x\n", (unsigned)src->dp->udp.mark);
	else
		strbuf_printf(out, "off\n");
	for (size_t i = 0; i < src->peers->n_peers; i++)
		dump_peer(out, src->peers->peers[i], now);
}

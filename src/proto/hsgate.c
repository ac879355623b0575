/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sodium.h>
#include <string.h>

#include "hsgate.h"


int hsgate_init(struct hsgate *g, const uint8_t our_public[PROTO_KEY_LEN])
{
	memset(g, 0, sizeof(*g));
	ratelimit_init(&g->limiter);
	return cookie_checker_init(&g->cookies, our_public);
}

void hsgate_wipe(struct hsgate *g)
{
	cookie_checker_wipe(&g->cookies);
	sodium_memzero(g->limiter.hash_key, sizeof(g->limiter.hash_key));
}

static void load_roll(struct hsgate *g, uint64_t now)
{
	if (now - g->load_window < TIMERS_NS_PER_SEC)
		return;
	g->load_prev = now - g->load_window < 2 * TIMERS_NS_PER_SEC ? g->load_count : 0;
	g->load_count = 0;
	g->load_window = now;
}

bool hsgate_under_load(const struct hsgate *g, uint64_t now)
{
	unsigned prev = g->load_prev, count = g->load_count;

	if (now - g->load_window >= TIMERS_NS_PER_SEC) {
		prev = now - g->load_window < 2 * TIMERS_NS_PER_SEC ? count : 0;
		count = 0;
	}
	return count > HSGATE_LOAD_THRESHOLD || prev > HSGATE_LOAD_THRESHOLD;
}

enum drop_reason hsgate_check(struct hsgate *g, const struct proto_host *host,
			      const struct hsgate_msg *m, uint64_t now,
			      uint8_t cookie[COOKIE_LEN], const uint8_t **need_mac2)
{
	enum drop_reason why = proto_handshake_check(host, m->buf, m->len, NULL);

	*need_mac2 = NULL;
	if (why != DROP_NONE)
		return why;		/* junk: not counted toward the load */
	load_roll(g, now);
	g->load_count++;
	if (!hsgate_under_load(g, now))
		return DROP_NONE;
	if (cookie_for(&g->cookies, m->src, now, cookie) < 0)
		return DROP_HS_NO_RESOURCES;
	if (proto_handshake_check(host, m->buf, m->len, cookie) != DROP_NONE)
		return DROP_HS_BAD_MAC2;
	if (!ratelimit_allow(&g->limiter, m->src, now))
		return DROP_HS_RATE_LIMITED;
	*need_mac2 = cookie;
	return DROP_NONE;
}

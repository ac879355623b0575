/* SPDX-License-Identifier: ISC */
/* The gate in front of every handshake message (types 1 and 2), in
 * WireGuard's order so that junk costs one BLAKE2s and nothing else:
 * length, type and mac1 first; only mac1-valid messages count toward the
 * load; under load mac2 must carry the sender's cookie (else a cookie
 * reply), and only then does the per-source rate limit apply. DH work is
 * bounded: below the load threshold by the threshold itself, above it by
 * the rate limit of cookie-proven sources. */
#ifndef OVPN_HSGATE_H
#define OVPN_HSGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "cookie.h"
#include "drop.h"
#include "proto.h"
#include "ratelimit.h"

/* Above this many mac1-valid handshake messages a second the host is
 * under load: it answers one without a valid mac2 with a cookie. */
#define HSGATE_LOAD_THRESHOLD 50

struct hsgate {
	struct cookie_checker cookies;
	struct ratelimit limiter;
	uint64_t load_window;		/* ns: start of the current second */
	unsigned load_count, load_prev;	/* in the current and the previous second */
};

/* A received handshake message. */
struct hsgate_msg {
	const uint8_t *buf;
	size_t len;
	const struct sockaddr *src;	/* AF_INET or AF_INET6 */
};

/* 0 or -1. */
int hsgate_init(struct hsgate *g, const uint8_t our_public[PROTO_KEY_LEN]);
void hsgate_wipe(struct hsgate *g);
/* DROP_NONE: go on to the protocol with *need_mac2 (the cookie in cookie,
 * or NULL when not under load). DROP_HS_BAD_MAC2: answer with a cookie
 * reply. Anything else: drop and count. */
enum drop_reason hsgate_check(struct hsgate *g, const struct proto_host *host,
			      const struct hsgate_msg *m, uint64_t now,
			      uint8_t cookie[COOKIE_LEN], const uint8_t **need_mac2);
/* Under load now (without counting a message). */
bool hsgate_under_load(const struct hsgate *g, uint64_t now);

#endif

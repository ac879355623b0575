/* SPDX-License-Identifier: ISC */
/* Handshake rate limit per source address (a token bucket each, in a fixed
 * table): a flood from one address cannot take the CPU from the data path,
 * and the table cannot grow whatever the sources. */
#ifndef OVPN_RATELIMIT_H
#define OVPN_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#define RATELIMIT_SLOTS 4096		/* power of two */
#define RATELIMIT_PROBES 8
#define RATELIMIT_PER_SECOND 20		/* handshake messages per address or /64 */
#define RATELIMIT_BURST 5

struct ratelimit_entry {
	uint8_t addr[16];
	uint8_t family;
	uint64_t last;			/* ns of the latest update */
	uint64_t allowance;		/* ns of credit, at most BURST intervals */
};

struct ratelimit {
	uint8_t hash_key[16];		/* random: sources cannot aim at one slot */
	struct ratelimit_entry slots[RATELIMIT_SLOTS];
};

void ratelimit_init(struct ratelimit *r);
/* May a handshake message from src (AF_INET or AF_INET6) be processed at now? Ports do not
 * matter: one IPv4 address, or one IPv6 /64, is one bucket. */
bool ratelimit_allow(struct ratelimit *r, const struct sockaddr *src, uint64_t now);

#endif

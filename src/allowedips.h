/* SPDX-License-Identifier: ISC */
/* Cryptokey routing: longest-prefix match from an IP address to a peer.
 *
 * A path-compressed binary trie per family: a lookup visits at most one node
 * per prefix length (33 for IPv4, 129 for IPv6), whatever the number of
 * entries, and allocates nothing. Only insert allocates (config time). */
#ifndef OVPN_ALLOWEDIPS_H
#define OVPN_ALLOWEDIPS_H

#include <stdint.h>

struct aip_node;

struct allowedips {
	struct aip_node *root4;
	struct aip_node *root6;
};

void allowedips_init(struct allowedips *t);
void allowedips_free(struct allowedips *t);

/* family is AF_INET (addr 4 bytes, plen <= 32) or AF_INET6 (16, <= 128).
 * Host bits beyond plen are ignored. An identical prefix gets the new value.
 * value must not be NULL. Returns 0, or -1 (logged) on bad input or ENOMEM. */
int allowedips_insert(struct allowedips *t, int family, const uint8_t *addr,
		      uint8_t plen, void *value);
/* Returns 0 when removed, -1 when the prefix was not in the table. */
int allowedips_remove(struct allowedips *t, int family, const uint8_t *addr,
		      uint8_t plen);
/* Drop every prefix mapping to value; returns how many were dropped. */
unsigned allowedips_remove_by_value(struct allowedips *t, const void *value);
/* The value of the longest prefix holding addr, or NULL. */
void *allowedips_lookup(const struct allowedips *t, int family,
			const uint8_t *addr);

/* Called for each prefix mapping to the walked value (addr is 4 or 16
 * bytes, host bits zero); a non-zero return stops the walk. */
typedef int (*allowedips_walk_fn)(int family, const uint8_t *addr,
				  uint8_t plen, void *ctx);
/* IPv4 first, then IPv6, each in address order. Returns the number of
 * prefixes visited (including the one that stopped the walk). */
unsigned allowedips_walk(const struct allowedips *t, const void *value,
			 allowedips_walk_fn fn, void *ctx);

#endif

/* SPDX-License-Identifier: ISC */
/* IPv4/IPv6 prefixes ("10.77.0.0/24", "fd77::1/64"): parse, format, compare. */
#ifndef OVPN_CIDR_H
#define OVPN_CIDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest text: a full IPv6 address, '/', "128" and the NUL. */
#define CIDR_STRLEN (46 + 4)

struct cidr {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* network byte order; 4 bytes used for IPv4 */
	uint8_t prefix_len;
};

/*
 * Parse "ADDR/LEN", or "ADDR" meaning a host prefix (/32 or /128).  Host
 * bits are kept: whether they may be set is the caller's rule.  On failure
 * *why (if not NULL) says what is wrong.
 */
int cidr_parse(const char *text, struct cidr *out, const char **why);
void cidr_format(const struct cidr *c, char out[CIDR_STRLEN]);
bool cidr_host_bits_set(const struct cidr *c);
/* Clear the host bits, giving the network prefix. */
void cidr_mask(struct cidr *c);
/* A total order (family, prefix length, address) for sorting. */
int cidr_compare(const struct cidr *a, const struct cidr *b);

#endif

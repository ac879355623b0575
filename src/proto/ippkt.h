/* SPDX-License-Identifier: ISC */
/*
 * Inner packet check after decryption: IPv4 or IPv6, header fits, the IP
 * length field fits the plaintext; the padding after it is trimmed.
 */
#ifndef OVPN_IPPKT_H
#define OVPN_IPPKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ippkt {
	int family;		/* AF_INET or AF_INET6 */
	const uint8_t *src;	/* 4 or 16 bytes, inside the packet */
	const uint8_t *dst;
	size_t len;		/* per the IP length field, padding trimmed */
};

/* 0, or -1 when malformed. */
int ippkt_parse(const uint8_t *pkt, size_t len, struct ippkt *out);
/* An IPv4 or IPv6 packet carrying UDP (unfragmented, or the first
 * fragment) whose payload starts as a WireGuard/ovpn message: type 1-4,
 * then three zero bytes. Another tunnel's packet (routeloop.h). */
bool ippkt_is_tunnel_datagram(const uint8_t *pkt, size_t len);

#endif

/* SPDX-License-Identifier: ISC */
/* Peer endpoints: the address type both the protocol core (cookies, rate
 * limit) and the daemon use, its helpers, and the config form "host:port",
 * "[v6]:port". */
#ifndef OVPN_ENDPOINT_H
#define OVPN_ENDPOINT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* An IPv4 or IPv6 address and port; sa.sa_family says which. With has_src,
 * also our own address the peer's packets came to (IP_PKTINFO): what is
 * sent there leaves from it, as kernel WireGuard does, so a multi-homed
 * host answers from the address it was asked on. */
struct endpoint {
	union {
		struct sockaddr sa;
		struct sockaddr_in in4;
		struct sockaddr_in6 in6;
	};
	union {
		struct in_addr src4;
		struct in6_addr src6;
	};
	bool has_src;
};

/* "255.255.255.255:65535" or "[v6%scope]:65535" fits. */
#define ENDPOINT_STRLEN (INET6_ADDRSTRLEN + 20)

/* Same family, address, port (and IPv6 scope id); the source is not compared. */
bool endpoint_eq(const struct endpoint *a, const struct endpoint *b);
/* Same source address (or both without one). */
bool endpoint_src_eq(const struct endpoint *a, const struct endpoint *b);
/* Writes "addr:port" or "[addr]:port" ("(none)" if unset); returns buf. */
const char *endpoint_format(const struct endpoint *ep, char *buf, size_t len);
void endpoint_copy(struct endpoint *dst, const struct endpoint *src);
/* sizeof the sockaddr in use, 0 if the family is unset. */
socklen_t endpoint_len(const struct endpoint *ep);

/* A DNS name is at most 253 characters. */
#define ENDPOINT_HOST_SIZE 254

/*
 * Check the syntax of text (IPv4:port, [IPv6]:port or hostname:port, port
 * 1 to 65535) without resolving anything.  host gets the address or name
 * without brackets.  On failure *why (if not NULL) says what is wrong.
 */
int endpoint_parse(const char *text, char host[ENDPOINT_HOST_SIZE],
		   uint16_t *port, const char **why);

#endif

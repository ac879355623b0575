/* Peer endpoints as written in the config: "host:port", "[v6]:port". */
#ifndef OVPN_ENDPOINT_H
#define OVPN_ENDPOINT_H

#include <stddef.h>
#include <stdint.h>

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

/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "cidr.h"

static size_t addr_len(int family)
{
	return family == AF_INET ? 4 : 16;
}

/* Decimal without sign, spaces or leading zeros, at most max. */
static int parse_prefix_len(const char *s, unsigned max, uint8_t *out)
{
	unsigned v = 0;

	if (!*s || (s[0] == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max)
			return -1;
	}
	*out = (uint8_t)v;
	return 0;
}

int cidr_parse(const char *text, struct cidr *out, const char **why)
{
	char addr[CIDR_STRLEN];
	const char *slash = strchr(text, '/');
	size_t len = slash ? (size_t)(slash - text) : strlen(text);
	const char *ignored;
	unsigned max;

	if (!why)
		why = &ignored;
	memset(out, 0, sizeof(*out));
	if (len == 0 || len >= INET6_ADDRSTRLEN) {
		*why = "not an IPv4 or IPv6 address";
		return -1;
	}
	memcpy(addr, text, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET, addr, out->addr) == 1)
		out->family = AF_INET;
	else if (inet_pton(AF_INET6, addr, out->addr) == 1)
		out->family = AF_INET6;
	else {
		*why = "not an IPv4 or IPv6 address";
		return -1;
	}
	max = out->family == AF_INET ? 32 : 128;
	out->prefix_len = (uint8_t)max;
	if (slash && parse_prefix_len(slash + 1, max, &out->prefix_len) < 0) {
		*why = out->family == AF_INET ? "prefix length is not 0 to 32"
					      : "prefix length is not 0 to 128";
		return -1;
	}
	return 0;
}

void cidr_format(const struct cidr *c, char out[CIDR_STRLEN])
{
	char addr[INET6_ADDRSTRLEN];

	if (!inet_ntop(c->family, c->addr, addr, sizeof(addr)))
		snprintf(addr, sizeof(addr), "?");
	snprintf(out, CIDR_STRLEN, "%s/%u", addr, (unsigned)c->prefix_len);
}

bool cidr_host_bits_set(const struct cidr *c)
{
	struct cidr net = *c;

	cidr_mask(&net);
	return memcmp(net.addr, c->addr, sizeof(c->addr)) != 0;
}

void cidr_mask(struct cidr *c)
{
	size_t len = addr_len(c->family);
	unsigned bits = c->prefix_len;

	for (size_t i = 0; i < len; i++) {
		if (bits >= 8) {
			bits -= 8;
			continue;
		}
		c->addr[i] &= (uint8_t)(0xff00u >> bits);
		bits = 0;
	}
}

int cidr_compare(const struct cidr *a, const struct cidr *b)
{
	if (a->family != b->family)
		return a->family < b->family ? -1 : 1;
	if (a->prefix_len != b->prefix_len)
		return a->prefix_len < b->prefix_len ? -1 : 1;
	return memcmp(a->addr, b->addr, addr_len(a->family));
}

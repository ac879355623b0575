/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "endpoint.h"

static int parse_port(const char *s, uint16_t *port)
{
	unsigned v = 0;

	if (!*s || s[0] == '0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
		if (v > 65535)
			return -1;
	}
	*port = (uint16_t)v;
	return 0;
}

static bool is_label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-';
}

/* RFC 1123 host name: dot-separated labels of 1 to 63 letters, digits and
 * inner hyphens; one trailing dot allowed. */
static bool is_hostname(const char *s, size_t len)
{
	size_t label = 0;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return false;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (label == 0 || label > 63 || s[i - 1] == '-')
				return false;
			label = 0;
			continue;
		}
		if (!is_label_char(s[i]) || (label == 0 && s[i] == '-'))
			return false;
		label++;
	}
	return true;
}

/* An IPv6 address with an optional zone: "fe80::1%eth0" (an interface
 * name) or "fe80::1%2" (an index), as getaddrinfo takes it. */
static const char *check_ipv6(const char *host)
{
	char addr[INET6_ADDRSTRLEN];
	unsigned char bin[16];
	const char *zone = strchr(host, '%');
	size_t len = zone ? (size_t)(zone - host) : strlen(host);

	if (len >= sizeof(addr))
		return "not an IPv6 address inside [ ]";
	memcpy(addr, host, len);
	addr[len] = '\0';
	if (inet_pton(AF_INET6, addr, bin) != 1)
		return "not an IPv6 address inside [ ]";
	if (!zone)
		return NULL;
	zone++;
	if (!*zone || strlen(zone) >= 16 || zone[strspn(zone,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-@")])
		return "zone after '%' is not an interface name or index";
	return NULL;
}

/* All digits and dots: meant as IPv4, so it must be a valid one. */
static bool looks_numeric(const char *s)
{
	return s[strspn(s, "0123456789.")] == '\0';
}

static const char *split_host(const char *text, char host[ENDPOINT_HOST_SIZE],
			      const char **port_text)
{
	const char *end;
	size_t len;

	if (text[0] == '[') {
		end = strchr(text, ']');
		if (!end || end[1] != ':')
			return "IPv6 endpoint must be written [address]:port";
		text++;
		*port_text = end + 2;
	} else {
		end = strrchr(text, ':');
		if (!end)
			return "no port (host:port or [IPv6]:port)";
		if (memchr(text, ':', (size_t)(end - text)))
			return "IPv6 endpoint must be written [address]:port";
		*port_text = end + 1;
	}
	len = (size_t)(end - text);
	if (len == 0)
		return "no host";
	if (len >= ENDPOINT_HOST_SIZE)
		return "host name longer than 253 characters";
	memcpy(host, text, len);
	host[len] = '\0';
	return NULL;
}

int endpoint_parse(const char *text, char host[ENDPOINT_HOST_SIZE],
		   uint16_t *port, const char **why)
{
	unsigned char addr[16];
	const char *port_text = NULL;
	const char *reason;
	bool bracketed = text[0] == '[';

	reason = split_host(text, host, &port_text);
	if (reason)
		goto out;
	if (bracketed) {
		reason = check_ipv6(host);
	} else if (looks_numeric(host)) {
		if (inet_pton(AF_INET, host, addr) != 1)
			reason = "not an IPv4 address";
	} else if (!is_hostname(host, strlen(host))) {
		reason = "not a valid host name";
	}
	if (!reason && parse_port(port_text, port) < 0)
		reason = "port is not 1 to 65535";
out:
	if (reason) {
		host[0] = '\0';
		if (why)
			*why = reason;
		return -1;
	}
	return 0;
}

bool endpoint_eq(const struct endpoint *a, const struct endpoint *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->in4.sin_port == b->in4.sin_port &&
		       a->in4.sin_addr.s_addr == b->in4.sin_addr.s_addr;
	if (a->sa.sa_family == AF_INET6)
		return a->in6.sin6_port == b->in6.sin6_port &&
		       a->in6.sin6_scope_id == b->in6.sin6_scope_id &&
		       !memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, 16);
	return a->sa.sa_family == AF_UNSPEC;
}

bool endpoint_src_eq(const struct endpoint *a, const struct endpoint *b)
{
	if (a->has_src != b->has_src)
		return false;
	if (!a->has_src)
		return true;
	if (a->sa.sa_family == AF_INET)
		return a->src4.s_addr == b->src4.s_addr;
	return !memcmp(&a->src6, &b->src6, sizeof(a->src6));
}

const char *endpoint_format(const struct endpoint *ep, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], scope[IF_NAMESIZE + 12] = "";

	if (ep->sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &ep->in4.sin_addr, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, ntohs(ep->in4.sin_port));
	} else if (ep->sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &ep->in6.sin6_addr, a, sizeof(a));
		if (ep->in6.sin6_scope_id)
			snprintf(scope, sizeof(scope), "%%%u", ep->in6.sin6_scope_id);
		snprintf(buf, len, "[%s%s]:%u", a, scope, ntohs(ep->in6.sin6_port));
	} else {
		snprintf(buf, len, "(none)");
	}
	return buf;
}

socklen_t endpoint_len(const struct endpoint *ep)
{
	if (ep->sa.sa_family == AF_INET)
		return sizeof(ep->in4);
	if (ep->sa.sa_family == AF_INET6)
		return sizeof(ep->in6);
	return 0;
}

void endpoint_copy(struct endpoint *dst, const struct endpoint *src)
{
	memcpy(dst, src, sizeof(*dst));
}

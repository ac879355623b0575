/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <string.h>

#include "icmp.h"
#include "offload.h"

#define NS_PER_SEC 1000000000ull
#define IP4_HLEN 20
#define IP6_HLEN 40
#define ICMP_HLEN 8
#define IP4_REPLY_MAX 576	/* RFC 1812 4.3.2.3: quote what fits in 576 */
#define PROTO_ICMP 1
#define PROTO_ICMPV6 58

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, size_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void store_csum(uint8_t *field, uint16_t c)
{
	memcpy(field, &c, 2);
}

/* 0.0.0.0/8, multicast, limited broadcast: nobody to answer, or many. */
static bool v4_special(const uint8_t *a)
{
	return a[0] == 0 || (a[0] & 0xf0) == 0xe0 || !memcmp(a, "\xff\xff\xff\xff", 4);
}

static bool v4_answerable(const uint8_t *pkt, size_t len)
{
	size_t hlen = (size_t)(pkt[0] & 0x0f) * 4;

	if (len < IP4_HLEN || hlen < IP4_HLEN || hlen > len)
		return false;
	if (v4_special(pkt + 12) || v4_special(pkt + 16) || (get16(pkt + 6) & 0x1fff))
		return false;
	/* An ICMP error (anything but a query or a reply) gets none back. */
	if (pkt[9] == PROTO_ICMP) {
		uint8_t type;

		if (len < hlen + 1)
			return false;
		type = pkt[hlen];
		return type == 0 || type == 8 || (type >= 13 && type <= 18);
	}
	return true;
}

static size_t v4_reply(const uint8_t *pkt, size_t len, uint8_t *out)
{
	size_t quote = len < IP4_REPLY_MAX - IP4_HLEN - ICMP_HLEN ? len
		       : IP4_REPLY_MAX - IP4_HLEN - ICMP_HLEN;
	size_t total = IP4_HLEN + ICMP_HLEN + quote;
	uint8_t *icmp = out + IP4_HLEN;

	memset(out, 0, IP4_HLEN + ICMP_HLEN);
	out[0] = 0x45;
	out[1] = 0xc0;		/* internetwork control, as the kernel sends */
	put16(out + 2, total);
	out[8] = 64;
	out[9] = PROTO_ICMP;
	memcpy(out + 12, pkt + 16, 4);
	memcpy(out + 16, pkt + 12, 4);
	store_csum(out + 10, offload_csum_fold(offload_csum_add(0, out, IP4_HLEN)));
	icmp[0] = 3;		/* destination unreachable */
	icmp[1] = 1;		/* host unreachable */
	memcpy(icmp + ICMP_HLEN, pkt, quote);
	store_csum(icmp + 2, offload_csum_fold(offload_csum_add(0, icmp, ICMP_HLEN + quote)));
	return total;
}

static bool v6_special(const uint8_t *a)
{
	static const uint8_t zero[16];

	return a[0] == 0xff || !memcmp(a, zero, 16);
}

static bool v6_answerable(const uint8_t *pkt, size_t len)
{
	if (len < IP6_HLEN || v6_special(pkt + 8) || v6_special(pkt + 24))
		return false;
	/* ICMPv6 errors are types 0 to 127. Extension headers are not
	 * walked: an error behind them is answered, which RFC 4443 forbids
	 * only for errors, and those carry none in practice. */
	if (pkt[6] == PROTO_ICMPV6)
		return len > IP6_HLEN && pkt[IP6_HLEN] >= 128;
	return true;
}

static size_t v6_reply(const uint8_t *pkt, size_t len, uint8_t *out)
{
	size_t quote = len < ICMP_REPLY_MAX - IP6_HLEN - ICMP_HLEN ? len
		       : ICMP_REPLY_MAX - IP6_HLEN - ICMP_HLEN;
	size_t plen = ICMP_HLEN + quote;
	uint8_t *icmp = out + IP6_HLEN, pseudo[8] = { 0 };
	uint32_t sum;

	memset(out, 0, IP6_HLEN + ICMP_HLEN);
	out[0] = 0x60;
	put16(out + 4, plen);
	out[6] = PROTO_ICMPV6;
	out[7] = 64;
	memcpy(out + 8, pkt + 24, 16);
	memcpy(out + 24, pkt + 8, 16);
	icmp[0] = 1;		/* destination unreachable */
	icmp[1] = 3;		/* address unreachable */
	memcpy(icmp + ICMP_HLEN, pkt, quote);
	put16(pseudo + 2, plen);
	pseudo[7] = PROTO_ICMPV6;
	sum = offload_csum_add(0, out + 8, 32);
	sum = offload_csum_add(sum, pseudo, sizeof(pseudo));
	sum = offload_csum_add(sum, icmp, plen);
	store_csum(icmp + 2, offload_csum_fold(sum));
	return IP6_HLEN + plen;
}

size_t icmp_unreach(const uint8_t *pkt, size_t len, uint8_t *out, size_t cap)
{
	if (cap < ICMP_REPLY_MAX || len < 1)
		return 0;
	if ((pkt[0] >> 4) == 4 && v4_answerable(pkt, len))
		return v4_reply(pkt, len, out);
	if ((pkt[0] >> 4) == 6 && v6_answerable(pkt, len))
		return v6_reply(pkt, len, out);
	return 0;
}

bool icmp_limit_allow(struct icmp_limit *l, uint64_t now)
{
	const uint64_t cost = NS_PER_SEC / ICMP_PER_SECOND;

	if (!l->last || now - l->last >= NS_PER_SEC)
		l->credit = NS_PER_SEC;
	else
		l->credit += now - l->last;
	if (l->credit > NS_PER_SEC)
		l->credit = NS_PER_SEC;
	l->last = now;
	if (l->credit < cost)
		return false;
	l->credit -= cost;
	return true;
}

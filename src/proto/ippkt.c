/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <netinet/in.h>
#include <sys/socket.h>

#include "ippkt.h"

#define IPV4_MIN_HDR 20
#define IPV6_HDR 40

static int ippkt_v4(const uint8_t *pkt, size_t len, struct ippkt *out)
{
	size_t hdr, total;

	if (len < IPV4_MIN_HDR)
		return -1;
	hdr = (size_t)(pkt[0] & 0x0f) * 4;
	total = (size_t)pkt[2] << 8 | pkt[3];
	if (hdr < IPV4_MIN_HDR || hdr > len || total < hdr || total > len)
		return -1;
	out->family = AF_INET;
	out->src = pkt + 12;
	out->dst = pkt + 16;
	out->len = total;
	return 0;
}

static int ippkt_v6(const uint8_t *pkt, size_t len, struct ippkt *out)
{
	size_t total;

	if (len < IPV6_HDR)
		return -1;
	total = IPV6_HDR + ((size_t)pkt[4] << 8 | pkt[5]);
	if (total > len)
		return -1;
	out->family = AF_INET6;
	out->src = pkt + 8;
	out->dst = pkt + 24;
	out->len = total;
	return 0;
}

int ippkt_parse(const uint8_t *pkt, size_t len, struct ippkt *out)
{
	if (len < 1)
		return -1;
	switch (pkt[0] >> 4) {
	case 4:
		return ippkt_v4(pkt, len, out);
	case 6:
		return ippkt_v6(pkt, len, out);
	default:
		return -1;
	}
}

#define MSG_TYPE_MAX 4		/* initiation, response, cookie reply, data */
#define UDP_HDR_LEN 8

/* The UDP payload of an unfragmented packet (or of a first fragment),
 * NULL otherwise; *plen: its bytes in this packet. */
static const uint8_t *udp_payload(const uint8_t *pkt, size_t len, size_t *plen)
{
	size_t hdr;

	if (len >= IPV4_MIN_HDR && pkt[0] >> 4 == 4) {
		hdr = (size_t)(pkt[0] & 15) * 4;
		if (hdr < IPV4_MIN_HDR || pkt[9] != IPPROTO_UDP || ((pkt[6] & 0x1f) | pkt[7]))
			return NULL;	/* not UDP, or a later fragment */
	} else if (len >= IPV6_HDR && pkt[0] >> 4 == 6) {
		hdr = IPV6_HDR;
		if (pkt[6] != IPPROTO_UDP)
			return NULL;
	} else {
		return NULL;
	}
	if (len < hdr + UDP_HDR_LEN)
		return NULL;
	*plen = len - hdr - UDP_HDR_LEN;
	return pkt + hdr + UDP_HDR_LEN;
}

bool ippkt_is_tunnel_datagram(const uint8_t *pkt, size_t len)
{
	size_t n;
	const uint8_t *m = udp_payload(pkt, len, &n);

	return m && n >= 4 && m[0] >= 1 && m[0] <= MSG_TYPE_MAX && !m[1] && !m[2] && !m[3];
}

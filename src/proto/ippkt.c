/* SPDX-License-Identifier: ISC */
#include "config.h"

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

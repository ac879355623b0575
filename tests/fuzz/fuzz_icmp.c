/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer: packets read from the tun that no peer routes, answered with
 * icmp_unreach. A reply must fit its buffer, swap the addresses, carry a
 * correct checksum and quote the packet's first bytes. The same packets
 * through ippkt_is_tunnel_datagram (the two-tunnel loop guard): it reads
 * no byte past len (ASan) and says yes only to what can hold an IP and a
 * UDP header and four bytes of message.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "icmp.h"
#include "ippkt.h"
#include "offload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_reply(const uint8_t *pkt, size_t len, const uint8_t *out, size_t n)
{
	size_t ip = (out[0] >> 4) == 4 ? 20 : 40, alen = ip == 20 ? 4 : 16;
	size_t src = ip == 20 ? 12 : 8, dst = ip == 20 ? 16 : 24;

	if (n > ICMP_REPLY_MAX || n < ip + 8 || (out[0] >> 4) != (pkt[0] >> 4))
		abort();
	if (memcmp(out + src, pkt + dst, alen) || memcmp(out + dst, pkt + src, alen))
		abort();
	if (memcmp(out + ip + 8, pkt, n - ip - 8 < len ? n - ip - 8 : len))
		abort();
	if (ip == 20 && offload_csum_fold(offload_csum_add(0, out + 20, n - 20)) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[ICMP_REPLY_MAX];
	uint8_t *pkt = malloc(size ? size : 1);
	size_t n;

	if (!pkt)
		abort();
	memcpy(pkt, data, size);
	if (ippkt_is_tunnel_datagram(pkt, size) && size < 20 + 8 + 4)
		abort();
	n = icmp_unreach(pkt, size, out, sizeof(out));
	if (n)
		check_reply(pkt, size, out, n);
	free(pkt);
	return 0;
}

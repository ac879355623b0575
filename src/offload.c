/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <arpa/inet.h>
#include <string.h>

#include "offload.h"

#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_CWR 0x80
#define TCP_CSUM_OFF 16

/* Where the TCP header is and how long the headers are. */
struct tcp_at {
	int version;		/* 4 or 6 */
	size_t ip_hlen, hdr_len;
};

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint64_t fold64(uint64_t v)
{
	v = (v & 0xffffffffu) + (v >> 32);
	return (v & 0xffffffffu) + (v >> 32);
}

/* Words are summed as they lie in memory (native loads); the folded sum,
 * stored back with memcpy, has the right bytes on either byte order. */
uint32_t offload_csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
	uint64_t acc = sum, a1 = 0, a2 = 0, a3 = 0;

	/* 32 bytes a turn into four sums the CPU adds side by side; each
	 * grows by less than 2^34 a turn, so none overflows. */
	while (len >= 32) {
		uint64_t w[4];

		memcpy(w, p, sizeof(w));
		acc += (w[0] & 0xffffffffu) + (w[0] >> 32);
		a1 += (w[1] & 0xffffffffu) + (w[1] >> 32);
		a2 += (w[2] & 0xffffffffu) + (w[2] >> 32);
		a3 += (w[3] & 0xffffffffu) + (w[3] >> 32);
		p += 32;
		len -= 32;
	}
	acc = fold64(acc) + fold64(a1) + fold64(a2) + fold64(a3);
	while (len >= 8) {
		uint64_t w;

		memcpy(&w, p, 8);
		acc += (w & 0xffffffffu) + (w >> 32);
		p += 8;
		len -= 8;
	}
	if (len >= 4) {
		uint32_t w;

		memcpy(&w, p, 4);
		acc += w;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		uint16_t w;

		memcpy(&w, p, 2);
		acc += w;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint8_t last[2] = { p[0], 0 };
		uint16_t w;

		memcpy(&w, last, 2);
		acc += w;
	}
	while (acc >> 32)
		acc = (acc & 0xffffffffu) + (acc >> 32);
	return (uint32_t)acc;
}

uint16_t offload_csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void store_csum(uint8_t *field, uint16_t c)
{
	memcpy(field, &c, 2);
}

static uint32_t pseudo_sum(const uint8_t *pkt, int version, size_t tcp_len)
{
	uint32_t sum = version == 4 ? offload_csum_add(0, pkt + 12, 8)
				    : offload_csum_add(0, pkt + 8, 32);

	return sum + htons(IPPROTO_TCP) + htons((uint16_t)tcp_len);
}

/* IPv4 (options allowed) or IPv6 with TCP next, lengths consistent. */
static int tcp_locate(const uint8_t *pkt, size_t len, struct tcp_at *t)
{
	size_t doff;

	if (len < 20)
		return -1;
	t->version = pkt[0] >> 4;
	if (t->version == 4) {
		t->ip_hlen = (size_t)(pkt[0] & 0x0f) * 4;
		if (t->ip_hlen < 20 || pkt[9] != IPPROTO_TCP || get16(pkt + 2) != len)
			return -1;
	} else if (t->version == 6) {
		t->ip_hlen = 40;
		if (len < 40 || pkt[6] != IPPROTO_TCP || get16(pkt + 4) + 40u != len)
			return -1;
	} else {
		return -1;
	}
	if (len < t->ip_hlen + 20)
		return -1;
	doff = (size_t)(pkt[t->ip_hlen + 12] >> 4) * 4;
	t->hdr_len = t->ip_hlen + doff;
	return doff < 20 || t->hdr_len > len ? -1 : 0;
}

static uint16_t tcp_csum_at(const uint8_t *pkt, size_t len, const struct tcp_at *t)
{
	const uint8_t *tcp = pkt + t->ip_hlen;
	size_t tcp_len = len - t->ip_hlen;
	uint32_t sum = pseudo_sum(pkt, t->version, tcp_len);

	sum = offload_csum_add(sum, tcp, TCP_CSUM_OFF);
	return offload_csum_fold(offload_csum_add(sum, tcp + TCP_CSUM_OFF + 2,
						  tcp_len - TCP_CSUM_OFF - 2));
}

uint16_t offload_tcp_csum(const uint8_t *pkt, size_t len)
{
	struct tcp_at t;

	return tcp_locate(pkt, len, &t) < 0 ? 0 : tcp_csum_at(pkt, len, &t);
}

int offload_csum_complete(uint8_t *pkt, size_t len, const struct virtio_net_hdr *h)
{
	size_t start = h->csum_start, field = start + h->csum_offset;
	uint16_t c;

	if (start >= len || field + 2 > len)
		return -1;
	c = offload_csum_fold(offload_csum_add(0, pkt + start, len - start));
	/* 0 means "no checksum" to UDP; 0xffff is the same sum. */
	store_csum(pkt + field, c ? c : 0xffff);
	return 0;
}

/* ---- segmentation ---- */

static int segment_check(const struct virtio_net_hdr *h, const uint8_t *pkt, size_t len,
			 struct tcp_at *t)
{
	unsigned type = h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN;

	if (h->gso_size == 0 || tcp_locate(pkt, len, t) < 0 || t->hdr_len == len)
		return -1;
	if (!(type == VIRTIO_NET_HDR_GSO_TCPV4 && t->version == 4) &&
	    !(type == VIRTIO_NET_HDR_GSO_TCPV6 && t->version == 6))
		return -1;
	return (int)((len - t->hdr_len + h->gso_size - 1) / h->gso_size);
}

int offload_segment_count(const struct virtio_net_hdr *h, const uint8_t *pkt, size_t len)
{
	struct tcp_at t;

	return segment_check(h, pkt, len, &t);
}

size_t offload_segment_max_len(const struct virtio_net_hdr *h, const uint8_t *pkt, size_t len)
{
	struct tcp_at t;

	if (segment_check(h, pkt, len, &t) < 0)
		return 0;
	return len - t.hdr_len < h->gso_size ? len : t.hdr_len + h->gso_size;
}

/* Fix one segment's headers: lengths, IPv4 ID and checksum, sequence
 * number, flags, TCP checksum. */
static void segment_fix(uint8_t *o, size_t total, const struct tcp_at *t, unsigned i,
			bool last, uint32_t seq)
{
	uint8_t *tcp = o + t->ip_hlen;

	if (t->version == 4) {
		put16(o + 2, (uint16_t)total);
		put16(o + 4, (uint16_t)(get16(o + 4) + i));
		o[10] = o[11] = 0;
		store_csum(o + 10, offload_csum_fold(offload_csum_add(0, o, t->ip_hlen)));
	} else {
		put16(o + 4, (uint16_t)(total - 40));
	}
	put32(tcp + 4, seq);
	if (!last)
		tcp[13] &= (uint8_t)~(TCP_FIN | TCP_PSH);
	if (i)
		tcp[13] &= (uint8_t)~TCP_CWR;
	store_csum(tcp + TCP_CSUM_OFF, tcp_csum_at(o, total, t));
}

int offload_segment(const struct virtio_net_hdr *h, const uint8_t *pkt, size_t len,
		    unsigned first, const struct offload_out *out)
{
	struct tcp_at t;
	int n = segment_check(h, pkt, len, &t);
	size_t payload, off;
	uint32_t seq;
	unsigned k = 0;

	if (n < 0)
		return -1;
	payload = len - t.hdr_len;
	seq = get32(pkt + t.ip_hlen + 4);
	for (unsigned i = first; i < (unsigned)n && k < out->n; i++, k++) {
		uint8_t *o = out->buf[k];
		size_t seg;

		off = (size_t)i * h->gso_size;
		seg = payload - off < h->gso_size ? payload - off : h->gso_size;
		memcpy(o, pkt, t.hdr_len);
		memcpy(o + t.hdr_len, pkt + t.hdr_len + off, seg);
		out->len[k] = t.hdr_len + seg;
		segment_fix(o, out->len[k], &t, i, i == (unsigned)n - 1, seq + (uint32_t)off);
	}
	return (int)k;
}

/* ---- coalescing ---- */

/* The checksum is not checked: the packet was authenticated by its tag
 * end to end, and the super-packet's is the kernel's to compute. */
bool offload_gro_eligible(const uint8_t *pkt, size_t len)
{
	struct tcp_at t;
	uint8_t flags;

	if (tcp_locate(pkt, len, &t) < 0 || t.hdr_len == len)
		return false;
	if (t.version == 4 && (t.ip_hlen != 20 || (get16(pkt + 6) & 0x3fff)))
		return false;
	flags = pkt[t.ip_hlen + 13];
	return (flags & TCP_ACK) && !(flags & ~(TCP_ACK | TCP_PSH));
}

void offload_gro_start(struct offload_gro *g, uint8_t *pkt, size_t len, size_t cap)
{
	struct tcp_at t;

	tcp_locate(pkt, len, &t);
	g->pkt = pkt;
	g->len = len;
	g->cap = cap < OFFLOAD_MAX_PKT ? cap : OFFLOAD_MAX_PKT;
	g->ip_hlen = t.ip_hlen;
	g->hdr_len = t.hdr_len;
	g->seg_size = len - t.hdr_len;
	g->next_seq = get32(pkt + t.ip_hlen + 4) + (uint32_t)g->seg_size;
	g->segs = 1;
	g->closed = pkt[t.ip_hlen + 13] & TCP_PSH;
}

/* Everything but lengths, IPv4 ID and checksums, sequence number, PSH. */
static bool same_flow(const struct offload_gro *g, const uint8_t *pkt)
{
	const uint8_t *a = g->pkt, *ta = a + g->ip_hlen, *tb = pkt + g->ip_hlen;

	if ((a[0] >> 4) != (pkt[0] >> 4))
		return false;
	if ((a[0] >> 4) == 4) {
		if (memcmp(a, pkt, 2) || memcmp(a + 6, pkt + 6, 4) || memcmp(a + 12, pkt + 12, 8))
			return false;
	} else if (memcmp(a, pkt, 4) || memcmp(a + 6, pkt + 6, 34)) {
		return false;
	}
	if (memcmp(ta, tb, 4) || memcmp(ta + 8, tb + 8, 5) || memcmp(ta + 14, tb + 14, 2))
		return false;
	if ((ta[13] & ~TCP_PSH) != (tb[13] & ~TCP_PSH))
		return false;
	return !memcmp(ta + 18, tb + 18, g->hdr_len - g->ip_hlen - 18);
}

bool offload_gro_append(struct offload_gro *g, const uint8_t *pkt, size_t len)
{
	struct tcp_at t;
	size_t payload;
	bool psh;

	if (!g->pkt || g->closed || tcp_locate(pkt, len, &t) < 0 || t.hdr_len != g->hdr_len ||
	    t.ip_hlen != g->ip_hlen)
		return false;
	payload = len - t.hdr_len;
	if (payload == 0 || payload > g->seg_size || g->len + payload > g->cap)
		return false;
	if (get32(pkt + t.ip_hlen + 4) != g->next_seq || !same_flow(g, pkt))
		return false;
	psh = pkt[t.ip_hlen + 13] & TCP_PSH;
	/* In place, the payload may land on pkt's own headers. */
	memmove(g->pkt + g->len, pkt + t.hdr_len, payload);
	g->len += payload;
	g->next_seq += (uint32_t)payload;
	g->segs++;
	if (psh) {
		g->pkt[g->ip_hlen + 13] |= TCP_PSH;
		g->closed = true;
	}
	if (payload < g->seg_size)
		g->closed = true;
	return true;
}

size_t offload_gro_finish(struct offload_gro *g, struct virtio_net_hdr *h)
{
	uint8_t *pkt = g->pkt;
	size_t len = g->len;

	memset(h, 0, sizeof(*h));
	g->pkt = NULL;
	if (g->segs == 1)
		return len;
	if ((pkt[0] >> 4) == 4) {
		put16(pkt + 2, (uint16_t)len);
		pkt[10] = pkt[11] = 0;
		store_csum(pkt + 10, offload_csum_fold(offload_csum_add(0, pkt, g->ip_hlen)));
		h->gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	} else {
		put16(pkt + 4, (uint16_t)(len - 40));
		h->gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	}
	store_csum(pkt + g->ip_hlen + TCP_CSUM_OFF,
		   (uint16_t)~offload_csum_fold(pseudo_sum(pkt, pkt[0] >> 4, len - g->ip_hlen)));
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->gso_size = (uint16_t)g->seg_size;
	h->hdr_len = (uint16_t)g->hdr_len;
	h->csum_start = (uint16_t)g->ip_hlen;
	h->csum_offset = TCP_CSUM_OFF;
	return len;
}

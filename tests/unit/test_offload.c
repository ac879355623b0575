/* SPDX-License-Identifier: ISC */
/* offload: TCP super-packets cut into segments and coalesced back, checked
 * against a plain RFC 1071 checksum written here. */
#include "config.h"

#include <arpa/inet.h>

#include "offload.h"
#include "tap.h"

#define MSS 1368
#define PAYLOAD 5000		/* 3 full segments and one of 896 */
#define NSEG 4
#define TCP_HLEN 32		/* with a timestamp option */
#define SEG_ROOM (60 + TCP_HLEN + MSS)

#define F_FIN 0x01
#define F_PSH 0x08
#define F_ACK 0x10
#define F_ECE 0x40
#define F_CWR 0x80

static uint8_t super[OFFLOAD_MAX_PKT];
static uint8_t segbuf[NSEG][SEG_ROOM];
static uint8_t big[OFFLOAD_MAX_PKT];

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)be16(p) << 16 | be16(p + 2);
}

/* The reference: 16-bit big-endian words, one at a time. */
static uint32_t ref_sum(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += be16(p + i);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static unsigned ref_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/* The TCP checksum of pkt computed from scratch, field taken as zero. */
static unsigned ref_tcp_csum(const uint8_t *pkt, size_t len)
{
	size_t ip_hlen = (pkt[0] >> 4) == 4 ? 20 : 40;
	size_t tcp_len = len - ip_hlen;
	uint8_t tcp[OFFLOAD_MAX_PKT];
	uint32_t sum;

	memcpy(tcp, pkt + ip_hlen, tcp_len);
	tcp[16] = tcp[17] = 0;
	sum = (pkt[0] >> 4) == 4 ? ref_sum(0, pkt + 12, 8) : ref_sum(0, pkt + 8, 32);
	sum += 6 + (uint32_t)tcp_len;
	return ref_fold(ref_sum(sum, tcp, tcp_len));
}

static size_t build_super(int version, uint8_t flags, struct virtio_net_hdr *h)
{
	size_t ip_hlen = version == 4 ? 20 : 40, len = ip_hlen + TCP_HLEN + PAYLOAD;
	uint8_t *tcp = super + ip_hlen;

	memset(super, 0, sizeof(super));
	if (version == 4) {
		super[0] = 0x45;
		super[2] = (uint8_t)(len >> 8);
		super[3] = (uint8_t)len;
		super[4] = 0x12;
		super[5] = 0x34;	/* ID */
		super[6] = 0x40;	/* DF */
		super[8] = 64;
		super[9] = 6;
		memcpy(super + 12, (uint8_t[]){ 10, 77, 1, 1, 10, 77, 1, 2 }, 8);
	} else {
		super[0] = 0x60;
		super[4] = (uint8_t)((len - 40) >> 8);
		super[5] = (uint8_t)(len - 40);
		super[6] = 6;
		super[7] = 64;
		super[8] = 0xfd;
		super[23] = 1;
		super[24] = 0xfd;
		super[39] = 2;
	}
	tcp[0] = 0x9c;
	tcp[1] = 0x40;		/* 40000 */
	tcp[3] = 80;
	memcpy(tcp + 4, (uint8_t[]){ 0xff, 0xff, 0xf0, 0x00 }, 4);	/* seq wraps */
	memcpy(tcp + 8, (uint8_t[]){ 0, 0, 0x10, 0x01 }, 4);
	tcp[12] = (TCP_HLEN / 4) << 4;
	tcp[13] = flags;
	tcp[14] = 0x01;		/* window */
	memcpy(tcp + 20, (uint8_t[]){ 1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9 }, 12);
	for (size_t i = 0; i < PAYLOAD; i++)
		tcp[TCP_HLEN + i] = (uint8_t)(i * 7 + i / 251);
	memset(h, 0, sizeof(*h));
	h->flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h->gso_type = version == 4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6;
	h->gso_size = MSS;
	h->hdr_len = (uint16_t)(ip_hlen + TCP_HLEN);
	h->csum_start = (uint16_t)ip_hlen;
	h->csum_offset = 16;
	return len;
}

static int cut(int version, uint8_t flags, size_t *lens)
{
	uint8_t *out[NSEG] = { segbuf[0], segbuf[1], segbuf[2], segbuf[3] };
	struct offload_out all = { out, lens, NSEG }, head = { out, lens, NSEG - 1 };
	struct offload_out tail = { out + NSEG - 1, lens + NSEG - 1, 5 };
	struct virtio_net_hdr h;
	size_t len = build_super(version, flags, &h);

	CHECK_EQ(offload_segment_count(&h, super, len), NSEG);
	CHECK_EQ(offload_segment_max_len(&h, super, len), (size_t)h.hdr_len + MSS);
	CHECK_EQ(offload_segment(&h, super, len, NSEG, &all), 0);
	/* In two calls, as when the send buffers run out... */
	CHECK_EQ(offload_segment(&h, super, len, 0, &head), NSEG - 1);
	CHECK_EQ(offload_segment(&h, super, len, NSEG - 1, &tail), 1);
	/* ...which gives the same as one. */
	memcpy(big, segbuf, sizeof(segbuf));
	CHECK_EQ(offload_segment(&h, super, len, 0, &all), NSEG);
	CHECK_MEM(big, segbuf, sizeof(segbuf));
	return NSEG;
}

static void test_segment(int version)
{
	size_t ip_hlen = version == 4 ? 20 : 40, hdr = ip_hlen + TCP_HLEN, lens[NSEG];
	uint8_t flags = F_ACK | F_PSH | F_FIN | F_CWR;

	CHECK_EQ(cut(version, flags, lens), NSEG);
	for (unsigned i = 0; i < NSEG; i++) {
		const uint8_t *s = segbuf[i], *tcp = s + ip_hlen;
		size_t want = i < NSEG - 1 ? MSS : PAYLOAD - (NSEG - 1) * MSS;
		uint8_t f = tcp[13];

		tap_label("segment %u", i);
		CHECK_EQ(lens[i], hdr + want);
		if (version == 4) {
			CHECK_EQ(be16(s + 2), lens[i]);
			CHECK_EQ(be16(s + 4), 0x1234 + i);
			CHECK_EQ(ref_fold(ref_sum(0, s, 20)), 0);
		} else {
			CHECK_EQ(be16(s + 4), lens[i] - 40);
		}
		CHECK_EQ(be32(tcp + 4), 0xfffff000u + (uint32_t)(i * MSS));
		CHECK(!!(f & F_FIN) == (i == NSEG - 1));
		CHECK(!!(f & F_PSH) == (i == NSEG - 1));
		CHECK(!!(f & F_CWR) == (i == 0));
		CHECK(f & F_ACK);
		CHECK_EQ(be16(tcp + 16), ref_tcp_csum(s, lens[i]));
		CHECK_EQ(offload_tcp_csum(s, lens[i]), htons((uint16_t)ref_tcp_csum(s, lens[i])));
		CHECK_MEM(s + hdr, super + hdr + i * MSS, want);
		CHECK_MEM(tcp + 20, super + ip_hlen + 20, TCP_HLEN - 20);
		if (tap_failed())
			break;
	}
	tap_unlabel();
}

static void test_segment_bad(void)
{
	struct virtio_net_hdr h;
	size_t len = build_super(4, F_ACK, &h);

	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
	CHECK_EQ(offload_segment_count(&h, super, len), -1);
	h.gso_type = VIRTIO_NET_HDR_GSO_UDP;
	CHECK_EQ(offload_segment_count(&h, super, len), -1);
	h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
	h.gso_size = 0;
	CHECK_EQ(offload_segment_count(&h, super, len), -1);
	h.gso_size = MSS;
	CHECK_EQ(offload_segment_count(&h, super, len - 1), -1);	/* IP length disagrees */
	CHECK_EQ(offload_segment_count(&h, super, 30), -1);
	CHECK_EQ(offload_segment_max_len(&h, super, 30), 0);
	h.gso_size = 60000;	/* one segment: the whole packet */
	CHECK_EQ(offload_segment_max_len(&h, super, len), len);
	h.gso_size = MSS;
	super[9] = 17;
	CHECK_EQ(offload_segment_count(&h, super, len), -1);
	CHECK_EQ(offload_segment_max_len(&h, super, len), 0);
}

static void test_csum_complete(void)
{
	struct virtio_net_hdr h;
	size_t len = 20 + TCP_HLEN + 777;	/* odd: the last byte alone */
	uint32_t pseudo;
	unsigned partial;

	build_super(4, F_ACK, &h);
	super[2] = (uint8_t)(len >> 8);
	super[3] = (uint8_t)len;
	pseudo = ref_sum(0, super + 12, 8) + 6 + (uint32_t)(len - 20);
	partial = ~ref_fold(pseudo) & 0xffff;
	super[36] = (uint8_t)(partial >> 8);
	super[37] = (uint8_t)partial;
	h.gso_type = VIRTIO_NET_HDR_GSO_NONE;
	CHECK_EQ(offload_csum_complete(super, len, &h), 0);
	CHECK_EQ(be16(super + 36), ref_tcp_csum(super, len));
	h.csum_offset = (uint16_t)(len - 20 - 1);
	CHECK_EQ(offload_csum_complete(super, len, &h), -1);
}

/* Cut, then coalesce the segments back: the original comes out. */
static void test_round_trip(int version)
{
	size_t ip_hlen = version == 4 ? 20 : 40, hdr = ip_hlen + TCP_HLEN, lens[NSEG], len;
	struct virtio_net_hdr h;
	struct offload_gro g = { 0 };
	uint8_t orig[OFFLOAD_MAX_PKT];

	CHECK_EQ(cut(version, F_ACK | F_PSH, lens), NSEG);
	memcpy(orig, super, hdr + PAYLOAD);
	memcpy(big, segbuf[0], lens[0]);
	for (unsigned i = 0; i < NSEG; i++) {
		tap_label("segment %u", i);
		CHECK(offload_gro_eligible(segbuf[i], lens[i]));
		if (tap_failed())
			break;
	}
	tap_unlabel();
	offload_gro_start(&g, big, lens[0], sizeof(big));
	for (unsigned i = 1; i < NSEG; i++) {
		tap_label("segment %u", i);
		CHECK(offload_gro_append(&g, segbuf[i], lens[i]));
		if (tap_failed())
			break;
	}
	tap_unlabel();
	CHECK(g.segs == NSEG && g.closed);
	len = offload_gro_finish(&g, &h);
	CHECK_EQ(len, hdr + PAYLOAD);
	CHECK_EQ(g.pkt, NULL);
	CHECK_EQ(h.gso_type, (version == 4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6));
	CHECK_EQ(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	CHECK(h.gso_size == MSS && h.hdr_len == hdr);
	CHECK(h.csum_start == ip_hlen && h.csum_offset == 16);
	CHECK_MEM(big + hdr, orig + hdr, PAYLOAD);
	CHECK_EQ(big[ip_hlen + 13], (F_ACK | F_PSH));
	CHECK_EQ(be32(big + ip_hlen + 4), 0xfffff000u);
	if (version == 4) {
		CHECK_EQ(be16(big + 2), len);
		CHECK_EQ(ref_fold(ref_sum(0, big, 20)), 0);
	} else {
		CHECK_EQ(be16(big + 4), len - 40);
	}
	/* NEEDS_CSUM done as the kernel would: the full checksum is right. */
	CHECK_EQ(offload_csum_complete(big, len, &h), 0);
	CHECK_EQ(be16(big + ip_hlen + 16), ref_tcp_csum(big, len));
}

/* As in a UDP GRO buffer: each segment behind a 16-byte header and
 * followed by a 16-byte tag; coalesced where it lies. */
static void test_in_place(int version)
{
	size_t ip_hlen = version == 4 ? 20 : 40, hdr = ip_hlen + TCP_HLEN, lens[NSEG], off = 0;
	struct virtio_net_hdr h;
	struct offload_gro g = { 0 };
	uint8_t orig[OFFLOAD_MAX_PKT], *at[NSEG];

	CHECK_EQ(cut(version, F_ACK | F_PSH, lens), NSEG);
	memcpy(orig, super, hdr + PAYLOAD);
	memset(big, 0xee, sizeof(big));
	for (unsigned i = 0; i < NSEG; i++) {
		at[i] = big + off + 16;
		memcpy(at[i], segbuf[i], lens[i]);
		off += 16 + lens[i] + 16;
	}
	offload_gro_start(&g, at[0], lens[0], sizeof(big) - 16);
	for (unsigned i = 1; i < NSEG; i++) {
		tap_label("segment %u", i);
		CHECK(offload_gro_eligible(at[i], lens[i]));
		CHECK(offload_gro_append(&g, at[i], lens[i]));
		if (tap_failed())
			break;
	}
	tap_unlabel();
	CHECK_EQ(g.segs, NSEG);
	CHECK_EQ(offload_gro_finish(&g, &h), hdr + PAYLOAD);
	CHECK_EQ(h.gso_size, MSS);
	CHECK_MEM(at[0] + hdr, orig + hdr, PAYLOAD);
	CHECK_EQ(at[0][ip_hlen + 13], (F_ACK | F_PSH));
}

static void set_csum(uint8_t *s, size_t len)
{
	size_t ip_hlen = (s[0] >> 4) == 4 ? 20 : 40;
	unsigned c = ref_tcp_csum(s, len);

	s[ip_hlen + 16] = (uint8_t)(c >> 8);
	s[ip_hlen + 17] = (uint8_t)c;
}

static void test_refusals(void)
{
	struct virtio_net_hdr h;
	struct offload_gro g = { 0 };
	size_t lens[NSEG];
	uint8_t s1[SEG_ROOM];

	CHECK(!offload_gro_append(&g, segbuf[1], 100));	/* nothing started */
	CHECK_EQ(cut(4, F_ACK, lens), NSEG);
	memcpy(big, segbuf[0], lens[0]);
	offload_gro_start(&g, big, lens[0], sizeof(big));
	CHECK(!offload_gro_append(&g, segbuf[2], lens[2]));	/* a gap */
	CHECK(!offload_gro_append(&g, segbuf[0], lens[0]));	/* the same again */

	memcpy(s1, segbuf[1], lens[1]);
	s1[20 + 3] = 81;					/* another port */
	set_csum(s1, lens[1]);
	CHECK(offload_gro_eligible(s1, lens[1]));
	CHECK(!offload_gro_append(&g, s1, lens[1]));
	memcpy(s1, segbuf[1], lens[1]);
	s1[19] = 3;						/* another address */
	s1[10] = s1[11] = 0;
	CHECK(!offload_gro_append(&g, s1, lens[1]));
	memcpy(s1, segbuf[1], lens[1]);
	s1[20 + 13] |= F_ECE;					/* other flags */
	set_csum(s1, lens[1]);
	CHECK(!offload_gro_eligible(s1, lens[1]));
	CHECK(!offload_gro_append(&g, s1, lens[1]));
	memcpy(s1, segbuf[1], lens[1]);
	s1[20 + 9] ^= 1;					/* another ack */
	/* a bad checksum does not matter: the tag authenticated the
	 * segment, and the kernel computes the super-packet's */
	CHECK(offload_gro_eligible(s1, lens[1]));
	set_csum(s1, lens[1]);
	CHECK(!offload_gro_append(&g, s1, lens[1]));
	memcpy(s1, segbuf[1], lens[1]);
	s1[20 + 29] ^= 1;					/* another timestamp */
	set_csum(s1, lens[1]);
	CHECK(!offload_gro_append(&g, s1, lens[1]));

	CHECK(offload_gro_append(&g, segbuf[1], lens[1]));	/* and the real one */
	CHECK(offload_gro_append(&g, segbuf[2], lens[2]));
	CHECK(offload_gro_append(&g, segbuf[3], lens[3]));	/* short: the end */
	CHECK(!offload_gro_append(&g, segbuf[3], lens[3]));
	CHECK_EQ(offload_gro_finish(&g, &h), 20 + TCP_HLEN + PAYLOAD);

	/* A lone segment goes out as it is, with no GSO. */
	memcpy(big, segbuf[0], lens[0]);
	offload_gro_start(&g, big, lens[0], sizeof(big));
	CHECK_EQ(offload_gro_finish(&g, &h), lens[0]);
	CHECK(h.gso_type == VIRTIO_NET_HDR_GSO_NONE && h.flags == 0);
	CHECK_MEM(big, segbuf[0], lens[0]);

	/* No room: the capacity given at the start holds. */
	memcpy(big, segbuf[0], lens[0]);
	offload_gro_start(&g, big, lens[0], lens[0] + 100);
	CHECK(!offload_gro_append(&g, segbuf[1], lens[1]));
	offload_gro_finish(&g, &h);

	/* Not eligible: no payload, SYN, fragments, not TCP. */
	CHECK(!offload_gro_eligible(segbuf[0], 20 + TCP_HLEN));
	memcpy(s1, segbuf[0], lens[0]);
	s1[20 + 13] = 0x12;
	set_csum(s1, lens[0]);
	CHECK(!offload_gro_eligible(s1, lens[0]));
	memcpy(s1, segbuf[0], lens[0]);
	s1[6] = 0x20;						/* MF */
	CHECK(!offload_gro_eligible(s1, lens[0]));
	CHECK(!offload_gro_eligible((const uint8_t *)"\x45", 1));
}

int main(void)
{
	RUN(test_segment(4));
	RUN(test_segment(6));
	RUN(test_segment_bad());
	RUN(test_csum_complete());
	RUN(test_round_trip(4));
	RUN(test_round_trip(6));
	RUN(test_in_place(4));
	RUN(test_in_place(6));
	RUN(test_refusals());
	return tap_done();
}

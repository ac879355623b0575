/* SPDX-License-Identifier: ISC */
/*
 * tun offloads (IFF_VNET_HDR): every tun read and write carries a
 * struct virtio_net_hdr in front of the IP packet.
 *
 * Out of the tun: a TCP super-packet (gso_type TCPV4/TCPV6, up to 64 KiB)
 * is cut into MTU-sized segments, each a complete packet with its own IP
 * length, IPv4 ID and checksum, TCP sequence number, flags and checksum;
 * a lone packet with NEEDS_CSUM gets its checksum completed.
 *
 * Into the tun: consecutive TCP segments of one flow are coalesced in
 * place into one super-packet, written with gso_type TCPV4/TCPV6 and
 * NEEDS_CSUM (the TCP checksum field holds the pseudo-header sum).
 * Documentation/networking/segmentation-offloads.rst in the kernel.
 */
#ifndef OVPN_OFFLOAD_H
#define OVPN_OFFLOAD_H

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OFFLOAD_HDR_LEN sizeof(struct virtio_net_hdr)
/* The largest IP packet either way. */
#define OFFLOAD_MAX_PKT 65535

/* RFC 1071 sum of len bytes added to sum, not folded or complemented. */
uint32_t offload_csum_add(uint32_t sum, const uint8_t *p, size_t len);
/* Fold to 16 bits and complement: the value for a checksum field. */
uint16_t offload_csum_fold(uint32_t sum);
/* The TCP checksum pkt (IPv4 or IPv6, TCP right after the fixed IP
 * header) should carry; 0 if it is not such a packet. */
uint16_t offload_tcp_csum(const uint8_t *pkt, size_t len);

/* A lone packet (GSO_NONE) with NEEDS_CSUM: write its checksum at
 * csum_start + csum_offset. 0, or -1 if the header points outside. */
int offload_csum_complete(uint8_t *pkt, size_t len, const struct virtio_net_hdr *h);

/* How many segments a super-packet needs; -1 if h/pkt are not a TCP
 * super-packet this code can cut (IPv4 without options in IP is fine,
 * IPv6 only with TCP as the next header). */
int offload_segment_count(const struct virtio_net_hdr *h, const uint8_t *pkt, size_t len);
/* The length of the largest segment (headers plus gso_size, or what is
 * left), 0 if pkt is not a super-packet offload_segment can cut. */
size_t offload_segment_max_len(const struct virtio_net_hdr *h, const uint8_t *pkt, size_t len);
/* Where offload_segment cuts to: buf[0..n), each with room for the
 * headers plus gso_size, and their lengths in len[0..n). */
struct offload_out {
	uint8_t *const *buf;
	size_t *len;
	unsigned n;
};

/* Cut segments first, first + 1, ... of pkt into out's buffers: a
 * super-packet of more segments than buffers goes in several calls.
 * Returns how many were cut (0 once first is past the end), or -1. */
int offload_segment(const struct virtio_net_hdr *h, const uint8_t *pkt, size_t len,
		    unsigned first, const struct offload_out *out);

/* A super-packet being built in place. */
struct offload_gro {
	uint8_t *pkt;		/* NULL: none */
	size_t len, cap;	/* bytes so far, room at pkt */
	size_t ip_hlen, hdr_len;/* IP header, IP + TCP headers */
	size_t seg_size;	/* payload of the first segment */
	uint32_t next_seq;
	unsigned segs;
	bool closed;		/* a short segment or PSH ended it */
};

/* Can pkt begin a super-packet: TCP with payload, only ACK (and PSH) set,
 * no IPv4 options or fragments (the checksum is not checked: the packet
 * was authenticated). */
bool offload_gro_eligible(const uint8_t *pkt, size_t len);
/* Begin with pkt (eligible), cap bytes of room at pkt. */
void offload_gro_start(struct offload_gro *g, uint8_t *pkt, size_t len, size_t cap);
/* Append the payload of pkt (eligible) if it continues the same flow:
 * same addresses, ports, IP fields, TCP header but the sequence number
 * (which must follow on) and PSH; earlier segments all full-sized. true
 * if appended (pkt's bytes may then be overwritten), false otherwise. */
bool offload_gro_append(struct offload_gro *g, const uint8_t *pkt, size_t len);
/* Finish: fix the IP length (and IPv4 checksum), put the pseudo-header
 * sum in the TCP checksum for NEEDS_CSUM, fill *h (all zero for one
 * segment: its checksum is already right). Returns the length; g is empty
 * afterwards. */
size_t offload_gro_finish(struct offload_gro *g, struct virtio_net_hdr *h);

#endif

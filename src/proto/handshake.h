/* SPDX-License-Identifier: ISC */
/*
 * Handshake messages 1 and 2 (PROTOCOL.md): the Noise IKpsk2 steps, the wire
 * layout, mac1 and mac2. Pure functions: every key, ephemeral, index and
 * timestamp is a parameter, so the known-answer vectors can be replayed.
 * State and policy (peers, indices, replay of timestamps) live in proto.c.
 */
#ifndef OVPN_HANDSHAKE_H
#define OVPN_HANDSHAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "noise.h"
#include "tai64n.h"

#define MSG_TYPE_INITIATION 1
#define MSG_TYPE_RESPONSE 2
#define MSG_TYPE_COOKIE 3
#define HS_INITIATION_LEN 148
#define HS_RESPONSE_LEN 92
#define HS_KEY_LEN 32
#define HS_MAC_LEN 16
#define HS_COOKIE_LEN 16

/* Offsets of the fields (PROTOCOL.md tables). */
#define HS_INIT_SENDER 4
#define HS_INIT_EPHEMERAL 8
#define HS_INIT_STATIC 40
#define HS_INIT_TIMESTAMP 88
#define HS_RESP_SENDER 4
#define HS_RESP_RECEIVER 8
#define HS_RESP_EPHEMERAL 12
#define HS_RESP_EMPTY 44

/* BLAKE2b-256(label || P), label 8 bytes: "mac1----" or "cookie--". */
int handshake_label_key(uint8_t out[HS_KEY_LEN], const char label[8],
			const uint8_t public_key[HS_KEY_LEN]);
/* mac1_key(P) = BLAKE2b-256("mac1----" || P). */
int handshake_mac1_key(uint8_t out[HS_KEY_LEN], const uint8_t public_key[HS_KEY_LEN]);
/* Noise state after the prologue and the pre-message "<- s". */
int handshake_initial_state(struct noise_state *st,
			    const uint8_t responder_public[HS_KEY_LEN]);

/* Fill mac1 (and mac2 from cookie, or zeros when cookie is NULL) of a
 * message of len bytes. mac1_out, when not NULL, gets a copy of mac1. */
int handshake_add_macs(uint8_t *msg, size_t len, const uint8_t mac1_key[HS_KEY_LEN],
		       const uint8_t *cookie, uint8_t *mac1_out);
bool handshake_check_mac1(const uint8_t *msg, size_t len,
			  const uint8_t mac1_key[HS_KEY_LEN]);
bool handshake_check_mac2(const uint8_t *msg, size_t len,
			  const uint8_t cookie[HS_COOKIE_LEN]);

/* The long-term keys of a pair as one side sees them, for writing and
 * reading messages 1 and 2 (pointers to keys the caller holds). */
struct hs_keys {
	const uint8_t *local_private;
	const uint8_t *local_public;
	const uint8_t *remote_public;
	const uint8_t *static_static;	/* DH(s, S), precomputed */
	const uint8_t *psk;		/* the pair's pre-shared key; NULL: none */
};

/* Message 1 without its macs; st starts as the initial state (with the
 * responder's key) and ends as the initiator's state after message 1. */
int handshake_write_initiation(struct noise_state *st, uint8_t msg[HS_INITIATION_LEN],
			       const struct hs_keys *keys,
			       const uint8_t eph_private[HS_KEY_LEN],
			       uint32_t sender_index,
			       const uint8_t timestamp[TAI64N_LEN]);
/* Responder, first half: e, es, s. Yields the initiator's static key. */
int handshake_read_initiation_static(struct noise_state *st,
				     const uint8_t msg[HS_INITIATION_LEN],
				     const uint8_t local_private[HS_KEY_LEN],
				     uint8_t initiator_public[HS_KEY_LEN]);
/* Responder, second half: ss (precomputed), timestamp. */
int handshake_read_initiation_payload(struct noise_state *st,
				      const uint8_t msg[HS_INITIATION_LEN],
				      const uint8_t static_static[HS_KEY_LEN],
				      uint8_t timestamp[TAI64N_LEN]);
/* Message 2 without its macs, answering initiation (its ephemeral and
 * sender index); st continues from the read initiation. */
int handshake_write_response(struct noise_state *st, uint8_t msg[HS_RESPONSE_LEN],
			     const struct hs_keys *keys,
			     const uint8_t eph_private[HS_KEY_LEN],
			     const uint8_t initiation[HS_INITIATION_LEN],
			     uint32_t sender_index);
/* Initiator reads message 2; st is its state after message 1. */
int handshake_read_response(struct noise_state *st, const uint8_t msg[HS_RESPONSE_LEN],
			    const struct hs_keys *keys,
			    const uint8_t eph_private[HS_KEY_LEN]);

uint32_t handshake_le32(const uint8_t *p);
void handshake_put_le32(uint8_t *p, uint32_t v);

#endif

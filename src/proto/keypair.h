/* SPDX-License-Identifier: ISC */
/*
 * One session's transport keys and counters, and type-4 packets sealed and
 * opened in place (PROTOCOL.md "Transport data").
 *
 * Buffer layout for keypair_seal: buf[0..16) is headroom for the header,
 * the plaintext is at buf + 16, and at least KEYPAIR_TAILROOM bytes follow
 * it (padding to 16 plus the tag).
 */
#ifndef OVPN_KEYPAIR_H
#define OVPN_KEYPAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "aead.h"
#include "drop.h"
#include "index_table.h"
#include "replay.h"

#define KEYPAIR_KEY_LEN 32
#define KEYPAIR_HEADER_LEN 16
#define KEYPAIR_TAG_LEN 16
#define KEYPAIR_TAILROOM (15 + KEYPAIR_TAG_LEN)
#define KEYPAIR_MIN_PACKET (KEYPAIR_HEADER_LEN + KEYPAIR_TAG_LEN)
#define MSG_TYPE_DATA 4

/* A session's two keys as a handshake derives them. */
struct keypair_keys {
	uint8_t send[KEYPAIR_KEY_LEN];
	uint8_t recv[KEYPAIR_KEY_LEN];
};

struct keypair {
	struct index_entry local;	/* our index: the receiver index of incoming data */
	uint32_t remote_index;		/* theirs: written into what we send */
	uint8_t send_key[KEYPAIR_KEY_LEN];
	uint8_t recv_key[KEYPAIR_KEY_LEN];
	/* Keyed with HChaCha20 of each key and the nonce's constant 16 zero
	 * bytes (the XChaCha20 subkeys), at the first use (see keypair.c). */
	struct aead send_aead;
	struct aead recv_aead;
	bool subkeys;
	uint64_t send_counter;		/* next counter to use */
	struct replay replay;
	uint64_t created;		/* ns, when the handshake completed */
	bool initiator;			/* we sent the initiation */
	bool live;
};

/* Seal buf + 16 (len bytes) in place, padding to 16 but not past mtu.
 * *out_len = whole packet length. -1 when the counter hit reject_limit. */
int keypair_seal(struct keypair *kp, uint8_t *buf, size_t len, size_t mtu,
		 uint64_t reject_limit, size_t *out_len);
/* The length of the packet keypair_seal makes of len bytes. */
size_t keypair_sealed_len(size_t len, size_t mtu);
/* For sealing on worker threads (seqring.h): counters taken in order
 * here, -1 as keypair_seal fails; then keypair_seal_at with the worker's
 * own struct aead (aead_clone of send_aead: a libcrypto context is not
 * shared between threads), which returns the packet's length or -1. */
int keypair_take_counter(struct keypair *kp, uint64_t reject_limit, uint64_t *counter);
ssize_t keypair_seal_at(const struct keypair *kp, struct aead *a, uint64_t counter,
			uint8_t *buf, size_t len, size_t mtu);
/* The length keypair_seal_at gives len bytes of plaintext. */
size_t keypair_sealed_len(size_t len, size_t mtu);
/* Receiver index of a data packet (len >= 8 checked by the caller). */
uint32_t keypair_packet_index(const uint8_t *pkt);
/* Checks after the index lookup, in PROTOCOL.md order: length, counter
 * limit, tag, replay. Decrypts in place; on DROP_NONE *plain points into
 * pkt. Returns why the packet is dropped, or DROP_NONE. */
enum drop_reason keypair_open(struct keypair *kp, uint8_t *pkt, size_t len,
			      uint64_t reject_limit, uint8_t **plain, size_t *plain_len);
/* keypair_open in three steps, for opening on worker threads: the checks
 * before the tag (length, counter limit; the subkeys made) here, in
 * order; then the tag checked and the packet decrypted in place with a
 * worker's own clone of recv_aead (keypair_open_at: 0, or -1 on a bad
 * tag; len >= KEYPAIR_MIN_PACKET checked before); then, in order again and
 * only for a packet whose tag verified, the replay window
 * (keypair_open_accept). The plaintext is pkt + 16, len - 32 bytes. */
enum drop_reason keypair_open_check(struct keypair *kp, const uint8_t *pkt, size_t len,
				    uint64_t reject_limit, uint64_t *counter);
int keypair_open_at(struct aead *a, uint8_t *pkt, size_t len);
enum drop_reason keypair_open_accept(struct keypair *kp, uint64_t counter);
void keypair_wipe(struct keypair *kp);

#endif

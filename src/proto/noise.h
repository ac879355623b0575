/* SPDX-License-Identifier: ISC */
/*
 * Noise (rev. 34) symmetric state for Noise_IKpsk2_25519_ChaChaPoly_BLAKE2b:
 * HASHLEN 64, HMAC-BLAKE2b (block 128) for HKDF, ChaCha20-Poly1305 (IETF)
 * with nonce 4 zero bytes || LE64(n). No I/O, no allocation.
 */
#ifndef OVPN_NOISE_H
#define OVPN_NOISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NOISE_HASH_LEN 64
#define NOISE_BLOCK_LEN 128
#define NOISE_KEY_LEN 32
#define NOISE_DH_LEN 32
#define NOISE_TAG_LEN 16

struct noise_state {
	uint8_t h[NOISE_HASH_LEN];
	uint8_t ck[NOISE_HASH_LEN];
	uint8_t k[NOISE_KEY_LEN];
	uint64_t n;
	bool has_key;
};

/* HMAC (RFC 2104) over BLAKE2b-512; key of any length. 0 or -1. */
int noise_hmac(uint8_t out[NOISE_HASH_LEN], const uint8_t *key, size_t key_len,
	       const uint8_t *msg, size_t msg_len);
/* Noise HKDF with two outputs of HASHLEN bytes each. 0 or -1. */
int noise_hkdf2(uint8_t out1[NOISE_HASH_LEN], uint8_t out2[NOISE_HASH_LEN],
		const uint8_t ck[NOISE_HASH_LEN], const uint8_t *ikm, size_t ikm_len);

/* InitializeSymmetric(protocol name), MixHash(prologue): no key yet. */
int noise_init(struct noise_state *st);
int noise_mix_hash(struct noise_state *st, const uint8_t *data, size_t len);
int noise_mix_key(struct noise_state *st, const uint8_t *ikm, size_t len);
/* The psk token: ck, temp_h, k = HKDF(ck, ikm, 3); MixHash(temp_h). */
int noise_mix_key_and_hash(struct noise_state *st, const uint8_t *ikm, size_t len);
/* out gets len + 16 bytes (len when no key yet); out may not overlap in. */
int noise_encrypt_and_hash(struct noise_state *st, uint8_t *out,
			   const uint8_t *in, size_t len);
/* in holds len bytes (ciphertext and tag); out gets len - 16 bytes. */
int noise_decrypt_and_hash(struct noise_state *st, uint8_t *out,
			   const uint8_t *in, size_t len);
/* Split(): first 32 bytes of each HKDF output. */
int noise_split(const struct noise_state *st, uint8_t k1[NOISE_KEY_LEN],
		uint8_t k2[NOISE_KEY_LEN]);
void noise_wipe(struct noise_state *st);

#endif

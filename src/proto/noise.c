/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "noise.h"

static const char noise_protocol_name[] = "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2b";
static const char noise_prologue[] = "ovpn v2";

static int hash_two(uint8_t out[NOISE_HASH_LEN], const uint8_t *a, size_t a_len,
		    const uint8_t *b, size_t b_len)
{
	crypto_generichash_blake2b_state s;
	int ret = -1;

	if (crypto_generichash_blake2b_init(&s, NULL, 0, NOISE_HASH_LEN) ||
	    crypto_generichash_blake2b_update(&s, a, a_len) ||
	    crypto_generichash_blake2b_update(&s, b, b_len) ||
	    crypto_generichash_blake2b_final(&s, out, NOISE_HASH_LEN))
		goto out;
	ret = 0;
out:
	sodium_memzero(&s, sizeof(s));
	return ret;
}

int noise_hmac(uint8_t out[NOISE_HASH_LEN], const uint8_t *key, size_t key_len,
	       const uint8_t *msg, size_t msg_len)
{
	uint8_t k[NOISE_BLOCK_LEN] = { 0 };
	uint8_t pad[NOISE_BLOCK_LEN];
	uint8_t inner[NOISE_HASH_LEN];
	int ret = -1;

	if (key_len > NOISE_BLOCK_LEN) {
		if (crypto_generichash_blake2b(k, NOISE_HASH_LEN, key, key_len, NULL, 0))
			goto out;
	} else if (key_len) {
		memcpy(k, key, key_len);
	}
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] = k[i] ^ 0x36;
	if (hash_two(inner, pad, sizeof(pad), msg, msg_len))
		goto out;
	for (size_t i = 0; i < sizeof(pad); i++)
		pad[i] = k[i] ^ 0x5c;
	if (hash_two(out, pad, sizeof(pad), inner, sizeof(inner)))
		goto out;
	ret = 0;
out:
	sodium_memzero(k, sizeof(k));
	sodium_memzero(pad, sizeof(pad));
	sodium_memzero(inner, sizeof(inner));
	return ret;
}

/* HKDF(ck, ikm) with n (2 or 3) outputs of HASHLEN bytes: out[i] =
 * HMAC(temp, out[i-1] || i), out[0] from the empty string. */
static int hkdf(uint8_t *const out[], int n, const uint8_t ck[NOISE_HASH_LEN],
		const uint8_t *ikm, size_t ikm_len)
{
	uint8_t temp[NOISE_HASH_LEN];
	uint8_t buf[NOISE_HASH_LEN + 1];
	int ret = -1;

	if (noise_hmac(temp, ck, NOISE_HASH_LEN, ikm, ikm_len))
		goto out;
	buf[0] = 0x01;
	if (noise_hmac(out[0], temp, sizeof(temp), buf, 1))
		goto out;
	for (int i = 1; i < n; i++) {
		memcpy(buf, out[i - 1], NOISE_HASH_LEN);
		buf[NOISE_HASH_LEN] = (uint8_t)(i + 1);
		if (noise_hmac(out[i], temp, sizeof(temp), buf, sizeof(buf)))
			goto out;
	}
	ret = 0;
out:
	sodium_memzero(temp, sizeof(temp));
	sodium_memzero(buf, sizeof(buf));
	return ret;
}

int noise_hkdf2(uint8_t out1[NOISE_HASH_LEN], uint8_t out2[NOISE_HASH_LEN],
		const uint8_t ck[NOISE_HASH_LEN], const uint8_t *ikm, size_t ikm_len)
{
	uint8_t *const out[] = { out1, out2 };

	return hkdf(out, 2, ck, ikm, ikm_len);
}

int noise_init(struct noise_state *st)
{
	memset(st, 0, sizeof(*st));
	/* The name is shorter than HASHLEN: h = name padded with zeros. */
	memcpy(st->h, noise_protocol_name, sizeof(noise_protocol_name) - 1);
	memcpy(st->ck, st->h, NOISE_HASH_LEN);
	return noise_mix_hash(st, (const uint8_t *)noise_prologue,
			      sizeof(noise_prologue) - 1);
}

int noise_mix_hash(struct noise_state *st, const uint8_t *data, size_t len)
{
	uint8_t h[NOISE_HASH_LEN];
	int ret = -1;

	if (hash_two(h, st->h, NOISE_HASH_LEN, data, len))
		goto out;
	memcpy(st->h, h, NOISE_HASH_LEN);
	ret = 0;
out:
	sodium_memzero(h, sizeof(h));
	return ret;
}

/* The new chaining key and cipher key of MixKey and MixKeyAndHash. */
static void take_key(struct noise_state *st, const uint8_t ck[NOISE_HASH_LEN],
		     const uint8_t k[NOISE_HASH_LEN])
{
	memcpy(st->ck, ck, NOISE_HASH_LEN);
	memcpy(st->k, k, NOISE_KEY_LEN);
	st->n = 0;
	st->has_key = true;
}

int noise_mix_key(struct noise_state *st, const uint8_t *ikm, size_t len)
{
	uint8_t ck[NOISE_HASH_LEN], k[NOISE_HASH_LEN];
	int ret = -1;

	if (noise_hkdf2(ck, k, st->ck, ikm, len))
		goto out;
	take_key(st, ck, k);
	ret = 0;
out:
	sodium_memzero(ck, sizeof(ck));
	sodium_memzero(k, sizeof(k));
	return ret;
}

int noise_mix_key_and_hash(struct noise_state *st, const uint8_t *ikm, size_t len)
{
	uint8_t ck[NOISE_HASH_LEN], th[NOISE_HASH_LEN], k[NOISE_HASH_LEN];
	uint8_t *const out[] = { ck, th, k };
	int ret = -1;

	if (hkdf(out, 3, st->ck, ikm, len) || noise_mix_hash(st, th, sizeof(th)))
		goto out;
	take_key(st, ck, k);
	ret = 0;
out:
	sodium_memzero(ck, sizeof(ck));
	sodium_memzero(th, sizeof(th));
	sodium_memzero(k, sizeof(k));
	return ret;
}

static void noise_nonce(uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES],
			uint64_t n)
{
	memset(nonce, 0, 4);
	for (int i = 0; i < 8; i++)
		nonce[4 + i] = (uint8_t)(n >> (8 * i));
}

int noise_encrypt_and_hash(struct noise_state *st, uint8_t *out,
			   const uint8_t *in, size_t len)
{
	uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES];
	unsigned long long clen = len;
	int ret = -1;

	if (!st->has_key) {
		if (len)
			memmove(out, in, len);
	} else {
		if (st->n == UINT64_MAX)
			goto out;
		noise_nonce(nonce, st->n);
		if (crypto_aead_chacha20poly1305_ietf_encrypt(out, &clen, in, len,
							      st->h, NOISE_HASH_LEN,
							      NULL, nonce, st->k))
			goto out;
		st->n++;
	}
	ret = noise_mix_hash(st, out, (size_t)clen);
out:
	return ret;
}

int noise_decrypt_and_hash(struct noise_state *st, uint8_t *out,
			   const uint8_t *in, size_t len)
{
	uint8_t nonce[crypto_aead_chacha20poly1305_IETF_NPUBBYTES];
	int ret = -1;

	if (!st->has_key) {
		if (len)
			memmove(out, in, len);
	} else {
		if (len < NOISE_TAG_LEN || st->n == UINT64_MAX)
			goto out;
		noise_nonce(nonce, st->n);
		if (crypto_aead_chacha20poly1305_ietf_decrypt(out, NULL, NULL, in, len,
							      st->h, NOISE_HASH_LEN,
							      nonce, st->k))
			goto out;
		st->n++;
	}
	ret = noise_mix_hash(st, in, len);
out:
	return ret;
}

int noise_split(const struct noise_state *st, uint8_t k1[NOISE_KEY_LEN],
		uint8_t k2[NOISE_KEY_LEN])
{
	uint8_t t1[NOISE_HASH_LEN], t2[NOISE_HASH_LEN];
	int ret = -1;

	if (noise_hkdf2(t1, t2, st->ck, NULL, 0))
		goto out;
	memcpy(k1, t1, NOISE_KEY_LEN);
	memcpy(k2, t2, NOISE_KEY_LEN);
	ret = 0;
out:
	sodium_memzero(t1, sizeof(t1));
	sodium_memzero(t2, sizeof(t2));
	return ret;
}

void noise_wipe(struct noise_state *st)
{
	sodium_memzero(st, sizeof(*st));
}

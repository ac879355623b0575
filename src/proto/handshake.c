/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "handshake.h"

#define HS_MACS_LEN (2 * HS_MAC_LEN)

uint32_t handshake_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 |
	       (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void handshake_put_le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

int handshake_label_key(uint8_t out[HS_KEY_LEN], const char label[8],
			const uint8_t public_key[HS_KEY_LEN])
{
	uint8_t buf[8 + HS_KEY_LEN];

	memcpy(buf, label, 8);
	memcpy(buf + 8, public_key, HS_KEY_LEN);
	return crypto_generichash(out, HS_KEY_LEN, buf, sizeof(buf), NULL, 0) ? -1 : 0;
}

int handshake_mac1_key(uint8_t out[HS_KEY_LEN], const uint8_t public_key[HS_KEY_LEN])
{
	return handshake_label_key(out, "mac1----", public_key);
}

int handshake_initial_state(struct noise_state *st,
			    const uint8_t responder_public[HS_KEY_LEN])
{
	if (noise_init(st) || noise_mix_hash(st, responder_public, HS_KEY_LEN)) {
		noise_wipe(st);
		return -1;
	}
	return 0;
}

static int hs_mac(uint8_t out[HS_MAC_LEN], const uint8_t *msg, size_t len,
		  const uint8_t *key, size_t key_len)
{
	return crypto_generichash(out, HS_MAC_LEN, msg, len, key, key_len) ? -1 : 0;
}

int handshake_add_macs(uint8_t *msg, size_t len, const uint8_t mac1_key[HS_KEY_LEN],
		       const uint8_t *cookie, uint8_t *mac1_out)
{
	uint8_t *mac1 = msg + len - HS_MACS_LEN;
	uint8_t *mac2 = mac1 + HS_MAC_LEN;

	if (len < HS_MACS_LEN || hs_mac(mac1, msg, len - HS_MACS_LEN, mac1_key, HS_KEY_LEN))
		return -1;
	if (mac1_out)
		memcpy(mac1_out, mac1, HS_MAC_LEN);
	if (!cookie) {
		memset(mac2, 0, HS_MAC_LEN);
		return 0;
	}
	return hs_mac(mac2, msg, len - HS_MAC_LEN, cookie, HS_COOKIE_LEN);
}

bool handshake_check_mac1(const uint8_t *msg, size_t len,
			  const uint8_t mac1_key[HS_KEY_LEN])
{
	uint8_t mac[HS_MAC_LEN];

	if (len < HS_MACS_LEN || hs_mac(mac, msg, len - HS_MACS_LEN, mac1_key, HS_KEY_LEN))
		return false;
	return crypto_verify_16(mac, msg + len - HS_MACS_LEN) == 0;
}

bool handshake_check_mac2(const uint8_t *msg, size_t len,
			  const uint8_t cookie[HS_COOKIE_LEN])
{
	uint8_t mac[HS_MAC_LEN];

	if (len < HS_MACS_LEN || hs_mac(mac, msg, len - HS_MAC_LEN, cookie, HS_COOKIE_LEN))
		return false;
	return crypto_verify_16(mac, msg + len - HS_MAC_LEN) == 0;
}

/* MixKey(DH(priv, pub)); the DH result is wiped. */
static int hs_mix_dh(struct noise_state *st, const uint8_t priv[HS_KEY_LEN],
		     const uint8_t pub[HS_KEY_LEN])
{
	uint8_t dh[HS_KEY_LEN];
	int ret = -1;

	/* libsodium refuses (returns -1 on) an all-zero, low-order result. */
	if (crypto_scalarmult(dh, priv, pub))
		goto out;
	ret = noise_mix_key(st, dh, sizeof(dh));
out:
	sodium_memzero(dh, sizeof(dh));
	return ret;
}

/* The "e" token of a psk pattern: MixHash(e) and MixKey(e). */
static int hs_mix_ephemeral(struct noise_state *st, const uint8_t eph_public[HS_KEY_LEN])
{
	return noise_mix_hash(st, eph_public, HS_KEY_LEN) ||
	       noise_mix_key(st, eph_public, HS_KEY_LEN) ? -1 : 0;
}

/* Write our ephemeral public key and mix it. */
static int hs_write_ephemeral(struct noise_state *st, uint8_t out[HS_KEY_LEN],
			      const uint8_t eph_private[HS_KEY_LEN])
{
	if (crypto_scalarmult_base(out, eph_private))
		return -1;
	return hs_mix_ephemeral(st, out);
}

/* The "psk" token, with 32 zero bytes when the pair has no key. */
static int hs_mix_psk(struct noise_state *st, const uint8_t *psk)
{
	static const uint8_t none[HS_KEY_LEN];

	return noise_mix_key_and_hash(st, psk ? psk : none, HS_KEY_LEN);
}

int handshake_write_initiation(struct noise_state *st, uint8_t msg[HS_INITIATION_LEN],
			       const struct hs_keys *keys,
			       const uint8_t eph_private[HS_KEY_LEN],
			       uint32_t sender_index,
			       const uint8_t timestamp[TAI64N_LEN])
{
	memset(msg, 0, HS_INITIATION_LEN);
	msg[0] = MSG_TYPE_INITIATION;
	handshake_put_le32(msg + HS_INIT_SENDER, sender_index);
	if (hs_write_ephemeral(st, msg + HS_INIT_EPHEMERAL, eph_private) ||
	    hs_mix_dh(st, eph_private, keys->remote_public) ||
	    noise_encrypt_and_hash(st, msg + HS_INIT_STATIC, keys->local_public, HS_KEY_LEN) ||
	    noise_mix_key(st, keys->static_static, HS_KEY_LEN) ||
	    noise_encrypt_and_hash(st, msg + HS_INIT_TIMESTAMP, timestamp, TAI64N_LEN))
		return -1;
	return 0;
}

int handshake_read_initiation_static(struct noise_state *st,
				     const uint8_t msg[HS_INITIATION_LEN],
				     const uint8_t local_private[HS_KEY_LEN],
				     uint8_t initiator_public[HS_KEY_LEN])
{
	const uint8_t *eph = msg + HS_INIT_EPHEMERAL;

	if (hs_mix_ephemeral(st, eph) ||
	    hs_mix_dh(st, local_private, eph) ||
	    noise_decrypt_and_hash(st, initiator_public, msg + HS_INIT_STATIC,
				   HS_KEY_LEN + NOISE_TAG_LEN))
		return -1;
	return 0;
}

int handshake_read_initiation_payload(struct noise_state *st,
				      const uint8_t msg[HS_INITIATION_LEN],
				      const uint8_t static_static[HS_KEY_LEN],
				      uint8_t timestamp[TAI64N_LEN])
{
	if (noise_mix_key(st, static_static, HS_KEY_LEN) ||
	    noise_decrypt_and_hash(st, timestamp, msg + HS_INIT_TIMESTAMP,
				   TAI64N_LEN + NOISE_TAG_LEN))
		return -1;
	return 0;
}

int handshake_write_response(struct noise_state *st, uint8_t msg[HS_RESPONSE_LEN],
			     const struct hs_keys *keys,
			     const uint8_t eph_private[HS_KEY_LEN],
			     const uint8_t initiation[HS_INITIATION_LEN],
			     uint32_t sender_index)
{
	memset(msg, 0, HS_RESPONSE_LEN);
	msg[0] = MSG_TYPE_RESPONSE;
	handshake_put_le32(msg + HS_RESP_SENDER, sender_index);
	memcpy(msg + HS_RESP_RECEIVER, initiation + HS_INIT_SENDER, 4);
	if (hs_write_ephemeral(st, msg + HS_RESP_EPHEMERAL, eph_private) ||
	    hs_mix_dh(st, eph_private, initiation + HS_INIT_EPHEMERAL) ||
	    hs_mix_dh(st, eph_private, keys->remote_public) ||
	    hs_mix_psk(st, keys->psk) ||
	    noise_encrypt_and_hash(st, msg + HS_RESP_EMPTY, NULL, 0))
		return -1;
	return 0;
}

int handshake_read_response(struct noise_state *st, const uint8_t msg[HS_RESPONSE_LEN],
			    const struct hs_keys *keys,
			    const uint8_t eph_private[HS_KEY_LEN])
{
	const uint8_t *eph = msg + HS_RESP_EPHEMERAL;
	uint8_t empty[1];

	if (hs_mix_ephemeral(st, eph) ||
	    hs_mix_dh(st, eph_private, eph) ||
	    hs_mix_dh(st, keys->local_private, eph) ||
	    hs_mix_psk(st, keys->psk) ||
	    noise_decrypt_and_hash(st, empty, msg + HS_RESP_EMPTY, NOISE_TAG_LEN))
		return -1;
	return 0;
}

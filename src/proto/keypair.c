/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "drop.h"
#include "keypair.h"

static void le32_store(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void le64_store(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t le64_load(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

uint32_t keypair_packet_index(const uint8_t *pkt)
{
	return (uint32_t)pkt[4] | (uint32_t)pkt[5] << 8 |
	       (uint32_t)pkt[6] << 16 | (uint32_t)pkt[7] << 24;
}

/* The XChaCha20 nonce is 16 zero bytes and the counter. XChaCha20-Poly1305
 * is ChaCha20-Poly1305 (IETF) under the subkey HChaCha20(key, first 16
 * nonce bytes) with the nonce 4 zero bytes || last 8 nonce bytes; here the
 * first 16 bytes never change, so the subkey is derived once per keypair,
 * not per packet. The bytes on the wire are the same. */
static int keypair_subkeys(struct keypair *kp)
{
	static const uint8_t zero[crypto_core_hchacha20_INPUTBYTES];
	uint8_t send[KEYPAIR_KEY_LEN], recv[KEYPAIR_KEY_LEN];
	int ret = -1;

	if (kp->subkeys)
		return 0;
	if (crypto_core_hchacha20(send, zero, kp->send_key, NULL) ||
	    crypto_core_hchacha20(recv, zero, kp->recv_key, NULL) ||
	    aead_init(&kp->send_aead, send, false, AEAD_AUTO) < 0 ||
	    aead_init(&kp->recv_aead, recv, true, AEAD_AUTO) < 0)
		goto out;
	kp->subkeys = true;
	ret = 0;
out:
	sodium_memzero(send, sizeof(send));
	sodium_memzero(recv, sizeof(recv));
	return ret;
}

static void keypair_nonce(uint8_t nonce[AEAD_NONCE_LEN],
			  const uint8_t *header)
{
	memset(nonce, 0, 4);
	memcpy(nonce + 4, header + 8, 8);
}

static size_t keypair_padded(size_t len, size_t mtu)
{
	size_t padded = (len + 15) & ~(size_t)15;

	if (padded > mtu)
		padded = len > mtu ? len : mtu;
	return padded;
}

size_t keypair_sealed_len(size_t len, size_t mtu)
{
	return KEYPAIR_HEADER_LEN + keypair_padded(len, mtu) + KEYPAIR_TAG_LEN;
}

ssize_t keypair_seal_at(const struct keypair *kp, struct aead *a, uint64_t counter,
			uint8_t *buf, size_t len, size_t mtu)
{
	uint8_t nonce[AEAD_NONCE_LEN];
	uint8_t *plain = buf + KEYPAIR_HEADER_LEN;
	size_t padded = keypair_padded(len, mtu);
	struct aead_msg m = { .out = plain, .in = plain, .len = padded, .ad = buf,
			      .ad_len = KEYPAIR_HEADER_LEN, .nonce = nonce,
			      .tag = plain + padded };

	memset(buf, 0, KEYPAIR_HEADER_LEN);
	buf[0] = MSG_TYPE_DATA;
	le32_store(buf + 4, kp->remote_index);
	le64_store(buf + 8, counter);
	memset(plain + len, 0, padded - len);
	keypair_nonce(nonce, buf);
	if (aead_seal(a, &m) < 0)
		return -1;
	return (ssize_t)(KEYPAIR_HEADER_LEN + padded + KEYPAIR_TAG_LEN);
}

int keypair_take_counter(struct keypair *kp, uint64_t reject_limit, uint64_t *counter)
{
	if (!kp->live || kp->send_counter >= reject_limit || keypair_subkeys(kp) < 0)
		return -1;
	*counter = kp->send_counter++;
	return 0;
}

int keypair_seal(struct keypair *kp, uint8_t *buf, size_t len, size_t mtu,
		 uint64_t reject_limit, size_t *out_len)
{
	ssize_t n;

	if (!kp->live || kp->send_counter >= reject_limit || keypair_subkeys(kp) < 0 ||
	    (n = keypair_seal_at(kp, &kp->send_aead, kp->send_counter, buf, len, mtu)) < 0)
		return -1;
	*out_len = (size_t)n;
	kp->send_counter++;
	return 0;
}

enum drop_reason keypair_open(struct keypair *kp, uint8_t *pkt, size_t len,
			      uint64_t reject_limit, uint8_t **plain, size_t *plain_len)
{
	uint8_t nonce[AEAD_NONCE_LEN];
	uint8_t *c = pkt + KEYPAIR_HEADER_LEN;
	struct aead_msg m;
	uint64_t counter;
	size_t clen;

	if (len < KEYPAIR_MIN_PACKET)
		return DROP_TOO_SHORT;
	counter = le64_load(pkt + 8);
	if (counter >= reject_limit)
		return DROP_COUNTER_LIMIT;
	clen = len - KEYPAIR_MIN_PACKET;
	keypair_nonce(nonce, pkt);
	m = (struct aead_msg){ .out = c, .in = c, .len = clen, .ad = pkt,
			       .ad_len = KEYPAIR_HEADER_LEN, .nonce = nonce, .tag = c + clen };
	if (keypair_subkeys(kp) < 0 || aead_open(&kp->recv_aead, &m) < 0)
		return DROP_BAD_TAG;
	/* The window is checked and moved only for authentic packets. */
	if (!replay_check(&kp->replay, counter))
		return DROP_REPLAY;
	replay_update(&kp->replay, counter);
	*plain = c;
	*plain_len = clen;
	return DROP_NONE;
}

enum drop_reason keypair_open_check(struct keypair *kp, const uint8_t *pkt, size_t len,
				    uint64_t reject_limit, uint64_t *counter)
{
	if (len < KEYPAIR_MIN_PACKET)
		return DROP_TOO_SHORT;
	*counter = le64_load(pkt + 8);
	if (*counter >= reject_limit)
		return DROP_COUNTER_LIMIT;
	return keypair_subkeys(kp) < 0 ? DROP_BAD_TAG : DROP_NONE;
}

int keypair_open_at(struct aead *a, uint8_t *pkt, size_t len)
{
	uint8_t nonce[AEAD_NONCE_LEN];
	uint8_t *c = pkt + KEYPAIR_HEADER_LEN;
	size_t clen = len - KEYPAIR_MIN_PACKET;
	struct aead_msg m = { .out = c, .in = c, .len = clen, .ad = pkt,
			      .ad_len = KEYPAIR_HEADER_LEN, .nonce = nonce, .tag = c + clen };

	keypair_nonce(nonce, pkt);
	return aead_open(a, &m);
}

enum drop_reason keypair_open_accept(struct keypair *kp, uint64_t counter)
{
	if (!replay_check(&kp->replay, counter))
		return DROP_REPLAY;
	replay_update(&kp->replay, counter);
	return DROP_NONE;
}

void keypair_wipe(struct keypair *kp)
{
	aead_wipe(&kp->send_aead);
	aead_wipe(&kp->recv_aead);
	sodium_memzero(kp, sizeof(*kp));
}

/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <netinet/in.h>
#include <sodium.h>
#include <string.h>

#include "cookie.h"
#include "handshake.h"

#define MAC_LEN 16

/* cookie_key(P) = BLAKE2b-256("cookie--" || P) */
static int cookie_key(uint8_t out[32], const uint8_t public_key[32])
{
	return handshake_label_key(out, "cookie--", public_key);
}

int cookie_checker_init(struct cookie_checker *c, const uint8_t our_public[32])
{
	memset(c, 0, sizeof(*c));
	return cookie_key(c->reply_key, our_public);
}

void cookie_checker_wipe(struct cookie_checker *c)
{
	sodium_memzero(c, sizeof(*c));
}

int cookie_for(struct cookie_checker *c, const struct sockaddr *src, uint64_t now,
	       uint8_t out[COOKIE_LEN])
{
	uint8_t msg[16 + 2];
	size_t len;

	if (!c->secret_born || now - c->secret_born >= COOKIE_SECRET_LIFETIME) {
		randombytes_buf(c->secret, sizeof(c->secret));
		c->secret_born = now ? now : 1;
	}
	/* source IP address bytes || BE16(source port) */
	if (src->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)src;

		memcpy(msg, &in6->sin6_addr, 16);
		memcpy(msg + 16, &in6->sin6_port, 2);
		len = 18;
	} else {
		const struct sockaddr_in *in4 = (const struct sockaddr_in *)src;

		memcpy(msg, &in4->sin_addr, 4);
		memcpy(msg + 4, &in4->sin_port, 2);
		len = 6;
	}
	return crypto_generichash(out, COOKIE_LEN, msg, len, c->secret, sizeof(c->secret)) ? -1 : 0;
}

int cookie_reply_create(struct cookie_checker *c, const uint8_t *msg, size_t len,
			const struct sockaddr *src, uint64_t now,
			uint8_t out[COOKIE_REPLY_LEN])
{
	uint8_t cookie[COOKIE_LEN];
	const uint8_t *mac1 = msg + len - 2 * MAC_LEN;
	int rc = -1;

	if (len < 8 + 2 * MAC_LEN || cookie_for(c, src, now, cookie) < 0)
		goto out;
	memset(out, 0, 4);
	out[0] = 3;
	memcpy(out + 4, msg + 4, 4);	/* the sender index of the message answered */
	randombytes_buf(out + 8, COOKIE_NONCE_LEN);
	if (crypto_aead_xchacha20poly1305_ietf_encrypt(out + 32, NULL, cookie, COOKIE_LEN,
						       mac1, MAC_LEN, NULL, out + 8,
						       c->reply_key) == 0)
		rc = 0;
out:
	sodium_memzero(cookie, sizeof(cookie));
	return rc;
}

uint32_t cookie_reply_index(const uint8_t *reply)
{
	return handshake_le32(reply + 4);
}

int cookie_reply_open(const uint8_t *reply, size_t len, const uint8_t peer_public[32],
		      const uint8_t last_mac1[16], uint8_t cookie[COOKIE_LEN])
{
	uint8_t key[32];
	int rc = -1;

	if (len != COOKIE_REPLY_LEN || reply[0] != 3 || reply[1] || reply[2] || reply[3])
		return -1;
	if (cookie_key(key, peer_public) == 0 &&
	    crypto_aead_xchacha20poly1305_ietf_decrypt(cookie, NULL, NULL, reply + 32, 32,
						       last_mac1, MAC_LEN, reply + 8, key) == 0)
		rc = 0;
	sodium_memzero(key, sizeof(key));
	return rc;
}

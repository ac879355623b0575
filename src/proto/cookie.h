/* SPDX-License-Identifier: ISC */
/* Cookie replies (PROTOCOL.md, type 3): under load, a handshake message
 * whose mac1 is right but whose mac2 is not gets a cookie instead of a DH.
 * The cookie proves the sender owns its address: BLAKE2b-128 keyed by a
 * secret replaced every COOKIE_SECRET_LIFETIME, over address and port. */
#ifndef OVPN_COOKIE_H
#define OVPN_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define COOKIE_LEN 16
#define COOKIE_REPLY_LEN 64
#define COOKIE_NONCE_LEN 24
#define COOKIE_SECRET_LIFETIME (UINT64_C(120) * 1000000000)

struct cookie_checker {
	uint8_t secret[32];
	uint64_t secret_born;		/* ns; 0: no secret yet */
	uint8_t reply_key[32];		/* cookie_key(our public key) */
};

/* 0 or -1. */
int cookie_checker_init(struct cookie_checker *c, const uint8_t our_public[32]);
void cookie_checker_wipe(struct cookie_checker *c);
/* The cookie the holder of src (AF_INET or AF_INET6) should use for mac2 at now. 0 or -1. */
int cookie_for(struct cookie_checker *c, const struct sockaddr *src, uint64_t now,
	       uint8_t out[COOKIE_LEN]);
/* The type-3 reply to handshake message msg (len bytes, mac1 verified)
 * from src. 0 or -1. */
int cookie_reply_create(struct cookie_checker *c, const uint8_t *msg, size_t len,
			const struct sockaddr *src, uint64_t now,
			uint8_t out[COOKIE_REPLY_LEN]);

/* Receiver index of a reply (len checked by the caller). */
uint32_t cookie_reply_index(const uint8_t *reply);
/* Open a reply from the host with public key peer_public, to our message
 * whose mac1 was last_mac1. 0 with the cookie, or -1 (forged, not ours). */
int cookie_reply_open(const uint8_t *reply, size_t len, const uint8_t peer_public[32],
		      const uint8_t last_mac1[16], uint8_t cookie[COOKIE_LEN]);

#endif

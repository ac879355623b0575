/* SPDX-License-Identifier: ISC */
/*
 * Fixed key setup for the libFuzzer targets: the PROTOCOL.md vector keys,
 * ephemerals, indices and timestamp, so the seed corpus (built from the
 * vectors) holds messages the real code accepts.
 *
 * Inputs start with a mode byte: bit 0 set means the harness recomputes
 * mac1 (and mac2) over the fuzzed bytes, so mutations reach the DH and AEAD
 * checks behind mac1; bit 1 set means the responder is "under load" and
 * checks mac2 against FUZZ_COOKIE.
 */
#ifndef OVPN_FUZZ_COMMON_H
#define OVPN_FUZZ_COMMON_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "proto.h"
#include "vec_rng.h"

struct fuzz_pair {
	struct proto_host ini_host, resp_host;
	struct proto_peer ini_peer;	/* the responder, as the initiator sees it */
	struct proto_peer resp_peer;	/* the initiator, as the responder sees it */
};

static const uint32_t fuzz_ini_index = 0x11223344;
static const uint32_t fuzz_resp_index = 0x55667788;
static const uint8_t fuzz_cookie[HS_COOKIE_LEN] = "cookie-for-fuzz";

static inline void fuzz_run(uint8_t *key, uint8_t first)
{
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(first + i);
}

static inline struct proto_peer *fuzz_lookup(void *ctx, const uint8_t *public_key)
{
	struct proto_peer *peer = ctx;

	return sodium_memcmp(peer->public_key, public_key, PROTO_KEY_LEN) ? NULL : peer;
}

static inline void fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz setup failed: %s\n", what);
	abort();
}

static inline void fuzz_setup(struct fuzz_pair *fp)
{
	uint8_t ipriv[32], rpriv[32], psk[32];

	if (sodium_init() < 0)
		fuzz_die("sodium_init");
	fuzz_run(ipriv, 0x01);
	fuzz_run(rpriv, 0x41);
	fuzz_run(psk, 0x21);	/* the vector handshake's pre-shared key */
	if (proto_host_init(&fp->ini_host, ipriv, NULL, 4, fuzz_lookup, &fp->ini_peer) ||
	    proto_host_init(&fp->resp_host, rpriv, NULL, 4, fuzz_lookup, &fp->resp_peer) ||
	    proto_peer_init(&fp->ini_peer, &fp->ini_host, fp->resp_host.public_key, NULL) ||
	    proto_peer_init(&fp->resp_peer, &fp->resp_host, fp->ini_host.public_key, NULL))
		fuzz_die("keys");
	proto_peer_set_psk(&fp->ini_peer, psk, 0);
	proto_peer_set_psk(&fp->resp_peer, psk, 0);
}

/* Initiation with the vector ephemeral, index and timestamp. */
static inline void fuzz_initiate(struct fuzz_pair *fp, uint8_t msg[HS_INITIATION_LEN])
{
	uint8_t eph[32], ts[TAI64N_LEN];
	struct vec_rng rng;
	int rc;

	fuzz_run(eph, 0x81);
	tai64n_encode_coarse(ts, 0x69264300, 0x075bcd15);
	vec_rng_arm(&fp->ini_host, &rng, eph, fuzz_ini_index);
	rc = proto_create_initiation(&fp->ini_peer, 0, ts, 0, msg);
	fp->ini_host.rng = (struct rng){ 0 };
	if (rc)
		fuzz_die("initiation");
}

/* Full handshake from the vectors: both sides hold the vector session. */
static inline void fuzz_handshake(struct fuzz_pair *fp)
{
	uint8_t m1[HS_INITIATION_LEN], eph[32];
	struct proto_reply reply = { .peer = NULL };
	struct proto_peer *who;
	struct vec_rng rng;
	enum drop_reason why;

	fuzz_initiate(fp, m1);
	fuzz_run(eph, 0xc1);
	vec_rng_arm(&fp->resp_host, &rng, eph, fuzz_resp_index);
	why = proto_consume_initiation(&fp->resp_host, m1, sizeof(m1), 0, NULL, &reply);
	fp->resp_host.rng = (struct rng){ 0 };
	if (why != DROP_NONE ||
	    proto_consume_response(&fp->ini_host, reply.msg, sizeof(reply.msg), 0, NULL,
				   &who) != DROP_NONE)
		fuzz_die("handshake");
}

/* Copy input after the mode byte into buf, fixing the macs if asked. */
static inline size_t fuzz_message(uint8_t *buf, size_t cap, const uint8_t *data, size_t size,
			   const uint8_t mac1_key[32])
{
	size_t len = size - 1;

	if (len > cap)
		len = cap;
	memcpy(buf, data + 1, len);
	if ((data[0] & 1) && len >= 2 * HS_MAC_LEN &&
	    handshake_add_macs(buf, len, mac1_key, (data[0] & 2) ? fuzz_cookie : NULL, NULL))
		fuzz_die("macs");
	return len;
}

#endif

/* SPDX-License-Identifier: ISC */
/* Shared setup for the protocol tests: the PROTOCOL.md vector keys. */
#ifndef OVPN_TEST_PROTO_FIXTURE_H
#define OVPN_TEST_PROTO_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <sodium.h>

#include "proto.h"
#include "tap.h"
#include "vec_rng.h"

#define VEC_INI_INDEX 0x11223344u
#define VEC_RESP_INDEX 0x55667788u
#define SEC TIMERS_NS_PER_SEC

/* PROTOCOL.md version 2. The first handshake has the pre-shared key
 * 0x21..0x40 (vec_psk); data and keepalive are sealed under its keys. */
static const char vec_initiation[] =
	"0100000044332211883186b800b41d5cf0429695da9b3cc4f328ebcd184a6e482fa578c1"
	"03f06c7747b029888b9d545e5b3f2f47151baf03c020abd65e1f9c387d77084760bae34d"
	"44f11065a4937ea8f472080327da4823880116973dbe4dd61ac870ada888a59e4e392b22"
	"901583aab50ee22e75ebad06cc0f65adf40735bc1f7aac6d000000000000000000000000"
	"00000000";
static const char vec_response[] =
	"0200000088776655443322113a553d74792d727efa9b9a4cde3da1ad93f1a2d0c09cb639"
	"b1a3c0fda14cbe248fa845957cc4c202fab3e53010faae2e121ea9470b79b1d4a809fb7a"
	"53dc97a200000000000000000000000000000000";
static const char vec_key_i2r[] =
	"e87254ed56084e1b37cb83c254063a67673e4e9f1e9698a599393e2234ff12ba";
static const char vec_key_r2i[] =
	"9381012ad0049548f4512e6d55ad8e94f2531545e2d8575d32ff3e47e9096303";
static const char vec_inner_head[] = "450000540000400040010000c6130001c6130002";
static const char vec_data[] =
	"040000008877665500000000000000005e69299b039dff9b0f78e0cbfdaaf5ed388a7b10"
	"d0f03d63ccd869e2c7827d2ccc05145f86f3218d5620b15346107ff424fb5d68044c017d"
	"a0c4f1bdf025df9c750f9094e0355ee15d1a04de86cf3b004e58b5c931d0a0da94ba004b"
	"e601294f13a833ec1797dc6899df13c5a653e82d";
static const char vec_keepalive[] =
	"04000000443322110700000000000000a5cf127132bf2460e862bcb3a3b59e2c";
/* The second handshake, with no pre-shared key (32 zero bytes). */
static const char vec_initiation_nopsk[] =
	"0100000044332211883186b800b41d5cf0429695da9b3cc4f328ebcd184a6e482fa578c1"
	"03f06c7747b029888b9d545e5b3f2f47151baf03c020abd65e1f9c387d77084760bae34d"
	"44f11065a4937ea8f472080327da4823880116973dbe4dd61ac870ada888a59e4e392b22"
	"901583aab50ee22e75ebad06cc0f65adf40735bc1f7aac6d000000000000000000000000"
	"00000000";
static const char vec_response_nopsk[] =
	"0200000088776655443322113a553d74792d727efa9b9a4cde3da1ad93f1a2d0c09cb639"
	"b1a3c0fda14cbe24c6b9eb8101b7ace271d3bb04996582ca388cd3e7b12899d2eb6ae584"
	"d7fe59e100000000000000000000000000000000";
static const char vec_key_i2r_nopsk[] =
	"9aff595267179777f5e4030467c45544b74aefe79a1b245a6036df808290d7ac";
static const char vec_key_r2i_nopsk[] =
	"d02ccbfe96304d669b8217b8a46e07c9262ab40b27edcfe4e62dcc197299ee09";
static const char vec_timestamp_coarse[] = "400000006926430007000000";
static const char vec_ini_public[] =
	"07a37cbc142093c8b755dc1b10e86cb426374ad16aa853ed0bdfc0b2b86d1c7c";
static const char vec_resp_public[] =
	"64b101b1d0be5a8704bd078f9895001fc03e8e9f9522f188dd128d9846d48466";

/* Two hosts that know each other: "i" is the vector initiator. */
struct pair {
	struct proto_host ih, rh;
	struct proto_peer ip;	/* i's view of r */
	struct proto_peer rp;	/* r's view of i */
	uint32_t handshakes;	/* later handshakes need newer timestamps */
	struct vec_rng irng, rrng;	/* the vector ephemerals and indices */
};

static inline size_t unhex(uint8_t *out, const char *hex)
{
	size_t n = strlen(hex) / 2;

	if (sodium_hex2bin(out, n, hex, strlen(hex), NULL, NULL, NULL)) {
		fprintf(stderr, "bad hex in test\n");
		exit(99);
	}
	return n;
}

static inline void key_run(uint8_t key[32], uint8_t first)
{
	for (int i = 0; i < 32; i++)
		key[i] = (uint8_t)(first + i);
}

static inline struct proto_peer *pair_lookup(void *ctx, const uint8_t *public_key)
{
	struct proto_peer *peer = ctx;

	return sodium_memcmp(peer->public_key, public_key, 32) ? NULL : peer;
}

/* The pre-shared key of the first vector handshake. */
static inline void vec_psk(uint8_t psk[32])
{
	key_run(psk, 0x21);
}

/* Both sides' pre-shared key (NULL: none). */
static inline void pair_set_psk(struct pair *p, const uint8_t *psk)
{
	proto_peer_set_psk(&p->ip, psk, 0);
	proto_peer_set_psk(&p->rp, psk, 0);
}

/* Two hosts with the vector keys and the vector pre-shared key. */
static inline void pair_init(struct pair *p, const struct proto_timers *t)
{
	uint8_t ipriv[32], rpriv[32], psk[32];

	if (sodium_init() < 0)
		exit(99);
	key_run(ipriv, 0x01);
	key_run(rpriv, 0x41);
	p->handshakes = 0;
	if (proto_host_init(&p->ih, ipriv, t, 8, pair_lookup, &p->ip) ||
	    proto_host_init(&p->rh, rpriv, t, 8, pair_lookup, &p->rp) ||
	    proto_peer_init(&p->ip, &p->ih, p->rh.public_key, NULL) ||
	    proto_peer_init(&p->rp, &p->rh, p->ih.public_key, NULL)) {
		fprintf(stderr, "pair_init failed\n");
		exit(99);
	}
	vec_psk(psk);
	pair_set_psk(p, psk);
}

static inline void pair_free(struct pair *p)
{
	proto_peer_free(&p->ip);
	proto_peer_free(&p->rp);
	proto_host_free(&p->ih);
	proto_host_free(&p->rh);
}

/* The clock reading behind the vector timestamp, exact (the sender's
 * form, tai64n_encode_coarse, is vec_timestamp_coarse). */
static inline void vec_timestamp(uint8_t ts[TAI64N_LEN])
{
	tai64n_encode(ts, 0x69264300, 0x075bcd15);
}

/* Vector initiation from i at time now (timestamp secs offset by bump):
 * the vector index while it is free, else a random one. */
static inline int pair_initiate(struct pair *p, uint64_t now, uint32_t bump,
				uint8_t m1[HS_INITIATION_LEN])
{
	uint8_t eph[32], ts[TAI64N_LEN];
	int rc;

	key_run(eph, 0x81);
	tai64n_encode_coarse(ts, 0x69264300 + (uint64_t)bump, 0x075bcd15);
	vec_rng_arm(&p->ih, &p->irng, eph, VEC_INI_INDEX);
	rc = proto_create_initiation(&p->ip, now, ts, 0, m1);
	vec_rng_disarm(&p->irng);
	return rc;
}

static inline enum drop_reason pair_respond(struct pair *p, uint64_t now,
					    const uint8_t *m1, size_t len,
					    uint8_t m2[HS_RESPONSE_LEN])
{
	struct proto_reply reply = { .peer = NULL };
	enum drop_reason why;
	uint8_t eph[32];

	key_run(eph, 0xc1);
	vec_rng_arm(&p->rh, &p->rrng, eph, VEC_RESP_INDEX);
	why = proto_consume_initiation(&p->rh, m1, len, now, NULL, &reply);
	vec_rng_disarm(&p->rrng);
	memcpy(m2, reply.msg, HS_RESPONSE_LEN);
	return why;
}

/* The vector handshake at time now (the first of a pair uses the vector
 * timestamp): i has current, r has next. */
static inline void pair_handshake(struct pair *p, uint64_t now)
{
	uint8_t m1[HS_INITIATION_LEN], m2[HS_RESPONSE_LEN];
	struct proto_peer *who;

	if (pair_initiate(p, now, p->handshakes++, m1) || pair_respond(p, now, m1, sizeof(m1), m2) ||
	    proto_consume_response(&p->ih, m2, sizeof(m2), now, NULL, &who)) {
		fprintf(stderr, "vector handshake failed\n");
		exit(99);
	}
}

/* Seal len bytes of pattern from `from`; returns the packet length or 0. */
static inline size_t seal_bytes(struct proto_peer *from, uint8_t *buf, size_t len,
				uint64_t now)
{
	size_t out = 0;

	for (size_t i = 0; i < len; i++)
		buf[KEYPAIR_HEADER_LEN + i] = (uint8_t)i;
	return proto_seal(from, buf, len, 1420, now, &out) == PROTO_SEAL_OK ? out : 0;
}

/* A minimal valid IPv4 packet of len bytes (len >= 20) at p. */
static inline void make_ipv4(uint8_t *p, size_t len)
{
	memset(p, 0, len);
	p[0] = 0x45;
	p[2] = (uint8_t)(len >> 8);
	p[3] = (uint8_t)len;
	p[12] = 10; p[13] = 77; p[15] = 1;
	p[16] = 10; p[17] = 77; p[19] = 2;
}

#endif

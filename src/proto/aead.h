/* SPDX-License-Identifier: ISC */
/*
 * The bulk AEAD of the data path: ChaCha20-Poly1305 (IETF, 12-byte nonce,
 * 16-byte tag) under one key, detached tag, in place allowed.
 *
 * Two implementations give the same bytes: libsodium's, always there, and
 * libcrypto's (OpenSSL 3 EVP, its AVX2/AVX-512 code) when configure found
 * it. The key is set once per struct aead; with libcrypto a cipher context
 * keyed once is kept and only the nonce changes per packet.
 */
#ifndef OVPN_AEAD_H
#define OVPN_AEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AEAD_KEY_LEN 32
#define AEAD_NONCE_LEN 12
#define AEAD_TAG_LEN 16

enum aead_impl {
	AEAD_AUTO,		/* the fastest built in: libcrypto if there */
	AEAD_SODIUM,
	AEAD_OPENSSL,
};

struct aead {
	enum aead_impl impl;	/* AEAD_SODIUM or AEAD_OPENSSL once set */
	uint8_t key[AEAD_KEY_LEN];
	void *ctx;		/* libcrypto: EVP_CIPHER_CTX keyed once */
	bool decrypt;
};

/* Key a for sealing (decrypt false) or opening. -1 if impl is not built
 * in or libcrypto fails. */
int aead_init(struct aead *a, const uint8_t key[AEAD_KEY_LEN], bool decrypt,
	      enum aead_impl impl);
/* One packet's work: len bytes from in to out (out == in allowed), under
 * the associated data ad and nonce (AEAD_NONCE_LEN bytes); tag
 * (AEAD_TAG_LEN bytes) is written by aead_seal and checked by aead_open. */
struct aead_msg {
	uint8_t *out;
	const uint8_t *in;
	size_t len;
	const uint8_t *ad;
	size_t ad_len;
	const uint8_t *nonce;
	uint8_t *tag;
};

/* out = seal(in), the tag into m->tag. 0 or -1. */
int aead_seal(struct aead *a, const struct aead_msg *m);
/* out = open(in); -1 on a bad tag (out's content is then undefined:
 * libcrypto decrypts before it checks). */
int aead_open(struct aead *a, const struct aead_msg *m);
void aead_wipe(struct aead *a);
/* dst keyed as src (same key, direction, implementation), for another
 * thread. 0 or -1. */
int aead_clone(struct aead *dst, const struct aead *src);
/* Whether impl (AEAD_SODIUM, AEAD_OPENSSL) is built in. */
bool aead_available(enum aead_impl impl);
/* What AEAD_AUTO picks, and its name: "libcrypto" or "libsodium". */
enum aead_impl aead_default(void);
const char *aead_impl_name(enum aead_impl impl);
/* Parse "libsodium" / "libcrypto" (as aead_impl_name prints them). */
int aead_impl_parse(const char *name, enum aead_impl *impl);
/* Library set-up at start, before the privilege drop (libcrypto reads its
 * config and fetches the cipher once); prefer (not AEAD_AUTO) becomes what
 * AEAD_AUTO picks. -1 on failure or when prefer is not built in. */
int aead_setup(enum aead_impl prefer);

#endif

/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <string.h>

#include <sodium.h>
#ifdef HAVE_OPENSSL
#include <openssl/crypto.h>
#include <openssl/evp.h>
#endif

#include "aead.h"

static enum aead_impl aead_auto =
#ifdef HAVE_OPENSSL
	AEAD_OPENSSL;
#else
	AEAD_SODIUM;
#endif

#ifdef HAVE_OPENSSL
static EVP_CIPHER *aead_cipher;

/* Fetched once: an implicit fetch per EVP_CipherInit_ex costs more than
 * sealing a small packet. The system's openssl.cnf is not read: only this
 * cipher of the default provider is used, and reading it costs 0.7 MiB of
 * resident memory. */
static int ossl_fetch(void)
{
	if (!aead_cipher && OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL) == 1)
		aead_cipher = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL);
	return aead_cipher ? 0 : -1;
}

static int ossl_init(struct aead *a)
{
	EVP_CIPHER_CTX *ctx;

	if (ossl_fetch() < 0 || !(ctx = EVP_CIPHER_CTX_new()))
		return -1;
	if (EVP_CipherInit_ex(ctx, aead_cipher, NULL, a->key, NULL, a->decrypt ? 0 : 1) != 1) {
		EVP_CIPHER_CTX_free(ctx);
		return -1;
	}
	a->ctx = ctx;
	return 0;
}

/* One pass: the nonce is the only per-packet init; the key stays set. */
static int ossl_crypt(struct aead *a, const struct aead_msg *m)
{
	EVP_CIPHER_CTX *ctx = a->ctx;
	int n, enc = a->decrypt ? 0 : 1;

	if (m->len > INT32_MAX || m->ad_len > INT32_MAX ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, NULL, m->nonce, enc) != 1 ||
	    (m->ad_len && EVP_CipherUpdate(ctx, NULL, &n, m->ad, (int)m->ad_len) != 1) ||
	    (m->len && EVP_CipherUpdate(ctx, m->out, &n, m->in, (int)m->len) != 1))
		return -1;
	if (a->decrypt &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, AEAD_TAG_LEN, m->tag) != 1)
		return -1;
	if (EVP_CipherFinal_ex(ctx, m->out + m->len, &n) != 1)
		return -1;
	if (!a->decrypt &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, AEAD_TAG_LEN, m->tag) != 1)
		return -1;
	return 0;
}
#endif

bool aead_available(enum aead_impl impl)
{
#ifdef HAVE_OPENSSL
	if (impl == AEAD_OPENSSL)
		return true;
#endif
	return impl == AEAD_SODIUM || impl == AEAD_AUTO;
}

enum aead_impl aead_default(void)
{
	return aead_auto;
}

const char *aead_impl_name(enum aead_impl impl)
{
	if (impl == AEAD_AUTO)
		impl = aead_auto;
	return impl == AEAD_OPENSSL ? "libcrypto" : "libsodium";
}

int aead_impl_parse(const char *name, enum aead_impl *impl)
{
	if (!strcmp(name, "libsodium"))
		*impl = AEAD_SODIUM;
	else if (!strcmp(name, "libcrypto"))
		*impl = AEAD_OPENSSL;
	else
		return -1;
	return 0;
}

int aead_setup(enum aead_impl prefer)
{
	if (!aead_available(prefer))
		return -1;
	if (prefer != AEAD_AUTO)
		aead_auto = prefer;
#ifdef HAVE_OPENSSL
	if (aead_auto == AEAD_OPENSSL)
		return ossl_fetch();
#endif
	return 0;
}

int aead_init(struct aead *a, const uint8_t key[AEAD_KEY_LEN], bool decrypt,
	      enum aead_impl impl)
{
	aead_wipe(a);
	if (impl == AEAD_AUTO)
		impl = aead_auto;
	if (!aead_available(impl))
		return -1;
	a->impl = impl;
	a->decrypt = decrypt;
	memcpy(a->key, key, AEAD_KEY_LEN);
#ifdef HAVE_OPENSSL
	if (impl == AEAD_OPENSSL && ossl_init(a) < 0) {
		aead_wipe(a);
		return -1;
	}
#endif
	return 0;
}

/* Seal (decrypt false) or open with a keyed the same way. */
static int aead_run(struct aead *a, const struct aead_msg *m, bool decrypt)
{
	if (a->decrypt != decrypt)
		return -1;
#ifdef HAVE_OPENSSL
	if (a->impl == AEAD_OPENSSL)
		return ossl_crypt(a, m);
#endif
	if (a->impl != AEAD_SODIUM)
		return -1;
	if (decrypt)
		return crypto_aead_chacha20poly1305_ietf_decrypt_detached(
			m->out, NULL, m->in, m->len, m->tag, m->ad, m->ad_len, m->nonce,
			a->key) ? -1 : 0;
	return crypto_aead_chacha20poly1305_ietf_encrypt_detached(
		m->out, m->tag, NULL, m->in, m->len, m->ad, m->ad_len, NULL, m->nonce,
		a->key) ? -1 : 0;
}

int aead_seal(struct aead *a, const struct aead_msg *m)
{
	return aead_run(a, m, false);
}

int aead_open(struct aead *a, const struct aead_msg *m)
{
	return aead_run(a, m, true);
}

void aead_wipe(struct aead *a)
{
#ifdef HAVE_OPENSSL
	/* EVP_CIPHER_CTX_free cleanses the key schedule it holds */
	if (a->ctx)
		EVP_CIPHER_CTX_free(a->ctx);
#endif
	sodium_memzero(a, sizeof(*a));
}

int aead_clone(struct aead *dst, const struct aead *src)
{
	return aead_init(dst, src->key, src->decrypt, src->impl);
}

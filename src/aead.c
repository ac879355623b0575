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
static int ossl_crypt(struct aead *a, uint8_t *out, const uint8_t *in, size_t len,
		      const uint8_t *ad, size_t ad_len, const uint8_t *nonce,
		      uint8_t *tag)
{
	EVP_CIPHER_CTX *ctx = a->ctx;
	int n, enc = a->decrypt ? 0 : 1;

	if (len > INT32_MAX || ad_len > INT32_MAX ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, NULL, nonce, enc) != 1 ||
	    (ad_len && EVP_CipherUpdate(ctx, NULL, &n, ad, (int)ad_len) != 1) ||
	    (len && EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1))
		return -1;
	if (a->decrypt &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, AEAD_TAG_LEN, tag) != 1)
		return -1;
	if (EVP_CipherFinal_ex(ctx, out + len, &n) != 1)
		return -1;
	if (!a->decrypt &&
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, AEAD_TAG_LEN, tag) != 1)
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

int aead_seal(struct aead *a, uint8_t *c, const uint8_t *m, size_t len,
	      const uint8_t *ad, size_t ad_len, const uint8_t nonce[AEAD_NONCE_LEN],
	      uint8_t tag[AEAD_TAG_LEN])
{
	if (a->decrypt)
		return -1;
#ifdef HAVE_OPENSSL
	if (a->impl == AEAD_OPENSSL)
		return ossl_crypt(a, c, m, len, ad, ad_len, nonce, tag);
#endif
	if (a->impl != AEAD_SODIUM)
		return -1;
	return crypto_aead_chacha20poly1305_ietf_encrypt_detached(
		c, tag, NULL, m, len, ad, ad_len, NULL, nonce, a->key) ? -1 : 0;
}

int aead_open(struct aead *a, uint8_t *m, const uint8_t *c, size_t len,
	      const uint8_t *ad, size_t ad_len, const uint8_t nonce[AEAD_NONCE_LEN],
	      const uint8_t tag[AEAD_TAG_LEN])
{
	if (!a->decrypt)
		return -1;
#ifdef HAVE_OPENSSL
	if (a->impl == AEAD_OPENSSL)
		return ossl_crypt(a, m, c, len, ad, ad_len, nonce, (uint8_t *)tag);
#endif
	if (a->impl != AEAD_SODIUM)
		return -1;
	return crypto_aead_chacha20poly1305_ietf_decrypt_detached(
		m, NULL, c, len, tag, ad, ad_len, nonce, a->key) ? -1 : 0;
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

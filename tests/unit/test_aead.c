/* SPDX-License-Identifier: ISC */
/* The bulk AEAD: RFC 8439 2.8.2 on each implementation built in, and sealed
 * with one, opened with the other (libsodium and libcrypto), every size the
 * data path sends, in place and not, tampering caught by both. */
#include "config.h"

#include <sodium.h>

#include "aead.h"
#include "tap.h"

static const char *const rfc_key = "808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f";
static const char *const rfc_nonce = "070000004041424344454647";
static const char *const rfc_ad = "50515253c0c1c2c3c4c5c6c7";
static const char rfc_plain[] = "Ladies and Gentlemen of the class of '99: If I could offer "
	"you only one tip for the future, sunscreen would be it.";
static const char *const rfc_cipher =
	"d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
	"3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
	"92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
	"3ff4def08e4b7a9de576d26586cec64b6116";
static const char *const rfc_tag = "1ae10b594f09e26a7e902ecbd0600691";

static size_t unhex(uint8_t *out, size_t max, const char *hex)
{
	size_t n = 0;

	if (sodium_hex2bin(out, max, hex, strlen(hex), NULL, &n, NULL) < 0)
		return 0;
	return n;
}

/* out = seal or open of in (len bytes) under ad (ad_len) and nonce. */
static struct aead_msg msg(uint8_t *out, const uint8_t *in, size_t len,
			   const uint8_t *ad, size_t ad_len, const uint8_t *nonce)
{
	return (struct aead_msg){ .out = out, .in = in, .len = len, .ad = ad,
				  .ad_len = ad_len, .nonce = nonce };
}

static int aead_seal_with(struct aead *a, struct aead_msg m, uint8_t *tag)
{
	m.tag = tag;
	return aead_seal(a, &m);
}

static int aead_open_with(struct aead *a, struct aead_msg m, uint8_t *tag)
{
	m.tag = tag;
	return aead_open(a, &m);
}

static void test_rfc8439(enum aead_impl impl)
{
	uint8_t key[AEAD_KEY_LEN], nonce[AEAD_NONCE_LEN], ad[12], want[sizeof(rfc_plain)];
	uint8_t buf[sizeof(rfc_plain)], tag[AEAD_TAG_LEN], want_tag[AEAD_TAG_LEN];
	size_t len = sizeof(rfc_plain) - 1;
	struct aead seal = { 0 }, open = { 0 };

	CHECK_EQ(unhex(key, sizeof(key), rfc_key), sizeof(key));
	CHECK_EQ(unhex(nonce, sizeof(nonce), rfc_nonce), sizeof(nonce));
	CHECK_EQ(unhex(ad, sizeof(ad), rfc_ad), sizeof(ad));
	CHECK_EQ(unhex(want, sizeof(want), rfc_cipher), len);
	CHECK_EQ(unhex(want_tag, sizeof(want_tag), rfc_tag), sizeof(want_tag));
	CHECK_EQ(aead_init(&seal, key, false, impl), 0);
	CHECK_EQ(aead_init(&open, key, true, impl), 0);
	CHECK_EQ(seal.impl, impl);
	memcpy(buf, rfc_plain, len);
	CHECK_EQ(aead_seal_with(&seal, msg(buf, buf, len, ad, sizeof(ad), nonce), tag), 0);
	CHECK_MEM(buf, want, len);
	CHECK_MEM(tag, want_tag, sizeof(tag));
	/* twice with one context: the key stays, only the nonce is set again */
	memcpy(buf, rfc_plain, len);
	CHECK_EQ(aead_seal_with(&seal, msg(buf, buf, len, ad, sizeof(ad), nonce), tag), 0);
	CHECK_MEM(tag, want_tag, sizeof(tag));
	CHECK_EQ(aead_open_with(&open, msg(buf, buf, len, ad, sizeof(ad), nonce), tag), 0);
	CHECK_MEM(buf, rfc_plain, len);
	/* a seal context does not open, nor an open context seal */
	CHECK_LT(aead_open_with(&seal, msg(buf, buf, len, ad, sizeof(ad), nonce), tag), 0);
	CHECK_LT(aead_seal_with(&open, msg(buf, buf, len, ad, sizeof(ad), nonce), tag), 0);
	aead_wipe(&seal);
	aead_wipe(&open);
	CHECK(sodium_is_zero((const unsigned char *)&seal, sizeof(seal)));
}

/* Seal with a, open with b: same bytes as b's own seal, tampering caught. */
static void test_cross(enum aead_impl a, enum aead_impl b)
{
	static uint8_t plain[1500], c1[1500], c2[1500];
	uint8_t key[AEAD_KEY_LEN], nonce[AEAD_NONCE_LEN] = { 0 }, ad[16];
	uint8_t t1[AEAD_TAG_LEN], t2[AEAD_TAG_LEN];
	struct aead sa = { 0 }, sb = { 0 }, ob = { 0 };
	int bad = 0;

	randombytes_buf(key, sizeof(key));
	randombytes_buf(plain, sizeof(plain));
	randombytes_buf(ad, sizeof(ad));
	CHECK_EQ(aead_init(&sa, key, false, a), 0);
	CHECK_EQ(aead_init(&sb, key, false, b), 0);
	CHECK_EQ(aead_init(&ob, key, true, b), 0);
	for (size_t len = 0; len <= sizeof(plain); len += len < 80 ? 1 : 37) {
		nonce[4 + len % 8]++;
		memcpy(c1, plain, len);	/* a in place, b out of place */
		bad += aead_seal_with(&sa, msg(c1, c1, len, ad, sizeof(ad), nonce), t1) < 0;
		bad += aead_seal_with(&sb, msg(c2, plain, len, ad, sizeof(ad), nonce), t2) < 0;
		bad += memcmp(c1, c2, len) != 0 || memcmp(t1, t2, sizeof(t1)) != 0;
		bad += aead_open_with(&ob, msg(c2, c1, len, ad, sizeof(ad), nonce), t1) < 0;
		bad += memcmp(c2, plain, len) != 0;
		/* one bit of the ciphertext, the tag or the header */
		if (len)
			c1[len / 2] ^= 1;
		else
			t1[0] ^= 1;
		bad += aead_open_with(&ob, msg(c2, c1, len, ad, sizeof(ad), nonce), t1) == 0;
		if (len)
			c1[len / 2] ^= 1;
		else
			t1[0] ^= 1;
		ad[3] ^= 0x80;
		bad += aead_open_with(&ob, msg(c2, c1, len, ad, sizeof(ad), nonce), t1) == 0;
		ad[3] ^= 0x80;
		bad += aead_open_with(&ob, msg(c2, c1, len, ad, sizeof(ad), nonce), t1) < 0;
	}
	CHECK_EQ(bad, 0);
	aead_wipe(&sa);
	aead_wipe(&sb);
	aead_wipe(&ob);
}

static void test_names(void)
{
	enum aead_impl impl = AEAD_AUTO;

	CHECK(aead_available(AEAD_SODIUM));
	CHECK_EQ(aead_impl_parse("libsodium", &impl), 0);
	CHECK_EQ(impl, AEAD_SODIUM);
	CHECK_EQ(aead_impl_parse("libcrypto", &impl), 0);
	CHECK_EQ(impl, AEAD_OPENSSL);
	CHECK_LT(aead_impl_parse("openssl", &impl), 0);
#ifdef HAVE_OPENSSL
	CHECK_EQ(aead_default(), AEAD_OPENSSL);
	CHECK_STR(aead_impl_name(AEAD_AUTO), "libcrypto");
#else
	/* --without-openssl: libcrypto is refused, libsodium is the pick */
	CHECK(!aead_available(AEAD_OPENSSL));
	CHECK_LT(aead_setup(AEAD_OPENSSL), 0);
	CHECK_EQ(aead_default(), AEAD_SODIUM);
	CHECK_STR(aead_impl_name(AEAD_AUTO), "libsodium");
#endif
}

int main(void)
{
	if (sodium_init() < 0 || aead_setup(AEAD_AUTO) < 0)
		return 99;
	RUN(test_names());
	RUN(test_rfc8439(AEAD_SODIUM));
#ifdef HAVE_OPENSSL
	RUN(test_rfc8439(AEAD_OPENSSL));
	RUN(test_cross(AEAD_SODIUM, AEAD_OPENSSL));
	RUN(test_cross(AEAD_OPENSSL, AEAD_SODIUM));
	printf("# libsodium and libcrypto: RFC 8439 and sealed by one, opened by the other\n");
#else
	RUN(test_cross(AEAD_SODIUM, AEAD_SODIUM));
	printf("# libsodium only (built without libcrypto)\n");
#endif
	return tap_done();
}

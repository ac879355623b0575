/* SPDX-License-Identifier: ISC */
/* HMAC-BLAKE2b and HKDF against Python's hmac/hashlib, TAI64N, Noise steps. */
#include "config.h"

#include "proto_fixture.h"

static void test_hmac(void)
{
	static const char msg[] = "The quick brown fox jumps over the lazy dog";
	uint8_t out[64], want[64], key[200];

	CHECK_EQ(noise_hmac(out, (const uint8_t *)"key", 3, (const uint8_t *)msg,
			 sizeof(msg) - 1), 0);
	unhex(want, "92294f92c0dfb9b00ec9ae8bd94d7e7d8a036b885a499f149dfe2fd2199394aa"
		    "af6b8894a1730cccb2cd050f9bcf5062a38b51b0dab33207f8ef35ae2c9df51b");
	CHECK_MEM(out, want, 64);

	for (int i = 0; i < 200; i++)
		key[i] = (uint8_t)i;
	CHECK_EQ(noise_hmac(out, key, 64, NULL, 0), 0);
	unhex(want, "ea1896ab7c8319a824482f757c038b70089765501b1f8bdb78153d195915bd33"
		    "0bde7a8c0fb6dbf3de09277662ba661fde80017dc277309eedfe05bdf5b27e18");
	CHECK_MEM(out, want, 64);

	/* A key longer than the block is hashed first. */
	CHECK_EQ(noise_hmac(out, key, 200, (const uint8_t *)"abc", 3), 0);
	unhex(want, "feb09eb5b1c557085c0a53bdf39ef7bc9af291f21d7c917cd1cf09542aab9536"
		    "2de79b3925fe55d92997423b5a68be1bda2f6518df34fa1053bb3ef559b08200");
	CHECK_MEM(out, want, 64);
}

static void test_hkdf(void)
{
	uint8_t ck[64], ikm[32], o1[64], o2[64], want[64];

	memset(ck, 0x11, sizeof(ck));
	memset(ikm, 0x22, sizeof(ikm));
	CHECK_EQ(noise_hkdf2(o1, o2, ck, ikm, sizeof(ikm)), 0);
	unhex(want, "f40cb5e07d2427ba7f73913ac1fda74f774012188c442e04d7b6738430612e57"
		    "3151cce099cd56d36e167cfa2761a052518e82dd02e45be173470479d72f544c");
	CHECK_MEM(o1, want, 64);
	unhex(want, "acdbfbc9fca30a9a12e37d7c6dc98d203af3dadc116d8aec4d51491ffe8c370e"
		    "d6593becd2f5bbf31ca7b8983fdf4cb3031a9d331a038a007de628a416c55915");
	CHECK_MEM(o2, want, 64);
}

static void test_tai64n(void)
{
	uint8_t ts[TAI64N_LEN], want[TAI64N_LEN], later[TAI64N_LEN];

	vec_timestamp(ts);
	unhex(want, "4000000069264300075bcd15");
	CHECK_MEM(ts, want, TAI64N_LEN);
	tai64n_encode(later, 0x69264300, 0x075bcd16);
	CHECK_GT(tai64n_compare(later, ts), 0);
	tai64n_encode(later, 0x69264301, 0);
	CHECK_GT(tai64n_compare(later, ts), 0);
	CHECK_EQ(tai64n_compare(ts, ts), 0);
}

static void test_symmetric(void)
{
	struct noise_state a, b;
	uint8_t key[32], c[48], p[32], msg[32];

	memset(msg, 0x5a, sizeof(msg));
	memset(key, 0x33, sizeof(key));
	CHECK_EQ(noise_init(&a), 0);
	b = a;
	/* Before MixKey EncryptAndHash is the identity (and hashes). */
	CHECK_EQ(noise_encrypt_and_hash(&a, c, msg, 32), 0);
	CHECK_MEM(c, msg, 32);
	CHECK_EQ(noise_decrypt_and_hash(&b, p, c, 32), 0);
	CHECK_MEM(a.h, b.h, 64);
	CHECK(noise_mix_key(&a, key, 32) == 0 && noise_mix_key(&b, key, 32) == 0);
	CHECK_EQ(noise_encrypt_and_hash(&a, c, msg, 32), 0);
	CHECK_EQ(noise_decrypt_and_hash(&b, p, c, 48), 0);
	CHECK_MEM(p, msg, 32);
	CHECK(a.n == 1 && b.n == 1);
	c[47] ^= 1;
	CHECK_EQ(noise_decrypt_and_hash(&b, p, c, 48), -1);
	CHECK_EQ(noise_decrypt_and_hash(&b, p, c, 15), -1);
	noise_wipe(&a);
	CHECK(sodium_is_zero((const unsigned char *)&a, sizeof(a)));
}

int main(void)
{
	if (sodium_init() < 0)
		return 99;
	RUN(test_hmac());
	RUN(test_hkdf());
	RUN(test_tai64n());
	RUN(test_symmetric());
	return tap_done();
}

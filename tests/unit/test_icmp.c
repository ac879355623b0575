/* SPDX-License-Identifier: ISC */
/* ICMP and ICMPv6 unreachable replies for no-route packets: the fields,
 * checksums and quote of each, every packet that must get none, and the
 * rate limit. */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "icmp.h"
#include "tap.h"

static uint8_t pkt[2000], out[ICMP_REPLY_MAX];

/* RFC 1071 sum, written apart from the code under test. */
static uint32_t ref_sum(uint32_t sum, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

static uint16_t ref_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static unsigned be16(const uint8_t *p)
{
	return (unsigned)(p[0] << 8 | p[1]);
}

static size_t v4_packet(uint8_t proto, size_t len)
{
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x45;
	pkt[2] = (uint8_t)(len >> 8);
	pkt[3] = (uint8_t)len;
	pkt[6] = 0x40;		/* DF */
	pkt[8] = 64;
	pkt[9] = proto;
	memcpy(pkt + 12, (uint8_t[]){ 10, 77, 0, 1, 10, 77, 0, 9 }, 8);
	pkt[20] = 8;		/* echo request, if ICMP */
	for (size_t i = 28; i < len; i++)
		pkt[i] = (uint8_t)i;
	return len;
}

static size_t v6_packet(uint8_t next, size_t len)
{
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x60;
	pkt[4] = (uint8_t)((len - 40) >> 8);
	pkt[5] = (uint8_t)(len - 40);
	pkt[6] = next;
	pkt[7] = 64;
	pkt[8] = 0xfd;
	pkt[9] = 0x77;
	pkt[23] = 1;
	pkt[24] = 0xfd;
	pkt[25] = 0x77;
	pkt[39] = 9;
	pkt[40] = 128;		/* echo request, if ICMPv6 */
	return len;
}

static void test_v4(void)
{
	size_t len = v4_packet(1, 84), n;

	n = icmp_unreach(pkt, len, out, sizeof(out));
	CHECK_EQ(n, 20 + 8 + 84);
	CHECK_EQ(out[0], 0x45);
	CHECK_EQ(be16(out + 2), n);
	CHECK_EQ(out[9], 1);
	CHECK_EQ(out[8], 64);
	CHECK_EQ(ref_fold(ref_sum(0, out, 20)), 0xffff);
	CHECK_MEM(out + 12, pkt + 16, 4);	/* from the address asked for */
	CHECK_MEM(out + 16, pkt + 12, 4);	/* to the sender */
	CHECK_EQ(out[20], 3);
	CHECK_EQ(out[21], 1);
	CHECK_EQ(ref_fold(ref_sum(0, out + 20, n - 20)), 0xffff);
	CHECK_MEM(out + 28, pkt, len);
	/* A long packet is quoted up to 576 bytes in all. */
	len = v4_packet(6, 1400);
	n = icmp_unreach(pkt, len, out, sizeof(out));
	CHECK_EQ(n, 576);
	CHECK_EQ(be16(out + 2), 576);
	CHECK_EQ(ref_fold(ref_sum(0, out + 20, n - 20)), 0xffff);
	CHECK_MEM(out + 28, pkt, 548);
	/* Too small a buffer: nothing. */
	CHECK_EQ(icmp_unreach(pkt, len, out, 100), 0);
}

static void test_v4_none(void)
{
	size_t len = v4_packet(1, 84);

	pkt[20] = 3;		/* an ICMP error itself */
	CHECK_EQ(icmp_unreach(pkt, len, out, sizeof(out)), 0);
	pkt[20] = 11;
	CHECK_EQ(icmp_unreach(pkt, len, out, sizeof(out)), 0);
	pkt[20] = 0;		/* an echo reply is answered */
	CHECK_GT(icmp_unreach(pkt, len, out, sizeof(out)), 0);
	len = v4_packet(17, 84);
	pkt[7] = 0x10;		/* a later fragment */
	CHECK_EQ(icmp_unreach(pkt, len, out, sizeof(out)), 0);
	pkt[6] = 0x20;		/* the first of several is answered */
	pkt[7] = 0;
	CHECK_GT(icmp_unreach(pkt, len, out, sizeof(out)), 0);
	len = v4_packet(17, 84);
	pkt[16] = 224;		/* multicast */
	CHECK_EQ(icmp_unreach(pkt, len, out, sizeof(out)), 0);
	memset(pkt + 16, 0xff, 4);	/* broadcast */
	CHECK_EQ(icmp_unreach(pkt, len, out, sizeof(out)), 0);
	len = v4_packet(17, 84);
	memset(pkt + 12, 0, 4);	/* no source */
	CHECK_EQ(icmp_unreach(pkt, len, out, sizeof(out)), 0);
	len = v4_packet(17, 84);
	pkt[0] = 0x44;		/* header length below 20 */
	CHECK_EQ(icmp_unreach(pkt, len, out, sizeof(out)), 0);
	pkt[0] = 0x4f;		/* above the packet */
	CHECK_EQ(icmp_unreach(pkt, 40, out, sizeof(out)), 0);
	CHECK_EQ(icmp_unreach(pkt, 0, out, sizeof(out)), 0);
	pkt[0] = 0x50;
	CHECK_EQ(icmp_unreach(pkt, len, out, sizeof(out)), 0);
}

static void test_v6(void)
{
	size_t len = v6_packet(58, 104), n;
	uint32_t sum;

	n = icmp_unreach(pkt, len, out, sizeof(out));
	CHECK_EQ(n, 40 + 8 + 104);
	CHECK_EQ(out[0], 0x60);
	CHECK_EQ(be16(out + 4), n - 40);
	CHECK_EQ(out[6], 58);
	CHECK_EQ(out[7], 64);
	CHECK_MEM(out + 8, pkt + 24, 16);
	CHECK_MEM(out + 24, pkt + 8, 16);
	CHECK_EQ(out[40], 1);
	CHECK_EQ(out[41], 3);
	sum = ref_sum(0, out + 8, 32) + (uint32_t)(n - 40) + 58;
	CHECK_EQ(ref_fold(ref_sum(sum, out + 40, n - 40)), 0xffff);
	CHECK_MEM(out + 48, pkt, len);
	len = v6_packet(6, 1500);
	n = icmp_unreach(pkt, len, out, sizeof(out));
	CHECK_EQ(n, 1280);
	sum = ref_sum(0, out + 8, 32) + (uint32_t)(n - 40) + 58;
	CHECK_EQ(ref_fold(ref_sum(sum, out + 40, n - 40)), 0xffff);
}

static void test_v6_none(void)
{
	size_t len = v6_packet(58, 104);

	pkt[40] = 1;		/* an ICMPv6 error */
	CHECK_EQ(icmp_unreach(pkt, len, out, sizeof(out)), 0);
	pkt[40] = 129;
	CHECK_GT(icmp_unreach(pkt, len, out, sizeof(out)), 0);
	CHECK_EQ(icmp_unreach(pkt, 40, out, sizeof(out)), 0);	/* no ICMPv6 header */
	len = v6_packet(17, 100);
	pkt[24] = 0xff;		/* multicast */
	CHECK_EQ(icmp_unreach(pkt, len, out, sizeof(out)), 0);
	len = v6_packet(17, 100);
	memset(pkt + 8, 0, 16);	/* unspecified source */
	CHECK_EQ(icmp_unreach(pkt, len, out, sizeof(out)), 0);
	CHECK_EQ(icmp_unreach(pkt, 39, out, sizeof(out)), 0);
}

static void test_limit(void)
{
	struct icmp_limit l = { 0 };
	const uint64_t t = 5000000000ull, step = 1000000000ull / ICMP_PER_SECOND;
	unsigned ok = 0;

	for (int i = 0; i < 100; i++)
		ok += icmp_limit_allow(&l, t);
	CHECK_EQ(ok, ICMP_PER_SECOND);
	CHECK(!icmp_limit_allow(&l, t + step - 1));
	CHECK(icmp_limit_allow(&l, t + step));
	CHECK(!icmp_limit_allow(&l, t + step));
	/* A long pause refills a second's worth, no more. */
	ok = 0;
	for (int i = 0; i < 100; i++)
		ok += icmp_limit_allow(&l, t + 60 * 1000000000ull);
	CHECK_EQ(ok, ICMP_PER_SECOND);
}

int main(void)
{
	RUN(test_v4());
	RUN(test_v4_none());
	RUN(test_v6());
	RUN(test_v6_none());
	RUN(test_limit());
	return tap_done();
}

/* SPDX-License-Identifier: ISC */
/* secmem pools: objects come out zeroed, 64-byte aligned and apart; given
 * back they are wiped; chunks grow 1, 2, 4 ... 64 objects, so thousands
 * of objects take a few hundred memory maps (not four each, as one
 * secmem_alloc per object did), and a chunk with nothing left in use is
 * unmapped. */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "secmem.h"
#include "tap.h"

#define OBJ 5168		/* about a struct peer */
#define N 10000
/* Maps not ours: ASan's allocator maps regions as it grows. Far below
 * the 600-odd maps of the chunks this test checks are gone. */
#define MAPS_SLACK 16u

static unsigned maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned n = 0;
	int c;

	if (!f)
		return 0;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void test_pool(void)
{
	static uint8_t *obj[N];
	struct secmem_pool pool;
	unsigned before = maps(), grown;

	secmem_pool_init(&pool, OBJ);
	for (unsigned i = 0; i < N; i++) {
		obj[i] = secmem_pool_alloc(&pool);
		CHECK(obj[i] != NULL);
		if (!obj[i])
			return;
		CHECK_EQ((uintptr_t)obj[i] % 64, (uintptr_t)0);
		CHECK(all_zero(obj[i], OBJ));
		memset(obj[i], 0xa5, OBJ);	/* would overwrite a neighbour if they overlapped */
	}
	for (unsigned i = 0; i < N; i++)
		CHECK(obj[i][0] == 0xa5 && obj[i][OBJ - 1] == 0xa5);
	grown = maps() - before;
	printf("# %u objects of %u bytes: %u more memory maps\n", N, OBJ, grown);
	CHECK_LT(grown, 4u * (N / SECMEM_POOL_CHUNK_MAX + 8));
	/* every other one back, then taken again: zeroed, not a neighbour's */
	for (unsigned i = 0; i < N; i += 2)
		secmem_pool_free(&pool, obj[i]);
	for (unsigned i = 0; i < N; i += 2) {
		obj[i] = secmem_pool_alloc(&pool);
		CHECK(obj[i] != NULL && all_zero(obj[i], OBJ));
	}
	CHECK_LE(maps() - before, grown);	/* the holes were reused */
	for (unsigned i = 0; i < N; i++)
		secmem_pool_free(&pool, obj[i]);
	/* every chunk unmapped (a sanitizer's allocator may map a few of its own) */
	CHECK_LE(maps(), before + MAPS_SLACK);
	secmem_pool_free(&pool, NULL);
	/* a lone object after all that: one small chunk again */
	obj[0] = secmem_pool_alloc(&pool);
	CHECK(obj[0] != NULL);
	CHECK_LE(maps(), before + MAPS_SLACK + 4);
	secmem_pool_free(&pool, obj[0]);
	secmem_pool_destroy(&pool);
	CHECK_LE(maps(), before + MAPS_SLACK);
}

int main(void)
{
	if (sodium_init() < 0)
		return 99;
	RUN(test_pool());
	return tap_done();
}

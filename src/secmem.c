/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <string.h>

#include <sodium.h>

#include "secmem.h"

/* sodium_malloc puts the block against its trailing guard page: a size
 * that is a multiple of the alignment keeps the block aligned. */
#define SECMEM_ALIGN 64

void *secmem_alloc(size_t size)
{
	size_t rounded = (size + SECMEM_ALIGN - 1) & ~(size_t)(SECMEM_ALIGN - 1);
	void *p;

	if (rounded < size)
		return NULL;
	p = sodium_malloc(rounded);
	if (p)
		memset(p, 0, rounded);
	return p;
}

void secmem_free(void *p)
{
	sodium_free(p);
}

__attribute__((noinline)) void secmem_stack_wipe(void)
{
	uint8_t area[SECMEM_STACK_WIPE];

	sodium_memzero(area, sizeof(area));
	__asm__ __volatile__("" : : "r"(area) : "memory");	/* not optimised out */
}

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

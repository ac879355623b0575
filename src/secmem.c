/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <stdint.h>
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

/* In front of each object: its chunk, and the next free slot while free. */
struct secmem_slot {
	struct secmem_chunk *chunk;
	struct secmem_slot *next_free;
};

struct secmem_chunk {
	struct secmem_chunk *next;
	struct secmem_slot *free;	/* slots not handed out */
	unsigned count, used;
	/* then count slots of pool->size bytes, SECMEM_ALIGN apart */
};

#define SLOT_HDR ((sizeof(struct secmem_slot) + SECMEM_ALIGN - 1) & ~(size_t)(SECMEM_ALIGN - 1))
#define CHUNK_HDR ((sizeof(struct secmem_chunk) + SECMEM_ALIGN - 1) & ~(size_t)(SECMEM_ALIGN - 1))

void secmem_pool_init(struct secmem_pool *pool, size_t object_size)
{
	size_t obj = (object_size + SECMEM_ALIGN - 1) & ~(size_t)(SECMEM_ALIGN - 1);

	pool->size = SLOT_HDR + obj;
	pool->in_use = 0;
	pool->chunks = NULL;
}

static struct secmem_chunk *chunk_new(struct secmem_pool *pool)
{
	unsigned n = pool->in_use >= SECMEM_POOL_CHUNK_MAX ? SECMEM_POOL_CHUNK_MAX
		     : pool->in_use ? (unsigned)pool->in_use : 1;
	struct secmem_chunk *c;
	uint8_t *base;

	if (pool->size > (SIZE_MAX - CHUNK_HDR) / n)
		return NULL;
	c = secmem_alloc(CHUNK_HDR + (size_t)n * pool->size);
	if (!c)
		return NULL;
	c->count = n;
	base = (uint8_t *)c + CHUNK_HDR;
	for (unsigned i = n; i-- > 0;) {	/* slot 0 first out */
		struct secmem_slot *s = (struct secmem_slot *)(base + (size_t)i * pool->size);

		s->chunk = c;
		s->next_free = c->free;
		c->free = s;
	}
	c->next = pool->chunks;
	pool->chunks = c;
	return c;
}

void *secmem_pool_alloc(struct secmem_pool *pool)
{
	struct secmem_chunk *c;
	struct secmem_slot *s;

	for (c = pool->chunks; c && !c->free; c = c->next)
		;
	if (!c && !(c = chunk_new(pool)))
		return NULL;
	s = c->free;
	c->free = s->next_free;
	c->used++;
	pool->in_use++;
	s->next_free = NULL;
	memset((uint8_t *)s + SLOT_HDR, 0, pool->size - SLOT_HDR);
	return (uint8_t *)s + SLOT_HDR;
}

void secmem_pool_free(struct secmem_pool *pool, void *obj)
{
	struct secmem_slot *s;
	struct secmem_chunk *c, **pp;

	if (!obj)
		return;
	s = (struct secmem_slot *)((uint8_t *)obj - SLOT_HDR);
	c = s->chunk;
	sodium_memzero(obj, pool->size - SLOT_HDR);
	s->next_free = c->free;
	c->free = s;
	pool->in_use--;
	if (--c->used)
		return;
	for (pp = &pool->chunks; *pp && *pp != c; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = c->next;
	secmem_free(c);		/* wipes the rest */
}

void secmem_pool_destroy(struct secmem_pool *pool)
{
	while (pool->chunks) {
		struct secmem_chunk *c = pool->chunks;

		pool->chunks = c->next;
		secmem_free(c);
	}
	pool->in_use = 0;
}

__attribute__((noinline)) void secmem_stack_wipe(void)
{
	uint8_t area[SECMEM_STACK_WIPE];

	sodium_memzero(area, sizeof(area));
	__asm__ __volatile__("" : : "r"(area) : "memory");	/* not optimised out */
}

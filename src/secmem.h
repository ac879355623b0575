/* SPDX-License-Identifier: ISC */
/* Memory for secrets: the daemon's state (static key, cookie secret), each
 * peer (session keys, handshake state) and the running config. Out of
 * core dumps (MADV_DONTDUMP) and locked out of swap where the limit
 * allows, between guard pages; zeroed when allocated and when freed. */
#ifndef OVPN_SECMEM_H
#define OVPN_SECMEM_H

#include <stddef.h>

/* NULL when out of memory. */
void *secmem_alloc(size_t size);
/* Wipes and unmaps; NULL is ignored. */
void secmem_free(void *p);
/* Zero SECMEM_STACK_WIPE bytes of the stack below the caller: libsodium's
 * X25519 keeps its copy of the scalar (our static key, clamped as keys
 * are, so the same bytes) in its frame, which a later call may or may not
 * overwrite. After every DH with the static key. */
#define SECMEM_STACK_WIPE (64 * 1024)
void secmem_stack_wipe(void);

/* Many objects of one size (the peers): each secmem_alloc is a mapping of
 * its own with guard pages, a page of bookkeeping and its size rounded up
 * to whole pages: 12 KiB resident and four memory maps for a 5 KiB peer,
 * and the kernel's limit on maps (vm.max_map_count, 65530) is reached
 * near 16,000 peers. A pool carves objects out of secmem chunks of up to
 * SECMEM_POOL_CHUNK_MAX objects, so one peer costs one
 * small chunk and 10,000 cost about 160 maps (each new chunk holds as
 * many as are in use, so the pool grows by doubling, from one again once
 * emptied). Objects are zeroed when
 * handed out and wiped when given back; a chunk with none in use is
 * unmapped. Not thread-safe (the loop's thread only). */
#define SECMEM_POOL_CHUNK_MAX 64

struct secmem_chunk;

struct secmem_pool {
	size_t size;			/* of an object, with its slot header */
	size_t in_use;			/* objects handed out */
	struct secmem_chunk *chunks;
};

void secmem_pool_init(struct secmem_pool *pool, size_t object_size);
/* A zeroed object, NULL when out of memory. */
void *secmem_pool_alloc(struct secmem_pool *pool);
/* Wipes obj and gives it back; NULL is ignored. */
void secmem_pool_free(struct secmem_pool *pool, void *obj);
/* Unmaps every chunk (every object must have been given back). */
void secmem_pool_destroy(struct secmem_pool *pool);

#endif

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

#endif

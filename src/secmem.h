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

#endif

/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <netinet/in.h>
#include <sodium.h>
#include <string.h>

#include "ratelimit.h"

#define INTERVAL (UINT64_C(1000000000) / RATELIMIT_PER_SECOND)
#define FULL (INTERVAL * RATELIMIT_BURST)

void ratelimit_init(struct ratelimit *r)
{
	memset(r, 0, sizeof(*r));
	randombytes_buf(r->hash_key, sizeof(r->hash_key));
}

static void source_addr(const struct sockaddr *src, uint8_t addr[16], uint8_t *family)
{
	const struct in6_addr *a6 = &((const struct sockaddr_in6 *)src)->sin6_addr;

	memset(addr, 0, 16);
	if (src->sa_family == AF_INET6 && IN6_IS_ADDR_V4MAPPED(a6)) {
		memcpy(addr, a6->s6_addr + 12, 4);
		*family = 4;
	} else if (src->sa_family == AF_INET6) {
		/* One host holds a /64: it must not get 2^64 buckets. */
		memcpy(addr, a6->s6_addr, 8);
		*family = 6;
	} else {
		memcpy(addr, &((const struct sockaddr_in *)src)->sin_addr, 4);
		*family = 4;
	}
}

/* An entry idle long enough to be full again is as good as a free one. */
static bool entry_idle(const struct ratelimit_entry *e, uint64_t now)
{
	return !e->family || now - e->last >= FULL;
}

bool ratelimit_allow(struct ratelimit *r, const struct sockaddr *src, uint64_t now)
{
	struct ratelimit_entry *e = NULL, *spare = NULL;
	uint8_t addr[16], family, h[crypto_shorthash_BYTES];
	uint64_t slot;

	source_addr(src, addr, &family);
	crypto_shorthash(h, addr, sizeof(addr), r->hash_key);
	memcpy(&slot, h, sizeof(slot));
	for (unsigned i = 0; i < RATELIMIT_PROBES && !e; i++) {
		struct ratelimit_entry *s = &r->slots[(slot + i) & (RATELIMIT_SLOTS - 1)];

		if (s->family == family && !memcmp(s->addr, addr, 16))
			e = s;
		else if (!spare && entry_idle(s, now))
			spare = s;
	}
	if (!e) {
		/* Every slot near busy with other live sources: refuse. */
		if (!spare)
			return false;
		e = spare;
		memcpy(e->addr, addr, 16);
		e->family = family;
		e->last = now;
		e->allowance = FULL;
	}
	e->allowance += now - e->last;
	if (e->allowance > FULL)
		e->allowance = FULL;
	e->last = now;
	if (e->allowance < INTERVAL)
		return false;
	e->allowance -= INTERVAL;
	return true;
}

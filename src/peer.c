/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "peer.h"

bool peer_queue_push(struct peer *p, const uint8_t *pkt, size_t len)
{
	struct pkt *slot;

	if (!p->queue) {
		p->queue = malloc(sizeof(*p->queue) * PEER_QUEUE_MAX);
		if (!p->queue) {
			p->stats.queue_drops++;
			return false;
		}
		p->queue_head = p->queue_len = 0;
	}
	if (p->queue_len == PEER_QUEUE_MAX) {
		p->queue_head = (p->queue_head + 1) % PEER_QUEUE_MAX;
		p->queue_len--;
		p->stats.queue_drops++;
	}
	slot = &p->queue[(p->queue_head + p->queue_len) % PEER_QUEUE_MAX];
	memcpy(slot->data + PKT_HEADROOM, pkt, len);
	slot->len = len;
	p->queue_len++;
	return true;
}

struct pkt *peer_queue_front(struct peer *p)
{
	return p->queue_len ? &p->queue[p->queue_head] : NULL;
}

void peer_queue_pop(struct peer *p)
{
	if (!p->queue_len)
		return;
	p->queue_head = (p->queue_head + 1) % PEER_QUEUE_MAX;
	if (--p->queue_len == 0) {
		/* Keep memory flat: the ring exists only while packets wait. */
		free(p->queue);
		p->queue = NULL;
	}
}

void peer_queue_clear(struct peer *p)
{
	p->stats.queue_drops += p->queue_len;
	free(p->queue);
	p->queue = NULL;
	p->queue_head = p->queue_len = 0;
}

/* Public keys are uniformly random: their first bytes are a fine hash. */
static size_t peer_key_hash(const uint8_t key[PROTO_KEY_LEN])
{
	uint64_t h;

	memcpy(&h, key, sizeof(h));
	return (size_t)h;
}

int peer_index_build(struct peer_index *ix, struct peer **peers, size_t n)
{
	size_t size = 16;

	while (size < 2 * n)
		size *= 2;
	ix->slots = calloc(size, sizeof(*ix->slots));
	if (!ix->slots)
		return -1;
	ix->mask = size - 1;
	for (size_t i = 0; i < n; i++) {
		size_t at = peer_key_hash(peers[i]->public_key) & ix->mask;

		while (ix->slots[at])
			at = (at + 1) & ix->mask;
		ix->slots[at] = peers[i];
	}
	return 0;
}

void peer_index_free(struct peer_index *ix)
{
	free(ix->slots);
	ix->slots = NULL;
}

struct peer *peer_index_find(const struct peer_index *ix, const uint8_t key[PROTO_KEY_LEN])
{
	size_t at;

	if (!ix->slots)
		return NULL;
	for (at = peer_key_hash(key) & ix->mask; ix->slots[at]; at = (at + 1) & ix->mask)
		if (!sodium_memcmp(ix->slots[at]->public_key, key, PROTO_KEY_LEN))
			return ix->slots[at];
	return NULL;
}

/* SPDX-License-Identifier: ISC */
/*
 * One peer's packets sealed on several threads and sent in order (the
 * pattern of kernel WireGuard and wireguard-go): the producer queues each
 * packet in a slot with the counter it was given in order (its nonce), any
 * worker seals any queued slot, and the consumer takes sealed slots in slot
 * order only, so the wire sees the counters in order. One producer, one
 * consumer, any number of workers; a slot's buffer belongs to whoever
 * holds the slot.
 */
#ifndef OVPN_SEQRING_H
#define OVPN_SEQRING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum seqring_state { SEQRING_FREE, SEQRING_QUEUED, SEQRING_DONE };

struct seqring_slot {
	uint8_t *buf;		/* keypair.h layout: headroom, plaintext, tailroom */
	size_t len;		/* plaintext bytes; sealed: the datagram's */
	uint64_t counter;
	int ret;		/* the worker's result: 0 or -1 */
	_Atomic int state;	/* enum seqring_state */
};

struct seqring {
	struct seqring_slot *slots;
	uint64_t mask;			/* slots - 1, a power of two less one */
	_Atomic uint64_t head;		/* next slot to queue (producer) */
	_Atomic uint64_t claim;		/* next queued slot a worker takes */
	_Atomic uint64_t tail;		/* next slot to send (consumer) */
};

/* size: a power of two. 0 or -1. */
int seqring_init(struct seqring *r, unsigned size);
void seqring_free(struct seqring *r);
/* Producer: queue buf (len bytes of plaintext) sealed under counter.
 * false when every slot is taken. */
bool seqring_push(struct seqring *r, uint8_t *buf, size_t len, uint64_t counter);
/* Worker: a queued slot to seal, NULL when none; then seqring_done. */
struct seqring_slot *seqring_take(struct seqring *r);
void seqring_done(struct seqring_slot *s, int ret);
/* Consumer: the next slot in order once sealed, NULL while it is not;
 * then seqring_release frees it. */
struct seqring_slot *seqring_next(struct seqring *r);
void seqring_release(struct seqring *r);

#endif

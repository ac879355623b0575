/* Timer queue: a binary min-heap of intrusive entries keyed by a monotonic
 * deadline (ns). The event loop sleeps until the head's deadline. */
#ifndef OVPN_TIMERQ_H
#define OVPN_TIMERQ_H

#include <stddef.h>
#include <stdint.h>

#define TIMERQ_NOT_QUEUED SIZE_MAX

struct timerq_entry {
	uint64_t deadline;
	size_t pos;		/* index in the heap, TIMERQ_NOT_QUEUED if none */
};

struct timerq {
	struct timerq_entry **heap;
	size_t len;
	size_t cap;
};

/* Room for cap entries: set and remove never allocate. 0 or -1. */
int timerq_init(struct timerq *q, size_t cap);
void timerq_free(struct timerq *q);
void timerq_entry_init(struct timerq_entry *e);
/* Insert e or move it to a new deadline: O(log n). -1 when full. */
int timerq_set(struct timerq *q, struct timerq_entry *e, uint64_t deadline);
void timerq_remove(struct timerq *q, struct timerq_entry *e);
/* The entry with the earliest deadline, or NULL. */
struct timerq_entry *timerq_peek(const struct timerq *q);

#endif

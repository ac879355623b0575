/* SPDX-License-Identifier: ISC */
/*
 * CoDel (RFC 8289) on the time a packet waited in a queue we cannot see
 * into but whose kernel stamps arrival: the socket's receive buffer. When
 * packets have waited longer than target for a whole interval, drop one,
 * then more often (interval / sqrt(count)) until the wait falls below
 * target: a bulk TCP flow backs off and the standing queue, which every
 * ping and ACK behind it waits through, stays near target.
 */
#ifndef OVPN_CODEL_H
#define OVPN_CODEL_H

#include <stdbool.h>
#include <stdint.h>

struct codel {
	uint64_t target, interval;	/* ns */
	uint64_t first_above;		/* when the wait may turn into drops, 0: below */
	uint64_t drop_next;		/* dropping: the next drop not before */
	uint32_t count, last_count;
	bool dropping;
};

void codel_init(struct codel *c, uint64_t target_ns, uint64_t interval_ns);
/* A packet leaves the queue at now (ns, monotonic) after waiting sojourn
 * ns: true when it should be dropped. */
bool codel_drop(struct codel *c, uint64_t now, uint64_t sojourn);

#endif

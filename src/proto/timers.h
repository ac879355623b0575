/* SPDX-License-Identifier: ISC */
/*
 * Protocol timer and counter limits (PROTOCOL.md "Timers"). Time throughout
 * the protocol modules is a uint64_t of monotonic nanoseconds passed in by
 * the caller (CLOCK_MONOTONIC); nothing here reads a clock. Integration
 * tests may shorten these by handing the host a modified copy.
 */
#ifndef OVPN_TIMERS_H
#define OVPN_TIMERS_H

#include <stdint.h>

#define TIMERS_NS_PER_SEC UINT64_C(1000000000)

struct proto_timers {
	uint64_t rekey_after_messages;	/* 2^60 */
	uint64_t reject_after_messages;	/* 2^64 - 2^13 - 1 */
	uint64_t rekey_after_time;	/* 120 s, ns */
	uint64_t reject_after_time;	/* 180 s */
	uint64_t rekey_attempt_time;	/* 90 s */
	uint64_t rekey_timeout;		/* 5 s */
	uint64_t rekey_jitter_max;	/* 1/3 s: jitter is drawn in [0, max] */
	uint64_t keepalive_timeout;	/* 10 s */
	uint64_t cookie_lifetime;	/* 120 s: a held cookie is used this long */
};

/* The PROTOCOL.md values. */
void timers_default(struct proto_timers *t);
/* Random retry jitter in [0, rekey_jitter_max], for proto_create_initiation. */
uint64_t timers_draw_jitter(const struct proto_timers *t);

#endif

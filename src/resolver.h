/* SPDX-License-Identifier: ISC */
/* Name lookups off the event loop: one thread runs getaddrinfo for the
 * requests queued to it and hands the answers back through an eventfd
 * watched by the loop, where on_done runs. The loop never blocks on DNS. */
#ifndef OVPN_RESOLVER_H
#define OVPN_RESOLVER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "endpoint.h"
#include "loop.h"
#include "proto.h"

struct resolver_req {
	struct resolver_req *next;
	uint8_t key[PROTO_KEY_LEN];	/* whose endpoint (the peer may be gone) */
	char *host;
	uint16_t port;
	int rc;				/* 0: ep is the answer; -1: err says why */
	struct endpoint ep;
	char err[96];
};

struct resolver;
/* An answer, on the loop's thread; r is freed after it returns. */
typedef void (*resolver_fn)(void *ctx, const struct resolver_req *r);

struct resolver {
	pthread_t thread;
	bool inited, running;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct resolver_req *todo, **todo_tail;	/* to the thread */
	struct resolver_req *done;		/* back to the loop */
	bool stop;
	struct loop_fd ev;			/* eventfd: answers are waiting */
	struct loop *loop;
	resolver_fn on_done;
	void *ctx;
};

/* Queues and the eventfd, watched by l: lookups may be submitted from
 * here on, and wait for resolver_run. 0 or -1. */
int resolver_init(struct resolver *r, struct loop *l, resolver_fn on_done, void *ctx);
/* Start the thread (all signals blocked in it). Called after the privilege
 * drop: the lookups never run as root, and the thread is born with the
 * daemon's final credentials and capabilities (capset and the bounding set
 * are per thread). 0 or -1. */
int resolver_run(struct resolver *r);
/* Queue a lookup of host:port for the peer of key. 0 or -1 (no memory). */
int resolver_submit(struct resolver *r, const uint8_t *key, const char *host, uint16_t port);
/* Stop the thread (a lookup in progress is cancelled, so a slow name
 * server does not hold up the exit) and drop what is queued. */
void resolver_stop(struct resolver *r);

#endif

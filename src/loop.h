/* SPDX-License-Identifier: ISC */
/* The event loop: epoll over typed records, and the one timer queue of
 * every timed job. Each watched fd is a struct loop_fd embedded in its
 * owner; the callback recovers the owner. */
#ifndef OVPN_LOOP_H
#define OVPN_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include "timerq.h"

/* The struct that embeds member at ptr. */
#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

struct loop_fd;
typedef void (*loop_fn)(struct loop_fd *lfd, uint32_t events);

struct loop_fd {
	int fd;
	loop_fn on_event;
};

struct loop {
	int epfd;
	struct timerq timers;	/* peers, control clients: whatever wakes us on time */
};

int loop_init(struct loop *l);
void loop_free(struct loop *l);
int loop_add(struct loop *l, struct loop_fd *lfd, uint32_t events);
int loop_mod(struct loop *l, struct loop_fd *lfd, uint32_t events);
void loop_del(struct loop *l, struct loop_fd *lfd);
/* Wait up to timeout_ms (-1: forever) and dispatch what is ready.
 * Returns the number of events dispatched, or -1 on error other than EINTR. */
int loop_run_once(struct loop *l, int timeout_ms);

#endif

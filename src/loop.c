/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"

#define LOOP_MAX_EVENTS 32

int loop_init(struct loop *l)
{
	if (timerq_init(&l->timers, 0) < 0)
		return -1;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		log_err("epoll_create1: %s", strerror(errno));
		return -1;
	}
	return 0;
}

void loop_free(struct loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
	timerq_free(&l->timers);
}

static int loop_ctl(struct loop *l, int op, struct loop_fd *lfd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = lfd };

	if (epoll_ctl(l->epfd, op, lfd->fd, &ev) < 0) {
		log_err("epoll_ctl(fd %d): %s", lfd->fd, strerror(errno));
		return -1;
	}
	return 0;
}

int loop_add(struct loop *l, struct loop_fd *lfd, uint32_t events)
{
	return loop_ctl(l, EPOLL_CTL_ADD, lfd, events);
}

int loop_mod(struct loop *l, struct loop_fd *lfd, uint32_t events)
{
	return loop_ctl(l, EPOLL_CTL_MOD, lfd, events);
}

void loop_del(struct loop *l, struct loop_fd *lfd)
{
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, lfd->fd, NULL);
}

int loop_run_once(struct loop *l, int timeout_ms)
{
	struct epoll_event events[LOOP_MAX_EVENTS];
	int n = epoll_wait(l->epfd, events, LOOP_MAX_EVENTS, timeout_ms);

	if (n < 0) {
		if (errno == EINTR)
			return 0;
		log_err("epoll_wait: %s", strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		struct loop_fd *lfd = events[i].data.ptr;

		lfd->on_event(lfd, events[i].events);
	}
	return n;
}

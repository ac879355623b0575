/* SPDX-License-Identifier: ISC */
/* The resolver thread. It touches only its queues (under mu), the eventfd
 * and getaddrinfo: no daemon state, no logging. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"
#include "resolver.h"
#include "udp.h"

static void req_free(struct resolver_req *q)
{
	free(q->host);
	free(q);
}

static void req_cancelled(void *q)
{
	req_free(q);
}

/* Cancellation is enabled only inside getaddrinfo, where no lock is held:
 * resolver_stop need not wait out a slow name server. */
static void *resolver_main(void *arg)
{
	struct resolver *r = arg;
	uint64_t one = 1;
	int old;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
	pthread_mutex_lock(&r->mu);
	for (;;) {
		struct resolver_req *q;

		while (!r->todo && !r->stop)
			pthread_cond_wait(&r->cv, &r->mu);
		if (r->stop)
			break;
		q = r->todo;
		r->todo = q->next;
		if (!r->todo)
			r->todo_tail = &r->todo;
		pthread_mutex_unlock(&r->mu);
		pthread_cleanup_push(req_cancelled, q);
		pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &old);
		q->rc = udp_lookup(q->host, q->port, &q->ep, q->err, sizeof(q->err));
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &old);
		pthread_cleanup_pop(0);
		pthread_mutex_lock(&r->mu);
		q->next = r->done;
		r->done = q;
		if (write(r->ev.fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			break;	/* cannot happen with an eventfd short of overflow */
	}
	pthread_mutex_unlock(&r->mu);
	return NULL;
}

static void resolver_event(struct loop_fd *lfd, uint32_t events)
{
	struct resolver *r = container_of(lfd, struct resolver, ev);
	struct resolver_req *q, *next, *rev = NULL;
	uint64_t n;

	(void)events;
	if (read(lfd->fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_warn("resolver: eventfd: %s", strerror(errno));
	pthread_mutex_lock(&r->mu);
	q = r->done;
	r->done = NULL;
	pthread_mutex_unlock(&r->mu);
	for (; q; q = next) {	/* answered newest first: restore the order */
		next = q->next;
		q->next = rev;
		rev = q;
	}
	for (q = rev; q; q = next) {
		next = q->next;
		r->on_done(r->ctx, q);
		req_free(q);
	}
}

int resolver_init(struct resolver *r, struct loop *l, resolver_fn on_done, void *ctx)
{
	memset(r, 0, sizeof(*r));
	r->todo_tail = &r->todo;
	r->loop = l;
	r->on_done = on_done;
	r->ctx = ctx;
	r->ev.on_event = resolver_event;
	r->ev.fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (r->ev.fd < 0) {
		log_err("resolver: eventfd: %s", strerror(errno));
		return -1;
	}
	pthread_mutex_init(&r->mu, NULL);
	pthread_cond_init(&r->cv, NULL);
	r->inited = true;
	return loop_add(l, &r->ev, EPOLLIN);
}

int resolver_run(struct resolver *r)
{
	sigset_t all, old;
	int err;

	/* the loop takes signals through its signalfd: none may land here */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&r->thread, NULL, resolver_main, r);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		log_err("resolver: cannot start its thread: %s", strerror(err));
		return -1;
	}
	r->running = true;
	return 0;
}

int resolver_submit(struct resolver *r, const uint8_t *key, const char *host, uint16_t port)
{
	struct resolver_req *q = calloc(1, sizeof(*q));

	if (!q || !(q->host = strdup(host))) {
		free(q);
		log_err("resolver: out of memory");
		return -1;
	}
	memcpy(q->key, key, sizeof(q->key));
	q->port = port;
	pthread_mutex_lock(&r->mu);
	*r->todo_tail = q;
	r->todo_tail = &q->next;
	pthread_cond_signal(&r->cv);
	pthread_mutex_unlock(&r->mu);
	return 0;
}

static void reqs_free(struct resolver_req *q)
{
	while (q) {
		struct resolver_req *next = q->next;

		req_free(q);
		q = next;
	}
}

void resolver_stop(struct resolver *r)
{
	if (r->running) {
		pthread_mutex_lock(&r->mu);
		r->stop = true;
		pthread_cond_signal(&r->cv);
		pthread_mutex_unlock(&r->mu);
		/* a lookup in progress ends now; an idle thread just sees stop */
		pthread_cancel(r->thread);
		pthread_join(r->thread, NULL);
		r->running = false;
	}
	if (r->inited) {
		r->inited = false;
		loop_del(r->loop, &r->ev);
		reqs_free(r->todo);
		reqs_free(r->done);
		r->todo = r->done = NULL;
		pthread_mutex_destroy(&r->mu);
		pthread_cond_destroy(&r->cv);
	}
	if (r->ev.fd >= 0)
		close(r->ev.fd);
	r->ev.fd = -1;
}

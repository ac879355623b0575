/* SPDX-License-Identifier: ISC */
/* Each event is formatted once per watcher into its own buffer and sent
 * without blocking; what the socket does not take waits for EPOLLOUT. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "conn.h"
#include "events.h"
#include "peer.h"

static void watcher_close(struct events_watcher *w)
{
	if (w->lfd.fd < 0)
		return;
	loop_del(w->ev->loop, &w->lfd);
	close(w->lfd.fd);
	w->lfd.fd = -1;
	strbuf_free(&w->out);
	w->ev->n_watchers--;
}

static void watcher_flush(struct events_watcher *w)
{
	int rc = conn_send_pending(w->lfd.fd, &w->out, &w->out_off);

	if (rc == 0) {
		loop_mod(w->ev->loop, &w->lfd, EPOLLIN | EPOLLOUT);
		return;
	}
	if (rc < 0) {
		watcher_close(w);
		return;
	}
	strbuf_reset(&w->out);
	w->out_off = 0;
	loop_mod(w->ev->loop, &w->lfd, EPOLLIN);
}

/* Readable: the client sent something or went away; either ends it. */
static void watcher_event(struct loop_fd *lfd, uint32_t events)
{
	struct events_watcher *w = (struct events_watcher *)lfd;

	if (lfd->fd < 0)
		return;
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		watcher_close(w);
	else if (events & EPOLLOUT)
		watcher_flush(w);
}

void events_init(struct events *ev, struct loop *loop, const char *ifname)
{
	memset(ev, 0, sizeof(*ev));
	ev->loop = loop;
	ev->ifname = ifname;
	for (size_t i = 0; i < EVENTS_MAX_WATCHERS; i++) {
		ev->w[i].lfd.fd = -1;
		ev->w[i].lfd.on_event = watcher_event;
		ev->w[i].ev = ev;
	}
}

void events_close(struct events *ev)
{
	if (!ev->loop)
		return;
	for (size_t i = 0; i < EVENTS_MAX_WATCHERS; i++)
		watcher_close(&ev->w[i]);
}

int events_adopt(struct events *ev, const char *request, int fd)
{
	bool json = !strcmp(request, "watch json");
	struct events_watcher *w = NULL;

	if (!json && strcmp(request, "watch"))
		return 0;
	for (size_t i = 0; i < EVENTS_MAX_WATCHERS && !w; i++)
		if (ev->w[i].lfd.fd < 0)
			w = &ev->w[i];
	if (!w) {
		static const char busy[] = "error: too many watchers\n";

		if (send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			(void)0;	/* it is closed either way */
		close(fd);
		return 1;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &(int){ EVENTS_SNDBUF }, sizeof(int));
	w->lfd.fd = fd;
	w->json = json;
	w->out_off = 0;
	strbuf_init(&w->out);
	if (loop_add(ev->loop, &w->lfd, EPOLLIN) < 0) {
		close(fd);
		w->lfd.fd = -1;
		return 1;
	}
	ev->n_watchers++;
	strbuf_printf(&w->out, json ? "{\"event\": \"watching\", \"interface\": \"%s\"}\n"
			       : "watching %s\n", ev->ifname);
	watcher_flush(w);
	return 1;
}

/* One line to every watcher: event, peer (or NULL), a detail (or NULL). */
static void emit(struct events *ev, const char *event, const char *peer, const char *key,
		 const char *value)
{
	time_t now = time(NULL);
	struct tm tm;
	char when[64];

	/* By hand, not strftime: nothing that might read time zone files. */
	gmtime_r(&now, &tm);
	snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	for (size_t i = 0; i < EVENTS_MAX_WATCHERS; i++) {
		struct events_watcher *w = &ev->w[i];

		if (w->lfd.fd < 0)
			continue;
		if (w->json) {
			strbuf_printf(&w->out, "{\"time\": %lld, \"interface\": ", (long long)now);
			strbuf_json_string(&w->out, ev->ifname);
			strbuf_printf(&w->out, ", \"event\": \"%s\"", event);
			if (peer) {
				strbuf_printf(&w->out, ", \"peer\": ");
				strbuf_json_string(&w->out, peer);
			}
			if (key) {
				strbuf_printf(&w->out, ", \"%s\": ", key);
				strbuf_json_string(&w->out, value);
			}
			strbuf_printf(&w->out, "}\n");
		} else {
			strbuf_printf(&w->out, "%s %s %s", when, ev->ifname, event);
			if (peer)
				strbuf_printf(&w->out, " peer=%s", peer);
			if (key)
				strbuf_printf(&w->out, " %s=%s", key, value);
			strbuf_printf(&w->out, "\n");
		}
		if (w->out.failed || w->out.len - w->out_off > EVENTS_MAX_PENDING) {
			ev->cut_off++;
			watcher_close(w);	/* a stuck reader: cut off */
		} else if (w->out_off == 0) {
			watcher_flush(w);	/* else EPOLLOUT is armed already */
		}
	}
}

void events_handshake(struct events *ev, const struct peer *p)
{
	char ep[ENDPOINT_STRLEN];

	if (ev && ev->n_watchers)
		emit(ev, "handshake", p->name, "endpoint",
		     p->has_endpoint ? endpoint_format(&p->endpoint, ep, sizeof(ep)) : "none");
}

void events_expired(struct events *ev, const struct peer *p)
{
	if (ev && ev->n_watchers)
		emit(ev, "session-expired", p->name, NULL, NULL);
}

void events_endpoint(struct events *ev, const struct peer *p)
{
	char ep[ENDPOINT_STRLEN];

	if (ev && ev->n_watchers)
		emit(ev, "endpoint", p->name, "endpoint", endpoint_format(&p->endpoint, ep, sizeof(ep)));
}

void events_peer(struct events *ev, const struct peer *p, bool added)
{
	if (ev && ev->n_watchers)
		emit(ev, added ? "peer-added" : "peer-removed", p->name, NULL, NULL);
}

void events_drop(struct events *ev, const struct peer *p, enum drop_reason why, uint64_t count)
{
	char text[32];
	uint64_t t = EVENTS_DROP_THRESHOLD;

	if (!ev || !ev->n_watchers || count % EVENTS_DROP_THRESHOLD)
		return;
	while (t < count && t <= UINT64_MAX / 10)
		t *= 10;
	if (t != count)
		return;
	snprintf(text, sizeof(text), "%llu", (unsigned long long)count);
	emit(ev, "drops", p ? p->name : NULL, drop_reason_name(why), text);
}

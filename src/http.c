/* SPDX-License-Identifier: ISC */
/* Only what a Prometheus scrape needs. The head is judged on whole bytes
 * already received, so a slow sender costs one slot until its deadline,
 * never a blocked loop; the reply is built at once and written as the
 * socket takes it, then the connection is closed. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "endpoint.h"
#include "http.h"
#include "log.h"
#include "timerq.h"

static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The end of the line starting at p (its '\n'), or NULL. */
static const char *line_end(const char *p, const char *end)
{
	return memchr(p, '\n', (size_t)(end - p));
}

/* The length of the line without its CR LF (or bare LF). */
static size_t line_len(const char *p, const char *nl)
{
	return (size_t)(nl - p) - (nl > p && nl[-1] == '\r');
}

struct http_request_line {
	const char *method, *target;
	size_t method_len, target_len;
};

/* METHOD SP /TARGET SP HTTP/1.0|1.1: 0 or -1. */
static int parse_request_line(const char *p, size_t len, struct http_request_line *rl)
{
	size_t i = 0;

	rl->method = p;
	while (i < len && p[i] >= 'A' && p[i] <= 'Z')
		i++;
	rl->method_len = i;
	if (i == 0 || i > 16 || i >= len || p[i++] != ' ' || i >= len || p[i] != '/')
		return -1;
	rl->target = p + i;
	while (i < len && p[i] > ' ' && p[i] < 0x7f)
		i++;
	rl->target_len = (size_t)(p + i - rl->target);
	if (i >= len || p[i++] != ' ' || len - i != 8)
		return -1;
	return memcmp(p + i, "HTTP/1.0", 8) && memcmp(p + i, "HTTP/1.1", 8) ? -1 : 0;
}

/* NAME: VALUE, the name a token, the value visible characters or tabs. */
static int parse_header(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len && is_tchar(p[i]))
		i++;
	if (i == 0 || i >= len || p[i] != ':')
		return -1;
	for (i++; i < len; i++)
		if ((unsigned char)p[i] < ' ' && p[i] != '\t')
			return -1;
		else if (p[i] == 0x7f)
			return -1;
	return 0;
}

static enum http_result judge(const struct http_request_line *rl, int *head_only)
{
	size_t path = rl->target_len;
	const char *q = memchr(rl->target, '?', rl->target_len);

	if (q)
		path = (size_t)(q - rl->target);
	*head_only = rl->method_len == 4 && !memcmp(rl->method, "HEAD", 4);
	if (!*head_only && !(rl->method_len == 3 && !memcmp(rl->method, "GET", 3)))
		return HTTP_BAD_METHOD;
	if (path != 8 || memcmp(rl->target, "/metrics", 8))
		return HTTP_NOT_FOUND;
	return HTTP_OK;
}

enum http_result http_parse(const char *buf, size_t len, int *head_only)
{
	const char *end = buf + len, *p = buf, *nl;
	struct http_request_line rl;

	*head_only = 0;
	if (memchr(buf, '\0', len))
		return HTTP_BAD_REQUEST;
	nl = line_end(p, end);
	if (!nl)
		return len >= HTTP_MAX_REQUEST ? HTTP_TOO_LARGE : HTTP_MORE;
	if (parse_request_line(p, line_len(p, nl), &rl) < 0)
		return HTTP_BAD_REQUEST;
	for (p = nl + 1; (nl = line_end(p, end)); p = nl + 1) {
		size_t n = line_len(p, nl);

		if (n == 0)
			return judge(&rl, head_only);
		if (parse_header(p, n) < 0)
			return HTTP_BAD_REQUEST;
	}
	return len >= HTTP_MAX_REQUEST ? HTTP_TOO_LARGE : HTTP_MORE;
}

void http_respond(struct strbuf *out, enum http_result result, const struct strbuf *body,
		  int head_only)
{
	static const char *const status[] = {
		[HTTP_OK] = "200 OK",
		[HTTP_BAD_REQUEST] = "400 Bad Request",
		[HTTP_NOT_FOUND] = "404 Not Found",
		[HTTP_BAD_METHOD] = "405 Method Not Allowed",
		[HTTP_TOO_LARGE] = "431 Request Header Fields Too Large",
	};
	const char *text = result == HTTP_OK ? NULL : status[result];
	size_t len = text ? strlen(text) + 1 : body->len;

	strbuf_printf(out, "HTTP/1.1 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
		      "Connection: close\r\n%s\r\n", status[result == HTTP_MORE ? HTTP_BAD_REQUEST : result],
		      text ? "text/plain; charset=utf-8" : "text/plain; version=0.0.4; charset=utf-8",
		      len, result == HTTP_BAD_METHOD ? "Allow: GET, HEAD\r\n" : "");
	if (head_only)
		return;
	if (text)
		strbuf_printf(out, "%s\n", text);
	else
		strbuf_append(out, body->data, body->len);
}

/* ---- the server ---- */

static void client_close(struct http_client *cl)
{
	if (cl->lfd.fd < 0)
		return;
	loop_del(cl->srv->loop, &cl->lfd);
	timerq_remove(&cl->srv->loop->timers, &cl->timer);
	close(cl->lfd.fd);
	cl->lfd.fd = -1;
	strbuf_free(&cl->out);
}

/* A client past its deadline (a slow sender, a reader that does not
 * take the reply, a client that does not close). */
static void client_expired(struct timer *t, uint64_t now)
{
	(void)now;
	client_close(container_of(t, struct http_client, timer));
}

/* Once the reply is out: our side shut, what the client still sends read
 * and dropped until it closes (or the deadline), so that no unread byte
 * turns the close into a reset that could cut the reply short. */
static void client_flush(struct http_client *cl)
{
	int rc = conn_send_pending(cl->lfd.fd, &cl->out, &cl->out_off);

	if (rc == 0) {
		loop_mod(cl->srv->loop, &cl->lfd, EPOLLOUT);
	} else if (rc < 0 || shutdown(cl->lfd.fd, SHUT_WR) < 0) {
		client_close(cl);
	} else {
		cl->draining = true;
		loop_mod(cl->srv->loop, &cl->lfd, EPOLLIN);
	}
}

static void client_drain(struct http_client *cl)
{
	char buf[512];
	ssize_t n = recv(cl->lfd.fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
		client_close(cl);
}

static void client_answer(struct http_client *cl, enum http_result result, int head_only)
{
	struct strbuf body;

	strbuf_init(&body);
	if (result == HTTP_OK)
		cl->srv->handler(cl->srv->ctx, &body);
	if (body.failed) {
		strbuf_free(&body);
		client_close(cl);
		return;
	}
	http_respond(&cl->out, result, &body, head_only);
	strbuf_free(&body);
	cl->out_off = 0;
	client_flush(cl);
}

static void client_read(struct http_client *cl)
{
	enum http_result result;
	int head_only;
	ssize_t n = recv(cl->lfd.fd, cl->in + cl->in_len, sizeof(cl->in) - cl->in_len, MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		client_close(cl);
		return;
	}
	cl->in_len += (size_t)n;
	result = http_parse(cl->in, cl->in_len, &head_only);
	if (result != HTTP_MORE)
		client_answer(cl, result, head_only);
}

static void client_event(struct loop_fd *lfd, uint32_t events)
{
	struct http_client *cl = (struct http_client *)lfd;

	if (lfd->fd < 0)
		return;
	if (cl->draining)
		client_drain(cl);
	else if (cl->out.len)
		client_flush(cl);	/* writable, or an error that ends it */
	else if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		client_read(cl);
}

static void server_accept(struct loop_fd *lfd, uint32_t events)
{
	struct http_server *h = (struct http_server *)lfd;
	struct http_client *cl = NULL;
	int fd;

	(void)events;
	fd = accept4(h->lfd.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	for (size_t i = 0; i < HTTP_MAX_CLIENTS && !cl; i++)
		if (h->clients[i].lfd.fd < 0)
			cl = &h->clients[i];
	if (!cl) {
		h->rejected++;
		close(fd);
		return;
	}
	cl->lfd.fd = fd;
	cl->in_len = 0;
	cl->out_off = 0;
	cl->draining = false;
	strbuf_init(&cl->out);
	if (loop_add(h->loop, &cl->lfd, EPOLLIN) < 0) {
		close(fd);
		cl->lfd.fd = -1;
		return;
	}
	/* Room for every client was reserved at http_open. */
	timerq_set(&h->loop->timers, &cl->timer, timerq_now() + HTTP_TIMEOUT_NS);
}

/* "ADDR:PORT" to a socket address; only numeric addresses. */
static int listen_addr(const char *text, struct sockaddr_storage *ss, socklen_t *len)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	char host[ENDPOINT_HOST_SIZE];
	uint16_t port;

	memset(ss, 0, sizeof(*ss));
	if (endpoint_parse(text, host, &port, NULL) < 0)
		return -1;
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(port);
		*len = sizeof(*in4);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
		return -1;
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	*len = sizeof(*in6);
	return 0;
}

int http_open(struct http_server *h, struct loop *loop, const char *listen_on,
	      http_handler handler, void *ctx)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, fd = -1;

	memset(h, 0, sizeof(*h));
	h->lfd.fd = -1;
	for (size_t i = 0; i < HTTP_MAX_CLIENTS; i++) {
		h->clients[i].lfd.fd = -1;
		h->clients[i].lfd.on_event = client_event;
		h->clients[i].srv = h;
		timer_init(&h->clients[i].timer, client_expired);
	}
	if (listen_addr(listen_on, &ss, &len) < 0) {
		log_err("metrics-listen: not a numeric address:port '%s'", listen_on);
		return -1;
	}
	if (timerq_reserve(&loop->timers, loop->timers.cap + HTTP_MAX_CLIENTS) < 0)
		return -1;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    (ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(fd, (struct sockaddr *)&ss, len) < 0 || listen(fd, 16) < 0) {
		log_err("metrics-listen %s: %s", listen_on, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	h->lfd.fd = fd;
	h->lfd.on_event = server_accept;
	h->loop = loop;
	h->handler = handler;
	h->ctx = ctx;
	return loop_add(loop, &h->lfd, EPOLLIN);
}

void http_close(struct http_server *h)
{
	if (h->lfd.fd < 0)
		return;
	for (size_t i = 0; i < HTTP_MAX_CLIENTS; i++)
		client_close(&h->clients[i]);
	loop_del(h->loop, &h->lfd);
	close(h->lfd.fd);
	h->lfd.fd = -1;
}

/* SPDX-License-Identifier: ISC */
/* A minimal HTTP/1.x server for GET /metrics: one request per connection,
 * at most HTTP_MAX_REQUEST bytes of request head, HTTP_TIMEOUT_NS to send
 * it and take the reply, HTTP_MAX_CLIENTS at once; anything else is
 * answered with an error status or closed. Never blocks the loop. */
#ifndef OVPN_HTTP_H
#define OVPN_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loop.h"
#include "strbuf.h"
#include "timerq.h"

#define HTTP_MAX_REQUEST 2048
#define HTTP_MAX_CLIENTS 4
#define HTTP_TIMEOUT_NS (UINT64_C(3) * 1000000000)

enum http_result {
	HTTP_MORE = 0,		/* no end of the head yet */
	HTTP_OK,		/* GET (or HEAD) /metrics */
	HTTP_BAD_REQUEST,	/* 400: not a request line, bad header syntax */
	HTTP_NOT_FOUND,		/* 404: another path */
	HTTP_BAD_METHOD,	/* 405: not GET or HEAD */
	HTTP_TOO_LARGE,		/* 431: no end of the head within the limit */
};

/* Judge the request head in the len bytes at buf (not NUL-terminated).
 * *head_only: the method was HEAD. */
enum http_result http_parse(const char *buf, size_t len, int *head_only);
/* The status line and headers for result, then body unless head_only. */
void http_respond(struct strbuf *out, enum http_result result, const struct strbuf *body,
		  int head_only);

/* Fill body with what GET /metrics serves. */
typedef void (*http_handler)(void *ctx, struct strbuf *body);

struct http_server;

struct http_client {
	struct loop_fd lfd;		/* fd < 0: slot free */
	struct http_server *srv;
	char in[HTTP_MAX_REQUEST];
	size_t in_len;
	struct strbuf out;
	size_t out_off;
	bool draining;			/* reply sent: reading until the client closes */
	struct timer timer;		/* closed when it fires */
};

struct http_server {
	struct loop_fd lfd;
	struct loop *loop;
	http_handler handler;
	void *ctx;
	uint64_t rejected;		/* connections refused: all slots busy */
	struct http_client clients[HTTP_MAX_CLIENTS];
};

/* Listen on "ADDR:PORT" (numeric) in loop; the clients' deadlines go in
 * the loop's timer queue. 0 or -1 (logged). */
int http_open(struct http_server *h, struct loop *loop, const char *listen,
	      http_handler handler, void *ctx);
void http_close(struct http_server *h);

#endif

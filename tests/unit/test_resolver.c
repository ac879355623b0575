/* SPDX-License-Identifier: ISC */
/* resolver: lookups answered on the loop's thread, in order, through the
 * eventfd; the loop runs on while the thread works; stop with lookups
 * still queued frees them. Only numeric hosts and /etc/hosts' localhost:
 * no query leaves the machine. */
#include "config.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdbool.h>
#include <string.h>

#include "resolver.h"
#include "tap.h"
#include "timerq.h"

struct got {
	unsigned n;
	int rc[4];
	uint8_t first_key[PROTO_KEY_LEN];
	char ep[4][ENDPOINT_STRLEN];
	char err[96];
};

static void on_done(void *ctx, const struct resolver_req *r)
{
	struct got *g = ctx;

	if (g->n == 0)
		memcpy(g->first_key, r->key, sizeof(g->first_key));
	if (g->n < 4) {
		g->rc[g->n] = r->rc;
		if (r->rc == 0)
			endpoint_format(&r->ep, g->ep[g->n], sizeof(g->ep[0]));
		else
			snprintf(g->err, sizeof(g->err), "%s", r->err);
	}
	g->n++;
}

/* Whether the system's own resolver knows "localhost" (a debootstrap
 * root has no /etc/hosts): the resolver thread must agree with it. */
static bool localhost_known(void)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res = NULL;
	bool known = getaddrinfo("localhost", "1", &hints, &res) == 0;

	if (res)
		freeaddrinfo(res);
	return known;
}

static void test_answers(void)
{
	struct loop l;
	struct resolver r;
	struct got g = { 0 };
	uint8_t key[PROTO_KEY_LEN];
	uint64_t end;

	memset(key, 7, sizeof(key));
	CHECK_EQ(loop_init(&l), 0);
	CHECK_EQ(resolver_init(&r, &l, on_done, &g), 0);
	/* queued before the thread runs (as at start): they wait for it */
	CHECK_EQ(resolver_submit(&r, key, "192.0.2.7", 51820), 0);
	key[0] = 8;
	CHECK_EQ(resolver_submit(&r, key, "[fd77::9]", 443), 0);
	CHECK_EQ(resolver_submit(&r, key, "localhost", 1), 0);
	CHECK_EQ(resolver_submit(&r, key, "[]", 1), 0);
	CHECK_EQ(loop_run_once(&l, 50), 0);	/* no thread yet: nothing answered */
	CHECK_EQ(g.n, 0);
	CHECK_EQ(resolver_run(&r), 0);
	end = timerq_now() + 5 * 1000000000ull;
	while (g.n < 4 && timerq_now() < end)
		loop_run_once(&l, 100);
	CHECK_EQ(g.n, 4);
	CHECK_EQ(g.first_key[0], 7);
	CHECK_EQ(g.rc[0], 0);
	CHECK_STR(g.ep[0], "192.0.2.7:51820");
	CHECK_EQ(g.rc[1], 0);
	CHECK_STR(g.ep[1], "[fd77::9]:443");
	if (localhost_known()) {
		CHECK_EQ(g.rc[2], 0);
		CHECK(!strcmp(g.ep[2], "127.0.0.1:1") || !strcmp(g.ep[2], "[::1]:1"));
	} else {	/* a minimal root has no /etc/hosts: the lookup fails, cleanly */
		printf("# the system has no address for localhost (no /etc/hosts?)\n");
		CHECK_EQ(g.rc[2], -1);
	}
	CHECK_EQ(g.rc[3], -1);
	CHECK_STR(g.err, "bad host name");
	resolver_stop(&r);
	loop_free(&l);
}

static void test_stop_with_queue(void)
{
	struct loop l;
	struct resolver r;
	struct got g = { 0 };
	uint8_t key[PROTO_KEY_LEN] = { 0 };

	CHECK_EQ(loop_init(&l), 0);
	CHECK_EQ(resolver_init(&r, &l, on_done, &g), 0);
	for (int i = 0; i < 100; i++)
		CHECK_EQ(resolver_submit(&r, key, "192.0.2.1", 1), 0);
	CHECK_EQ(resolver_run(&r), 0);
	resolver_stop(&r);	/* waits for the lookup in progress, frees the rest */
	CHECK_EQ(g.n, 0);	/* nothing is delivered after stop */
	CHECK_EQ(r.ev.fd, -1);
	resolver_stop(&r);	/* twice is harmless */
	loop_free(&l);
}

int main(void)
{
	RUN(test_answers());
	RUN(test_stop_with_queue());
	return tap_done();
}

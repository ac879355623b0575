/* SPDX-License-Identifier: ISC */
/* udp: endpoints, resolving, and a batch through loopback (no root). */
#include "config.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdbool.h>
#include <poll.h>
#include <unistd.h>

#include "udp.h"
#include "tap.h"

static void test_endpoint(void)
{
	struct endpoint a = { 0 }, b = { 0 };
	char s[ENDPOINT_STRLEN];

	CHECK_STR(endpoint_format(&a, s, sizeof(s)), "(none)");
	CHECK_EQ(endpoint_len(&a), 0);
	CHECK_EQ(udp_resolve("192.0.2.2", 51820, &a), 0);
	CHECK_EQ(a.sa.sa_family, AF_INET);
	CHECK_STR(endpoint_format(&a, s, sizeof(s)), "192.0.2.2:51820");
	CHECK_EQ(endpoint_len(&a), sizeof(struct sockaddr_in));
	endpoint_copy(&b, &a);
	CHECK(endpoint_eq(&a, &b));
	b.in4.sin_port = htons(51821);
	CHECK(!endpoint_eq(&a, &b));
	endpoint_copy(&b, &a);
	b.in4.sin_addr.s_addr = htonl(0xc0000203);
	CHECK(!endpoint_eq(&a, &b));

	CHECK_EQ(udp_resolve("fd77::1", 443, &b), 0);
	CHECK_EQ(b.sa.sa_family, AF_INET6);
	CHECK_EQ(endpoint_len(&b), sizeof(struct sockaddr_in6));
	CHECK_STR(endpoint_format(&b, s, sizeof(s)), "[fd77::1]:443");
	CHECK(!endpoint_eq(&a, &b));
	CHECK_EQ(udp_resolve("[2001:db8::5]", 0, &b), 0);
	CHECK_STR(endpoint_format(&b, s, sizeof(s)), "[2001:db8::5]:0");
	endpoint_copy(&a, &b);
	CHECK(endpoint_eq(&a, &b));
	a.in6.sin6_addr.s6_addr[15] = 6;
	CHECK(!endpoint_eq(&a, &b));
	endpoint_copy(&a, &b);
	a.in6.sin6_scope_id = 2;
	CHECK(!endpoint_eq(&a, &b));
	CHECK_STR(endpoint_format(&a, s, sizeof(s)), "[2001:db8::5%2]:0");

	/* a short buffer truncates, never overflows */
	CHECK_STR(endpoint_format(&b, s, 6), "[2001");

	CHECK_EQ(udp_resolve("", 1, &a), -1);
	CHECK_EQ(udp_resolve("[]", 1, &a), -1);
	CHECK_EQ(udp_resolve("300.1.2.3.invalid", 1, &a), -1);
}

/* A host name goes through the system's resolver, and whether "localhost"
 * has an address is the system's business: a debootstrap root has no
 * /etc/hosts, so there it has none. udp_resolve must agree with
 * getaddrinfo either way: a loopback address, or an error. */
static void test_resolve_name(void)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res = NULL;
	struct endpoint a = { 0 };
	char s[ENDPOINT_STRLEN];
	bool named = getaddrinfo("localhost", "51820", &hints, &res) == 0;

	if (res)
		freeaddrinfo(res);
	if (!named) {
		printf("# the system has no address for localhost (no /etc/hosts?)\n");
		CHECK_EQ(udp_resolve("localhost", 51820, &a), -1);
		return;
	}
	CHECK_EQ(udp_resolve("localhost", 51820, &a), 0);
	CHECK(!strcmp(endpoint_format(&a, s, sizeof(s)), "127.0.0.1:51820") ||
	      !strcmp(s, "[::1]:51820"));
}

static int wait_readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 2000);
}

/* Send n datagrams from u to itself at dst, receive them all back. */
static void loop_batch(struct udp *u, const char *dst_ip)
{
	static uint8_t txbuf[32][64], rxbuf[32][2048];
	struct udp_pkt tx[32], rx[32];
	static struct udp_batch b;
	struct endpoint dst, self;
	int fd, got = 0, ok = 0, sent;

	CHECK_EQ(udp_resolve(dst_ip, u->port, &dst), 0);
	fd = udp_fd_for(u, &dst);
	CHECK_GE(fd, 0);
	if (fd < 0)
		return;
	for (int i = 0; i < 32; i++) {
		tx[i].buf = txbuf[i];
		tx[i].len = (size_t)snprintf((char *)txbuf[i], sizeof(txbuf[i]),
					     "datagram %d", i) + 1;
		endpoint_copy(&tx[i].ep, &dst);
		rx[i].buf = rxbuf[i];
		rx[i].cap = sizeof(rxbuf[i]);
	}
	CHECK_EQ(udp_recv_batch(fd, &b, rx, 32), 0);	/* nothing yet */
	sent = udp_send_batch(fd, &b, tx, 32);
	CHECK_EQ(sent, 32);
	for (int tries = 0; got < 32 && tries < 50; tries++) {
		int n;

		if (wait_readable(fd) <= 0)
			break;
		n = udp_recv_batch(fd, &b, rx + got, (unsigned)(32 - got));
		CHECK_GE(n, 0);
		if (n < 0)
			break;
		got += n;
	}
	CHECK_EQ(got, 32);
	self = dst;
	for (int i = 0; i < got; i++) {
		ok += rx[i].len == tx[i].len &&
		      !memcmp(rx[i].buf, tx[i].buf, tx[i].len) &&
		      endpoint_eq(&rx[i].ep, &self);
	}
	CHECK_EQ(ok, 32);
}

/* A datagram bigger than the buffer is reported with len 0. */
static void truncated(struct udp *u)
{
	static uint8_t big[1000], small[100];
	static struct udp_batch b;
	struct udp_pkt tx = { .buf = big, .len = sizeof(big) };
	struct udp_pkt rx = { .buf = small, .cap = sizeof(small) };

	CHECK_EQ(udp_resolve("127.0.0.1", u->port, &tx.ep), 0);
	CHECK_EQ(udp_send_batch(u->fd4, &b, &tx, 1), 1);
	CHECK_EQ(wait_readable(u->fd4), 1);
	CHECK_EQ(udp_recv_batch(u->fd4, &b, &rx, 1), 1);
	CHECK_EQ(rx.len, 0);
}

static void test_sockets(void)
{
	struct udp u, v;

	CHECK_EQ(udp_open(&u, 0), 0);
	CHECK_NE(u.port, 0);
	CHECK_GE(u.fd4, 0);
	if (u.fd4 < 0)
		return;
	printf("bound port %u, v4 fd %d, v6 fd %d\n", u.port, u.fd4, u.fd6);
	loop_batch(&u, "127.0.0.1");
	if (u.fd6 >= 0)
		loop_batch(&u, "::1");
	else
		printf("no IPv6: v6 loopback batch not run\n");
	truncated(&u);

	/* the same port again is refused, and cleanly */
	CHECK_EQ(udp_open(&v, u.port), -1);
	CHECK(v.fd4 == -1 && v.fd6 == -1);
	udp_close(&u);
	CHECK(u.fd4 == -1 && u.fd6 == -1);
	/* and free once closed */
	CHECK_EQ(udp_open(&v, u.port), 0);
	CHECK_EQ(v.port, u.port);
	udp_close(&v);
}

int main(void)
{
	RUN(test_endpoint());
	RUN(test_resolve_name());
	RUN(test_sockets());
	return tap_done();
}

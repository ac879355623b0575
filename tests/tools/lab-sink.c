/* SPDX-License-Identifier: ISC */
/* lab-sink: the lab's server on C. Prints every UDP datagram arriving on
 * PORT as "SOURCE: payload", until COUNT arrived or TIMEOUT seconds passed. */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr, "usage: lab-sink [-n COUNT] [-t TIMEOUT_S] PORT\n");
	exit(2);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void print_datagram(const struct sockaddr_in6 *from, char *buf, ssize_t len)
{
	char addr[INET6_ADDRSTRLEN];
	const void *a = &from->sin6_addr;
	int family = AF_INET6;

	/* Show IPv4-mapped sources as plain IPv4, as the lab expects. */
	if (IN6_IS_ADDR_V4MAPPED(&from->sin6_addr)) {
		a = &from->sin6_addr.s6_addr[12];
		family = AF_INET;
	}
	inet_ntop(family, a, addr, sizeof(addr));
	for (ssize_t i = 0; i < len; i++)
		if (!isprint((unsigned char)buf[i]))
			buf[i] = '.';
	printf("%s: %.*s\n", addr, (int)len, buf);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	long count = 0, timeout = 30, received = 0, deadline;
	int opt, fd, off = 0;

	while ((opt = getopt(argc, argv, "n:t:h")) != -1) {
		switch (opt) {
		case 'n': count = strtol(optarg, NULL, 10); break;
		case 't': timeout = strtol(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (argc - optind != 1 || timeout < 1)
		usage();
	sin6.sin6_port = htons((uint16_t)strtoul(argv[optind], NULL, 10));
	fd = socket(AF_INET6, SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) < 0 ||
	    bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) < 0) {
		perror("lab-sink");
		return 1;
	}
	deadline = now_ms() + timeout * 1000L;
	while ((!count || received < count) && now_ms() < deadline) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_in6 from;
		socklen_t fromlen = sizeof(from);
		char buf[2048];
		ssize_t len;

		if (poll(&pfd, 1, (int)(deadline - now_ms())) <= 0)
			continue;
		len = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fromlen);
		if (len < 0)
			continue;
		received++;
		print_datagram(&from, buf, len);
	}
	close(fd);
	return 0;
}

/* SPDX-License-Identifier: ISC */
/* tcp-xfer: move a deterministic byte stream over TCP and print its sha256
 * at both ends, so a test can prove nothing was lost or corrupted.
 *   tcp-xfer -l PORT [-t TIMEOUT_S]         receive one connection; print "BYTES SHA256"
 *   tcp-xfer -c ADDR PORT -n MB [-p MS] [-t TIMEOUT_S]
 *       send MB MiB (pausing MS ms after each 64 KiB block); print "BYTES SHA256" */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr, "usage: tcp-xfer -l PORT [-t S] | tcp-xfer -c ADDR PORT -n MB [-p MS] [-t S]\n");
	exit(2);
}

static void print_result(unsigned long long bytes, crypto_hash_sha256_state *st)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char hex[2 * sizeof(h) + 1];

	crypto_hash_sha256_final(st, h);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	printf("%llu %s\n", bytes, hex);
}

static int receive(const char *port)
{
	struct addrinfo hints = { .ai_family = AF_INET6, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *ai;
	crypto_hash_sha256_state st;
	unsigned long long total = 0;
	static unsigned char buf[1 << 16];
	int one = 1, off = 0, lfd, fd;
	ssize_t n;

	if (getaddrinfo(NULL, port, &hints, &ai))
		return 1;
	lfd = socket(AF_INET6, SOCK_STREAM, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	if (bind(lfd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(lfd, 1) < 0) {
		perror("tcp-xfer: listen");
		return 1;
	}
	freeaddrinfo(ai);
	fprintf(stderr, "tcp-xfer: listening\n");
	fd = accept(lfd, NULL, NULL);
	if (fd < 0) {
		perror("tcp-xfer: accept");
		return 1;
	}
	crypto_hash_sha256_init(&st);
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		crypto_hash_sha256_update(&st, buf, (unsigned long long)n);
		total += (unsigned long long)n;
	}
	if (n < 0) {
		perror("tcp-xfer: read");
		return 1;
	}
	print_result(total, &st);
	return 0;
}

static int send_stream(const char *addr, const char *port, long mb, long pause_ms)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICHOST };
	struct addrinfo *ai;
	crypto_hash_sha256_state st;
	unsigned char seed[randombytes_SEEDBYTES] = { 0x6f, 0x76, 0x70, 0x6e };
	static unsigned char buf[1 << 16];
	unsigned long long total = 0, want = (unsigned long long)mb << 20;
	int fd;

	if (getaddrinfo(addr, port, &hints, &ai)) {
		fprintf(stderr, "tcp-xfer: bad address %s\n", addr);
		return 1;
	}
	fd = socket(ai->ai_family, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
		perror("tcp-xfer: connect");
		return 1;
	}
	freeaddrinfo(ai);
	crypto_hash_sha256_init(&st);
	while (total < want) {
		size_t chunk = want - total < sizeof(buf) ? (size_t)(want - total) : sizeof(buf);
		size_t off = 0;

		/* A different deterministic block each time: the seed counts blocks. */
		memcpy(seed + 8, &total, sizeof(total));
		randombytes_buf_deterministic(buf, chunk, seed);
		crypto_hash_sha256_update(&st, buf, chunk);
		while (off < chunk) {
			ssize_t n = write(fd, buf + off, chunk - off);

			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				perror("tcp-xfer: write");
				return 1;
			}
			off += (size_t)n;
		}
		total += chunk;
		if (pause_ms > 0) {
			struct timespec ts = { pause_ms / 1000, (pause_ms % 1000) * 1000000L };

			nanosleep(&ts, NULL);
		}
	}
	shutdown(fd, SHUT_WR);
	/* Wait for the receiver to close so every byte is known delivered. */
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
	print_result(total, &st);
	return 0;
}

int main(int argc, char **argv)
{
	const char *listen_port = NULL;
	long mb = 0, timeout = 120, pause_ms = 0;
	int opt;

	while ((opt = getopt(argc, argv, "l:cn:p:t:h")) != -1) {
		switch (opt) {
		case 'l': listen_port = optarg; break;
		case 'c': break;
		case 'n': mb = strtol(optarg, NULL, 10); break;
		case 'p': pause_ms = strtol(optarg, NULL, 10); break;
		case 't': timeout = strtol(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (sodium_init() < 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned)timeout); /* bounded in time whatever happens */
	if (listen_port)
		return receive(listen_port);
	if (argc - optind != 2 || mb < 1)
		usage();
	return send_stream(argv[optind], argv[optind + 1], mb, pause_ms);
}

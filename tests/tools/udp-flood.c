/* SPDX-License-Identifier: ISC */
/* udp-flood: hostile traffic at a daemon, bounded in time.
 *   udp-flood [-r PPS] [-t SECS] [-p PORTS] junk DEST PORT
 *       random datagrams of every length (0..1500) and every type byte
 *   udp-flood [-r PPS] [-t SECS] [-p PORTS] hs DEST PORT PUBKEY
 *       handshake initiations with a valid mac1 for PUBKEY (base64) and
 *       random contents, from PORTS different source ports
 *   udp-flood [-r PPS] [-t SECS] [-p PORTS] bad-mac1 DEST PORT PUBKEY
 *       the same initiations with their mac1 wrong (one bit flipped)
 * Counts what it sent and every datagram that came back, by type byte:
 *   "sent N replies M cookie-replies C" on stdout. */
#include "config.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "handshake.h"
#include "key.h"

#define MAX_PORTS 256

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void usage(void)
{
	fprintf(stderr, "usage: udp-flood [-r PPS] [-t SECS] [-p PORTS] junk|hs|bad-mac1 DEST PORT [PUBKEY]\n");
	exit(2);
}

/* Replies are read without blocking between bursts. */
static void drain(int *fds, int n, unsigned long *replies, unsigned long *cookies)
{
	uint8_t buf[2048];

	for (int i = 0; i < n; i++) {
		ssize_t len;

		while ((len = recv(fds[i], buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
			(*replies)++;
			if (len == 64 && buf[0] == 3)
				(*cookies)++;
		}
	}
}

static size_t make_junk(uint8_t *buf, unsigned long i)
{
	size_t len = (size_t)randombytes_uniform(1501);

	randombytes_buf(buf, len);
	if (len) {
		/* every type byte, the four real ones more often */
		buf[0] = (uint8_t)(i % 3 ? 1 + i % 4 : i % 256);
	}
	return len;
}

static size_t make_initiation(uint8_t *buf, const uint8_t mac1_key[32])
{
	randombytes_buf(buf, HS_INITIATION_LEN);
	buf[0] = 1;
	buf[1] = buf[2] = buf[3] = 0;
	handshake_add_macs(buf, HS_INITIATION_LEN, mac1_key, NULL, NULL);
	return HS_INITIATION_LEN;
}

int main(int argc, char **argv)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST };
	struct addrinfo *ai;
	unsigned long rate = 50000, secs = 10, nports = 1, sent = 0, replies = 0, cookies = 0;
	uint8_t mac1_key[32], pub[32], buf[1600];
	int fds[MAX_PORTS], opt;
	bool hs, bad;
	uint64_t start, end;

	while ((opt = getopt(argc, argv, "r:t:p:")) != -1) {
		switch (opt) {
		case 'r': rate = strtoul(optarg, NULL, 10); break;
		case 't': secs = strtoul(optarg, NULL, 10); break;
		case 'p': nports = strtoul(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (sodium_init() < 0 || argc - optind < 3 || !rate || !secs || secs > 600 ||
	    !nports || nports > MAX_PORTS)
		usage();
	bad = !strcmp(argv[optind], "bad-mac1");
	hs = bad || !strcmp(argv[optind], "hs");
	if (hs && (argc - optind != 4 ||
		   key_from_base64(pub, argv[optind + 3], strlen(argv[optind + 3]), NULL) < 0 ||
		   handshake_mac1_key(mac1_key, pub) < 0))
		usage();
	if (!hs && strcmp(argv[optind], "junk"))
		usage();
	if (getaddrinfo(argv[optind + 1], argv[optind + 2], &hints, &ai))
		usage();
	for (unsigned long i = 0; i < nports; i++) {
		fds[i] = socket(ai->ai_family, SOCK_DGRAM, 0);
		if (fds[i] < 0 || connect(fds[i], ai->ai_addr, ai->ai_addrlen) < 0) {
			perror("udp-flood");
			return 1;
		}
	}
	start = now_ns();
	end = start + secs * 1000000000u;
	for (uint64_t t = start; t < end; t = now_ns()) {
		/* Keep to the rate: send what is due, in bursts of up to 64. */
		uint64_t due = (t - start) * rate / 1000000000u;

		for (int burst = 0; sent < due && burst < 64; burst++, sent++) {
			size_t len = hs ? make_initiation(buf, mac1_key) : make_junk(buf, sent);

			if (bad)
				buf[HS_INITIATION_LEN - 32] ^= 0x01;

			if (send(fds[sent % nports], buf, len, MSG_DONTWAIT) < 0 && errno != EAGAIN &&
			    errno != ECONNREFUSED && errno != ENOBUFS)
				perror("udp-flood: send");
		}
		drain(fds, (int)nports, &replies, &cookies);
		if (sent >= due) {
			struct timespec ts = { 0, 200000 };

			nanosleep(&ts, NULL);
		}
	}
	/* Late replies still count. */
	usleep(300000);
	drain(fds, (int)nports, &replies, &cookies);
	printf("sent %lu replies %lu cookie-replies %lu\n", sent, replies, cookies);
	freeaddrinfo(ai);
	return 0;
}

/* SPDX-License-Identifier: ISC */
/* hs-craft: one hostile but well-formed message at a daemon, then wait a
 * second for any answer. Prints "reply N bytes" or "no reply".
 *   hs-craft unknown-key DEST PORT PUBKEY    a real initiation from a key
 *                                            the daemon does not know
 *   hs-craft bad-mac1 DEST PORT PUBKEY       a real initiation, mac1 flipped
 *   hs-craft unknown-index DEST PORT         a data packet for no session */
#include "config.h"

#include <netdb.h>
#include <poll.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "key.h"
#include "proto.h"

static int usage(void)
{
	fprintf(stderr, "usage: hs-craft unknown-key|bad-mac1|unknown-index DEST PORT [PUBKEY]\n");
	return 2;
}

/* A genuine message 1 from a fresh random static key to the daemon. */
static int make_initiation(const char *pub_b64, uint8_t out[HS_INITIATION_LEN])
{
	static struct proto_host host;
	static struct proto_peer peer;
	uint8_t priv[32], pub[32], ts[TAI64N_LEN];
	struct timespec now;

	if (key_from_base64(pub, pub_b64, strlen(pub_b64), NULL) < 0)
		return -1;
	randombytes_buf(priv, sizeof(priv));
	clock_gettime(CLOCK_REALTIME, &now);
	tai64n_encode_coarse(ts, (uint64_t)now.tv_sec, (uint32_t)now.tv_nsec);
	if (proto_host_init(&host, priv, NULL, 4, NULL, NULL) < 0 ||
	    proto_peer_init(&peer, &host, pub, NULL) < 0 ||
	    proto_create_initiation(&peer, 1, ts, 0, out) < 0)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST };
	struct addrinfo *ai;
	uint8_t msg[HS_INITIATION_LEN], buf[2048];
	struct pollfd pfd;
	size_t len;
	ssize_t n;
	int fd;

	if (sodium_init() < 0 || argc < 4 || getaddrinfo(argv[2], argv[3], &hints, &ai))
		return usage();
	if (!strcmp(argv[1], "unknown-index")) {
		randombytes_buf(msg, 64);
		msg[0] = 4;
		msg[1] = msg[2] = msg[3] = 0;
		len = 64;
	} else if (argc == 5 && make_initiation(argv[4], msg) == 0) {
		len = HS_INITIATION_LEN;
		if (!strcmp(argv[1], "bad-mac1"))
			msg[HS_INITIATION_LEN - 32] ^= 0x01;
		else if (strcmp(argv[1], "unknown-key")) {
			freeaddrinfo(ai);
			return usage();
		}
	} else {
		freeaddrinfo(ai);
		return usage();
	}
	fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 || send(fd, msg, len, 0) < 0) {
		perror("hs-craft");
		return 1;
	}
	freeaddrinfo(ai);	/* else LeakSanitizer fails the run, losing stdout */
	pfd.fd = fd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 1000) > 0 && (n = recv(fd, buf, sizeof(buf), 0)) >= 0)
		printf("reply %zd bytes\n", n);
	else
		printf("no reply\n");
	close(fd);
	return 0;
}

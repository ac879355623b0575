/* SPDX-License-Identifier: ISC */
/* lab-sender: the lab's client on A. Sends "Hello from client N" over UDP
 * to DEST:PORT, N = 1..COUNT, one every INTERVAL milliseconds. */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr, "usage: lab-sender [-c COUNT] [-i INTERVAL_MS] DEST PORT\n");
	exit(2);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM, .ai_flags = AI_NUMERICHOST };
	struct addrinfo *ai = NULL;
	long count = 100, interval = 10;
	int opt, fd, err, sent = 0;

	while ((opt = getopt(argc, argv, "c:i:h")) != -1) {
		switch (opt) {
		case 'c': count = strtol(optarg, NULL, 10); break;
		case 'i': interval = strtol(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (argc - optind != 2 || count < 1 || interval < 0)
		usage();
	err = getaddrinfo(argv[optind], argv[optind + 1], &hints, &ai);
	if (err) {
		fprintf(stderr, "lab-sender: %s port %s: %s\n", argv[optind], argv[optind + 1], gai_strerror(err));
		return 1;
	}
	fd = socket(ai->ai_family, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("lab-sender: socket");
		return 1;
	}
	for (long n = 1; n <= count; n++) {
		char msg[64];
		int len = snprintf(msg, sizeof(msg), "Hello from client %ld", n);

		if (sendto(fd, msg, (size_t)len, 0, ai->ai_addr, ai->ai_addrlen) == len)
			sent++;
		else
			fprintf(stderr, "lab-sender: hello %ld: %s\n", n, strerror(errno));
		if (n < count)
			sleep_ms(interval);
	}
	printf("lab-sender: sent %d of %ld\n", sent, count);
	freeaddrinfo(ai);
	close(fd);
	return sent == count ? 0 : 1;
}

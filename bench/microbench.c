/* The data path's crypto alone: keypair_seal and keypair_open of one size
 * (1420 bytes by default, the tunnel MTU) on one core, no I/O.
 * `make bench-micro` builds and runs it; bench/microbench [-n PACKETS] [-s BYTES]. */
#include "config.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "keypair.h"
#include "peer.h"

#define RING 64		/* sealed packets opened in turn (fits in cache) */

static double cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void report(const char *what, unsigned long n, size_t size, double secs)
{
	printf("%-5s %5zu bytes: %9.0f packets/s per core, %6.2f Gbit/s of plaintext, %6.0f ns/packet\n",
	       what, size, (double)n / secs, (double)n * (double)size * 8 / secs / 1e9,
	       secs / (double)n * 1e9);
}

static int bench_seal(struct keypair *kp, unsigned long n, size_t size)
{
	static uint8_t buf[PKT_BUF_SIZE];
	size_t out;
	double t0;

	memset(buf, 0x5a, sizeof(buf));
	for (unsigned long i = 0; i < n / 10; i++)	/* warm up: caches, clock */
		if (keypair_seal(kp, buf, size, size, UINT64_MAX, &out) < 0)
			return -1;
	t0 = cpu_seconds();
	for (unsigned long i = 0; i < n; i++)
		if (keypair_seal(kp, buf, size, size, UINT64_MAX, &out) < 0)
			return -1;
	report("seal", n, size, cpu_seconds() - t0);
	return 0;
}

/* Each open decrypts in place: it works on a copy of one of RING sealed
 * packets, and the replay window starts over at each turn of the ring. */
static int bench_open(struct keypair *tx, struct keypair *rx, unsigned long n, size_t size)
{
	static uint8_t ring[RING][PKT_BUF_SIZE], work[PKT_BUF_SIZE];
	size_t len = 0, plain_len;
	enum drop_reason why;
	uint8_t *plain;
	double t0, t_copy;

	for (unsigned i = 0; i < RING; i++) {
		memset(ring[i], (int)i, sizeof(ring[i]));
		if (keypair_seal(tx, ring[i], size, size, UINT64_MAX, &len) < 0)
			return -1;
	}
	t0 = cpu_seconds();
	for (unsigned long i = 0; i < n; i++)
		memcpy(work, ring[i % RING], len);
	t_copy = cpu_seconds() - t0;
	t0 = cpu_seconds();
	for (unsigned long i = 0; i < n; i++) {
		if (i % RING == 0)
			replay_init(&rx->replay);
		memcpy(work, ring[i % RING], len);
		why = keypair_open(rx, work, len, UINT64_MAX, &plain, &plain_len);
		if (why != DROP_NONE) {
			fprintf(stderr, "open failed: %s\n", drop_reason_name(why));
			return -1;
		}
	}
	report("open", n, size, cpu_seconds() - t0 - t_copy);
	return 0;
}

int main(int argc, char **argv)
{
	struct keypair tx = { 0 }, rx = { 0 };
	unsigned long n = 200000;
	size_t size = 1420;
	int opt;

	while ((opt = getopt(argc, argv, "n:s:")) != -1) {
		if (opt == 'n')
			n = strtoul(optarg, NULL, 10);
		else if (opt == 's')
			size = strtoul(optarg, NULL, 10);
		else
			goto usage;
	}
	if (n == 0 || size > PKT_MAX_MTU)
		goto usage;
	if (sodium_init() < 0)
		return 1;
	randombytes_buf(tx.send_key, sizeof(tx.send_key));
	memcpy(rx.recv_key, tx.send_key, sizeof(rx.recv_key));
	tx.live = rx.live = true;
	replay_init(&rx.replay);
	printf("XChaCha20-Poly1305 (libsodium %s), %lu packets each, one thread\n",
	       sodium_version_string(), n);
	if (bench_seal(&tx, n, size) < 0 || bench_open(&tx, &rx, n, size) < 0)
		return 1;
	return 0;
usage:
	fprintf(stderr, "usage: %s [-n PACKETS] [-s BYTES (<= %d)]\n", argv[0], PKT_MAX_MTU);
	return 2;
}

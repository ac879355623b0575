/* SPDX-License-Identifier: ISC */
/*
 * keyscan PID KEYFILE PEER_PUBKEY: where in a running ovpnd's memory its
 * secrets sit. Prints one line per copy found, "private|shared ADDRESS
 * dontdump|DUMPED", then "public N" (copies of the peer's public key, to
 * show the scan sees the daemon's memory at all). shared is DH(private,
 * peer): the precomputed static secret of the peer's protocol state.
 * Exit 0 when every secret found is in a mapping marked dontdump (dd).
 * Mappings above 1 GiB are skipped (and counted): a sanitizer build
 * reserves terabytes.
 */
#include "config.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "key.h"

#define SCAN_MAX (UINT64_C(1) << 30)

struct needle {
	const char *name;
	uint8_t bytes[KEY_LEN];
	unsigned found, dumped;
};

static void scan_range(int mem, uint64_t lo, uint64_t hi, bool dd, struct needle *n, size_t nn)
{
	static uint8_t buf[1 << 20];

	for (uint64_t at = lo; at < hi; at += sizeof(buf) - KEY_LEN) {
		size_t want = hi - at < sizeof(buf) ? (size_t)(hi - at) : sizeof(buf);
		ssize_t got = pread(mem, buf, want, (off_t)at);

		if (got < KEY_LEN)
			return;
		for (size_t i = 0; i + KEY_LEN <= (size_t)got; i++)
			for (size_t k = 0; k < nn; k++) {
				if (memcmp(buf + i, n[k].bytes, KEY_LEN))
					continue;
				n[k].found++;
				n[k].dumped += !dd;
				if (strcmp(n[k].name, "public"))
					printf("%s %#" PRIx64 " %s\n", n[k].name, at + i, dd ? "dontdump" : "DUMPED");
			}
		if ((size_t)got < want)
			return;
	}
}

int main(int argc, char **argv)
{
	struct needle n[3] = { { .name = "private" }, { .name = "shared" }, { .name = "public" } };
	char path[64], line[512], errbuf[KEY_ERRBUF_SIZE];
	uint64_t lo = 0, hi = 0;
	bool in_range = false, readable = false;
	unsigned skipped = 0;
	FILE *smaps;
	int mem;

	if (argc != 4 || sodium_init() < 0)
		return 2;
	if (key_file_read(argv[2], n[0].bytes, errbuf, sizeof(errbuf)) < 0 ||
	    key_from_base64(n[2].bytes, argv[3], strlen(argv[3]), NULL) < 0 ||
	    crypto_scalarmult(n[1].bytes, n[0].bytes, n[2].bytes) != 0) {
		fprintf(stderr, "keyscan: bad key arguments\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/proc/%s/smaps", argv[1]);
	smaps = fopen(path, "r");
	snprintf(path, sizeof(path), "/proc/%s/mem", argv[1]);
	mem = open(path, O_RDONLY);
	if (!smaps || mem < 0) {
		perror(path);
		return 2;
	}
	/* Each mapping: its range line, then fields, VmFlags last. */
	while (fgets(line, sizeof(line), smaps)) {
		char perms[8];

		/* a field is "Name: value"; a range line has no colon before its first space */
		if (strcspn(line, ":") > strcspn(line, " ") &&
		    sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s", &lo, &hi, perms) == 3) {
			in_range = true;
			readable = perms[0] == 'r';
		} else if (in_range && !strncmp(line, "VmFlags:", 8)) {
			/* Terabytes of reserved, untouched address space (the
			 * sanitizers' shadow and allocator) hold nothing. */
			if (hi - lo > SCAN_MAX)
				skipped++;
			else if (readable && !strstr(line, " vv"))
				scan_range(mem, lo, hi, strstr(line, " dd") != NULL, n, 3);
			in_range = false;
		}
	}
	int rc = n[0].dumped || n[1].dumped ? 1 : 0;

	printf("public %u\n", n[2].found);
	if (skipped)
		printf("skipped %u mappings larger than 1 GiB\n", skipped);
	sodium_memzero(n, sizeof(n));
	return rc;
}

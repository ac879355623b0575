/* SPDX-License-Identifier: ISC */
/* dns-stub ADDR PORT FILE: a tiny authoritative DNS server for the tests.
 * Each query re-reads FILE, lines "NAME ADDRESS [DELAY_MS]": A and AAAA
 * answers (TTL 0) for the names listed, NXDOMAIN for the others, the
 * answer held back DELAY_MS (in a child, so other queries go on). Each
 * query is logged to stdout as "query NAME TYPE". Runs until killed. */
#include <arpa/inet.h>
#include <ctype.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define TYPE_A 1
#define TYPE_AAAA 28

/* The question's name (lower case, dotted) and where the question ends;
 * -1 on anything malformed (compression is not allowed in a question). */
static int question(const uint8_t *m, size_t len, char *name, size_t cap, size_t *end)
{
	size_t i = 12, o = 0;

	while (i < len && m[i]) {
		size_t l = m[i++];

		if (l > 63 || i + l > len || o + l + 2 > cap)
			return -1;
		for (size_t k = 0; k < l; k++)
			name[o++] = (char)tolower(m[i + k]);
		name[o++] = '.';
		i += l;
	}
	if (i + 5 > len)
		return -1;
	name[o ? o - 1 : 0] = '\0';
	*end = i + 5;
	return 0;
}

/* Fill the answer's rdata from FILE; returns how many records (0 or 1),
 * -1 when the name is not there. */
static int lookup(const char *file, const char *name, int type, uint8_t *rdata,
		  size_t *rdlen, long *delay)
{
	char line[512], n[256], a[64];
	int found = -1;
	FILE *f = fopen(file, "r");

	*delay = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		long d = 0;

		if (sscanf(line, "%255s %63s %ld", n, a, &d) < 2 || strcasecmp(n, name))
			continue;
		if (found < 0)
			found = 0;
		*delay = d;
		if (type == TYPE_A && inet_pton(AF_INET, a, rdata) == 1) {
			*rdlen = 4;
			found = 1;
			break;
		}
		if (type == TYPE_AAAA && inet_pton(AF_INET6, a, rdata) == 1) {
			*rdlen = 16;
			found = 1;
			break;
		}
	}
	fclose(f);
	return found;
}

static size_t answer(const char *file, uint8_t *m, size_t len, long *delay)
{
	char name[256];
	uint8_t rdata[16];
	size_t end, rdlen = 0;
	int type, found;

	if (len < 12 || (m[2] & 0x80) || m[4] != 0 || m[5] != 1 ||
	    question(m, len, name, sizeof(name), &end) < 0)
		return 0;
	type = m[end - 4] << 8 | m[end - 3];
	printf("query %s %d\n", name, type);
	fflush(stdout);
	found = lookup(file, name, type, rdata, &rdlen, delay);
	m[2] = 0x84 | (m[2] & 0x01);		/* response, authoritative, RD kept */
	m[3] = found < 0 ? 3 : 0;		/* NXDOMAIN or NOERROR */
	memset(m + 6, 0, 6);
	len = end;
	if (found == 1) {
		static const uint8_t rr[] = { 0xc0, 12, 0, 0, 0, 1, 0, 0, 0, 0 };

		m[7] = 1;
		memcpy(m + len, rr, sizeof(rr));
		m[len + 3] = (uint8_t)type;
		len += sizeof(rr);
		m[len++] = 0;
		m[len++] = (uint8_t)rdlen;
		memcpy(m + len, rdata, rdlen);
		len += rdlen;
	}
	return len;
}

int main(int argc, char **argv)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl;
	int fd;

	if (argc != 4) {
		fprintf(stderr, "usage: dns-stub ADDR PORT FILE\n");
		return 2;
	}
	signal(SIGCHLD, SIG_IGN);	/* the delayed answers reap themselves */
	if (inet_pton(AF_INET, argv[1], &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)atoi(argv[2]));
		sl = sizeof(*s4);
	} else if (inet_pton(AF_INET6, argv[1], &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)atoi(argv[2]));
		sl = sizeof(*s6);
	} else {
		fprintf(stderr, "dns-stub: bad address %s\n", argv[1]);
		return 2;
	}
	fd = socket(ss.ss_family, SOCK_DGRAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&ss, sl) < 0) {
		perror("dns-stub: bind");
		return 1;
	}
	for (;;) {
		/* room for the question plus one answer record */
		uint8_t m[512 + 32];
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, m, 512, 0, (struct sockaddr *)&from, &fl);
		long delay = 0;
		size_t out;

		if (n <= 0)
			continue;
		out = answer(argv[3], m, (size_t)n, &delay);
		if (!out)
			continue;
		if (delay > 0 && fork() != 0)
			continue;	/* the parent serves on; a child answers late */
		if (delay > 0)
			usleep((useconds_t)delay * 1000);
		sendto(fd, m, out, 0, (struct sockaddr *)&from, fl);
		if (delay > 0)
			_exit(0);
	}
}

/* SPDX-License-Identifier: ISC */
/* udp-probe: both ends of chaos.sh's traffic through chaos-relay. Bound to
 * ADDR:PORT, it sends COUNT numbered, checksummed datagrams to PEER (one
 * every INTERVAL microseconds) while printing one line per datagram it
 * receives:
 *   SEQ LATENCY_US     a datagram as sent (latency on CLOCK_MONOTONIC: the
 *                      probes share the host's clock)
 *   bad                one whose checksum does not match (corrupted)
 * With -g FILE it sends nothing until FILE exists, so two probes sending
 * to each other can both be bound before either starts.
 * It exits when done sending and nothing arrived for QUIET ms (after the
 * first datagram, if it only receives), or after TIMEOUT seconds, with
 * "sent N received M kernel dropped K" on stderr: K > 0 means the host, not
 * the relay, lost datagrams (receive buffer full). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sockstat.h"
#include "timerq.h"
#include "udp.h"

#define PROBE_MAGIC 0x5250564fu	/* "OVPR" */
#define HDR_LEN 16		/* magic, seq, send time */
#define SUM_LEN 8		/* FNV-1a of everything before it */
#define SIZE_MAX_PROBE 1400

struct probe {
	int fd;
	struct endpoint peer;
	long count, sent, received;
	uint64_t interval_ns, quiet_ns, next_send, last_event, deadline;
	size_t size;
	const char *gate;
};

#define GATE_POLL_NS 10000000ULL

static void usage(void)
{
	fprintf(stderr, "usage: udp-probe -l ADDR:PORT [-p PEER:PORT -n COUNT] "
		"[-i INTERVAL_US] [-s SIZE] [-q QUIET_MS] [-t TIMEOUT_S] [-g FILE]\n");
	exit(2);
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static void build(uint8_t *buf, size_t size, uint32_t seq, uint64_t now)
{
	uint32_t magic = PROBE_MAGIC;
	uint64_t sum;

	memcpy(buf, &magic, 4);
	memcpy(buf + 4, &seq, 4);
	memcpy(buf + 8, &now, 8);
	for (size_t i = HDR_LEN; i < size - SUM_LEN; i++)
		buf[i] = (uint8_t)(seq * 31 + i);
	sum = fnv1a(buf, size - SUM_LEN);
	memcpy(buf + size - SUM_LEN, &sum, SUM_LEN);
}

static void report(const uint8_t *buf, size_t len, uint64_t now)
{
	uint32_t magic, seq;
	uint64_t sent, sum;

	if (len < HDR_LEN + SUM_LEN)
		goto bad;
	memcpy(&magic, buf, 4);
	memcpy(&seq, buf + 4, 4);
	memcpy(&sent, buf + 8, 8);
	memcpy(&sum, buf + len - SUM_LEN, SUM_LEN);
	if (magic != PROBE_MAGIC || sum != fnv1a(buf, len - SUM_LEN) || sent > now)
		goto bad;
	printf("%u %llu\n", seq, (unsigned long long)((now - sent) / 1000));
	return;
bad:
	printf("bad\n");
}

static void send_due(struct probe *p, uint64_t now)
{
	uint8_t buf[SIZE_MAX_PROBE];

	if (p->gate && p->sent < p->count) {
		if (access(p->gate, F_OK)) {
			p->next_send = now + GATE_POLL_NS;
			return;
		}
		p->gate = NULL;
		p->next_send = now;
	}
	while (p->sent < p->count && p->next_send <= now) {
		build(buf, p->size, (uint32_t)(p->sent + 1), now);
		if (sendto(p->fd, buf, p->size, 0, &p->peer.sa, endpoint_len(&p->peer)) < 0 &&
		    errno != EAGAIN && errno != ECONNREFUSED)
			log_warn("send %ld: %s", p->sent + 1, strerror(errno));
		p->sent++;
		p->next_send += p->interval_ns;
		p->last_event = now;
	}
}

/* The clock is read per datagram: one read before the loop would be older
 * than datagrams sent while the loop runs. */
static uint64_t recv_all(struct probe *p)
{
	uint8_t buf[65536];
	uint64_t now = timerq_now();
	ssize_t n;

	while ((n = recv(p->fd, buf, sizeof(buf), MSG_DONTWAIT)) >= 0) {
		now = timerq_now();
		p->received++;
		p->last_event = now;
		report(buf, (size_t)n, now);
	}
	return now;
}

static bool finished(const struct probe *p, uint64_t now)
{
	if (now >= p->deadline)
		return true;
	if (p->sent < p->count || (!p->count && !p->received))
		return false;
	return now - p->last_event >= p->quiet_ns;
}

static int run(struct probe *p)
{
	uint64_t now = timerq_now();

	p->next_send = now;
	p->last_event = now;
	while (!finished(p, now)) {
		struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
		uint64_t wake = p->deadline;
		struct timespec ts;

		send_due(p, now);
		if (p->sent < p->count && p->next_send < wake)
			wake = p->next_send;
		else if (p->sent == p->count && (p->count || p->received) &&
			 p->last_event + p->quiet_ns < wake)
			wake = p->last_event + p->quiet_ns;
		wake = wake > now ? wake - now : 0;
		ts.tv_sec = (time_t)(wake / 1000000000ULL);
		ts.tv_nsec = (long)(wake % 1000000000ULL);
		if (ppoll(&pfd, 1, &ts, NULL) < 0 && errno != EINTR) {
			log_err("ppoll: %s", strerror(errno));
			return 1;
		}
		now = recv_all(p);
	}
	fflush(stdout);
	fprintf(stderr, "udp-probe: sent %ld received %ld kernel dropped %u\n",
		p->sent, p->received, sockstat_drops(p->fd));
	return 0;
}

static int open_bound(const char *spec, struct probe *p)
{
	struct endpoint ep;
	const char *colon = strrchr(spec, ':');
	char host[64], s[ENDPOINT_STRLEN];

	if (!colon || (size_t)(colon - spec) >= sizeof(host))
		return -1;
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	if (udp_resolve(host, (uint16_t)atoi(colon + 1), &ep))
		return -1;
	p->fd = socket(ep.sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd >= 0)
		sockstat_bufs(p->fd);
	if (p->fd < 0 || bind(p->fd, &ep.sa, endpoint_len(&ep))) {
		log_err("bind %s: %s", spec, strerror(errno));
		return -1;
	}
	/* chaos.sh waits for this line before sending towards this probe */
	log_info("bound %s", endpoint_format(&ep, s, sizeof(s)));
	return 0;
}

static int parse_peer(const char *spec, struct endpoint *ep)
{
	const char *colon = strrchr(spec, ':');
	char host[64];

	if (!colon || (size_t)(colon - spec) >= sizeof(host))
		return -1;
	memcpy(host, spec, (size_t)(colon - spec));
	host[colon - spec] = '\0';
	return udp_resolve(host, (uint16_t)atoi(colon + 1), ep);
}

int main(int argc, char **argv)
{
	struct probe p = { .fd = -1, .interval_ns = 200000, .quiet_ns = 1000000000ULL,
			   .size = 64 };
	const char *bind_spec = NULL, *peer_spec = NULL;
	long timeout = 30;
	int opt;

	log_set_ident("udp-probe");
	while ((opt = getopt(argc, argv, "l:p:n:i:s:q:t:g:")) != -1) {
		switch (opt) {
		case 'l': bind_spec = optarg; break;
		case 'p': peer_spec = optarg; break;
		case 'n': p.count = strtol(optarg, NULL, 10); break;
		case 'i': p.interval_ns = strtoull(optarg, NULL, 10) * 1000; break;
		case 's': p.size = strtoul(optarg, NULL, 10); break;
		case 'q': p.quiet_ns = strtoull(optarg, NULL, 10) * 1000000ULL; break;
		case 'g': p.gate = optarg; break;
		case 't': timeout = strtol(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (!bind_spec || optind != argc || p.count < 0 || timeout < 1 ||
	    p.size < HDR_LEN + SUM_LEN || p.size > SIZE_MAX_PROBE ||
	    (p.count && !peer_spec))
		usage();
	if (peer_spec && parse_peer(peer_spec, &p.peer))
		usage();
	if (open_bound(bind_spec, &p))
		return 1;
	p.deadline = timerq_now() + (uint64_t)timeout * 1000000000ULL;
	return run(&p);
}

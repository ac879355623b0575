/* SPDX-License-Identifier: ISC */
/* chaos-relay: a two-way UDP relay for the underlay between two ovpnd
 * daemons, which loses, duplicates, reorders, delays, corrupts and replays
 * datagrams on purpose (issue 7).
 *
 * Sides. Side A talks to the -l socket, side B to the -L socket; what comes
 * from A's address on -l leaves the -L socket for B, and back. Each daemon's
 * peer endpoint is simply the relay socket of its own side, so both see one
 * fixed, symmetric peer and nothing roams. Without -L one socket serves both
 * sides and the source address (exactly -a or -b) tells them apart. A
 * datagram from any other source is ignored (counted, reported at exit).
 * The two sockets may differ in family: A on IPv4, B on IPv6.
 *
 * Example, the relay in a middle namespace with a leg to each host:
 *   chaos-relay -l 192.0.2.1:51000 -a 192.0.2.2:51820 \
 *               -L 198.51.100.1:51000 -b 198.51.100.2:51820 --loss 5 --seed 1
 * with endpoint = "192.0.2.1:51000" in A's peer section of ovpn.conf and
 * endpoint = "198.51.100.1:51000" in B's.
 *
 * Pipeline, per direction, every random choice made on arrival from that
 * direction's PRNG stream (both derived from --seed), so a run depends only
 * on the order datagrams arrive in:
 *   loss -> corrupt -> [original, duplicate?, replay?] -> reorder window
 *        -> delay queue (FIFO: jitter never reorders) -> batched send.
 * Replay copies come from a ring of the last --history datagrams passed on
 * (as corrupted, if they were), at most 64 MiB.
 * Held datagrams are capped (--max-held per direction, and 64 MiB); beyond
 * the cap they are dropped and counted, as are datagrams the socket would
 * not take: the relay never blocks. Datagrams the kernel itself dropped
 * on a full receive buffer never reach the relay; their count is logged at
 * exit ("kernel dropped N").
 *
 * Statistics (stdout, at SIGTERM/SIGINT or --duration), one line a
 * direction, key=value:
 *   a2b received= forwarded= lost= duplicated= reordered= corrupted=
 *       replayed= delayed= dropped=
 * forwarded counts every datagram sent (originals and copies), so
 *   received - lost + duplicated + replayed = forwarded + dropped.
 * reordered counts datagrams that left the window while one that arrived
 * before them was still held (each overtook at least one); delayed those
 * that waited in the delay queue.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "sockstat.h"
#include "timerq.h"
#include "udp.h"

#define NS_PER_MS 1000000ULL
#define MAX_DATAGRAM 65536
#define RECV_BATCHES 8		/* batches read per socket per wake-up */
#define HELD_BYTES_MAX (64u << 20)
#define REORDER_MAX 1024
#define HISTORY_MAX 65536
#define HIST_BYTES_MAX (64u << 20)	/* history beyond it is not recorded */

enum { A2B, B2A, NDIR };
static const char *const dir_name[NDIR] = { "a2b", "b2a" };

/* Impairments of one direction; percentages as probabilities 0..1. */
struct impair {
	double loss, dup, corrupt, replay;
	unsigned reorder;		/* window depth, 0 = off */
	uint64_t delay_ns, jitter_ns;
};

struct stats {
	uint64_t received, forwarded, lost, duplicated, reordered, corrupted,
		 replayed, delayed, dropped;
};

struct item {
	struct item *next;
	uint64_t since;			/* entered the reorder window */
	uint64_t deadline;		/* leaves the delay queue */
	uint64_t delay_ns;		/* drawn on arrival */
	size_t len;
	uint8_t data[];
};

struct dir {
	struct impair imp;
	struct stats st;
	uint64_t rng[4];		/* xoshiro256** state */
	int out_fd;			/* socket to send from */
	struct endpoint to;
	/* reorder window, oldest first */
	struct item **win;
	unsigned nwin;
	/* delay queue, deadlines non-decreasing */
	struct item *dq_head, *dq_tail;
	/* ready to send */
	struct item *out[UDP_BATCH_MAX];
	unsigned nout;
	size_t held, held_bytes;
	/* replay history: ring of copies of datagrams passed on */
	struct item **hist;
	size_t hist_cap, hist_len, hist_pos, hist_bytes;
};

struct relay {
	struct dir dir[NDIR];
	int fd[2];			/* A side, B side (-1 if one socket) */
	unsigned nfd;
	struct endpoint addr[2];	/* -a, -b */
	uint64_t reorder_hold_ns;
	size_t max_held;
	uint64_t foreign;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* xoshiro256**, seeded through splitmix64 */
static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(uint64_t s[4])
{
	uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

static void rng_seed(uint64_t s[4], uint64_t seed, unsigned stream)
{
	uint64_t x = seed ^ (0xa5a5a5a5a5a5a5a5ULL * (stream + 1));

	for (int i = 0; i < 4; i++)
		s[i] = splitmix64(&x);
}

/* Uniform in [0, n). */
static uint64_t rng_below(uint64_t s[4], uint64_t n)
{
	return n ? rng_next(s) % n : 0;
}

/* True with probability p; draws nothing when p is 0, so an impairment
 * that is off does not shift the others' random choices. */
static bool rng_chance(uint64_t s[4], double p)
{
	if (p <= 0)
		return false;
	return (double)(rng_next(s) >> 11) * 0x1.0p-53 < p;
}

/* ---- items and caps ---- */

static struct item *item_new(struct relay *r, struct dir *d,
			     const uint8_t *data, size_t len)
{
	struct item *it;

	if (d->held >= r->max_held || d->held_bytes + len > HELD_BYTES_MAX) {
		d->st.dropped++;
		return NULL;
	}
	it = malloc(sizeof(*it) + len);
	if (!it) {
		d->st.dropped++;
		return NULL;
	}
	memset(it, 0, sizeof(*it));
	memcpy(it->data, data, len);
	it->len = len;
	d->held++;
	d->held_bytes += len;
	return it;
}

static void item_free(struct dir *d, struct item *it)
{
	d->held--;
	d->held_bytes -= it->len;
	free(it);
}

/* ---- history ring: copies of what went on towards the wire (after
 * corruption), recorded on arrival so a replay depends only on the arrival
 * order; not counted as held, bounded by --history and 64 MiB ---- */

static void hist_record(struct dir *d, const struct item *it)
{
	struct item **slot = &d->hist[d->hist_pos];
	size_t bytes = d->hist_bytes - (*slot ? (*slot)->len : 0) + it->len;
	struct item *h;

	if (!d->hist_cap || bytes > HIST_BYTES_MAX)
		return;
	h = malloc(sizeof(*h) + it->len);
	if (!h)
		return;
	memcpy(h->data, it->data, it->len);
	h->len = it->len;
	free(*slot);
	*slot = h;
	d->hist_bytes = bytes;
	d->hist_pos = (d->hist_pos + 1) % d->hist_cap;
	if (d->hist_len < d->hist_cap)
		d->hist_len++;
}

static const struct item *hist_pick(struct dir *d)
{
	size_t back;

	if (!d->hist_len)
		return NULL;
	back = (size_t)rng_below(d->rng, d->hist_len) + 1;
	return d->hist[(d->hist_pos + d->hist_cap - back) % d->hist_cap];
}

/* ---- output: batched, never blocking ---- */

static void out_flush(struct dir *d)
{
	static struct udp_batch batch;
	struct udp_pkt pkts[UDP_BATCH_MAX];
	unsigned done = 0;
	int n;

	for (unsigned i = 0; i < d->nout; i++) {
		pkts[i].buf = d->out[i]->data;
		pkts[i].len = d->out[i]->len;
		pkts[i].cap = d->out[i]->len;
		endpoint_copy(&pkts[i].ep, &d->to);
	}
	while (done < d->nout) {
		n = udp_send_batch(d->out_fd, &batch, pkts + done, d->nout - done);
		if (n == 0)		/* socket buffer full: drop the rest */
			break;
		if (n < 0) {		/* this one failed (logged): skip it */
			d->st.dropped++;
			done++;
			continue;
		}
		d->st.forwarded += (unsigned)n;
		done += (unsigned)n;
	}
	d->st.dropped += d->nout - done;
	for (unsigned i = 0; i < d->nout; i++)
		item_free(d, d->out[i]);
	d->nout = 0;
}

static void out_push(struct dir *d, struct item *it)
{
	d->out[d->nout++] = it;
	if (d->nout == UDP_BATCH_MAX)
		out_flush(d);
}

/* ---- delay queue ---- */

static void delay_push(struct dir *d, struct item *it, uint64_t now)
{
	uint64_t deadline = now + it->delay_ns;

	if (d->dq_tail && d->dq_tail->deadline > deadline)
		deadline = d->dq_tail->deadline;	/* keep FIFO order */
	if (deadline <= now && !d->dq_head) {
		out_push(d, it);
		return;
	}
	if (deadline > now)
		d->st.delayed++;
	it->deadline = deadline;
	it->next = NULL;
	if (d->dq_tail)
		d->dq_tail->next = it;
	else
		d->dq_head = it;
	d->dq_tail = it;
}

static void delay_run(struct dir *d, uint64_t now)
{
	while (d->dq_head && d->dq_head->deadline <= now) {
		struct item *it = d->dq_head;

		d->dq_head = it->next;
		if (!d->dq_head)
			d->dq_tail = NULL;
		out_push(d, it);
	}
}

/* ---- reorder window ---- */

static void win_release(struct dir *d, unsigned i, uint64_t now)
{
	struct item *it = d->win[i];

	if (i > 0)		/* overtakes an earlier datagram still held */
		d->st.reordered++;
	memmove(&d->win[i], &d->win[i + 1], (d->nwin - i - 1) * sizeof(*d->win));
	d->nwin--;
	delay_push(d, it, now);
}

/* A full window releases one datagram at random; the newcomer is a
 * candidate too, so even depth 1 swaps neighbours. */
static void reorder_push(struct dir *d, struct item *it, uint64_t now)
{
	if (!d->imp.reorder) {
		delay_push(d, it, now);
		return;
	}
	it->since = now;
	d->win[d->nwin++] = it;
	if (d->nwin > d->imp.reorder)
		win_release(d, (unsigned)rng_below(d->rng, d->nwin), now);
}

/* Datagrams held longer than the hold time leave oldest first, so a
 * window never strands the last datagrams of a burst. */
static void reorder_run(struct relay *r, struct dir *d, uint64_t now)
{
	while (d->nwin && d->win[0]->since + r->reorder_hold_ns <= now)
		win_release(d, 0, now);
}

/* ---- arrival ---- */

static void corrupt(struct dir *d, struct item *it)
{
	unsigned bits = 1 + (unsigned)rng_below(d->rng, 3);
	size_t at = (size_t)rng_below(d->rng, it->len);
	uint8_t mask = 0;

	while (__builtin_popcount(mask) < (int)bits)
		mask |= (uint8_t)(1u << rng_below(d->rng, 8));
	it->data[at] ^= mask;
}

static uint64_t draw_delay(struct dir *d)
{
	const struct impair *imp = &d->imp;
	int64_t ns = (int64_t)imp->delay_ns;

	if (imp->jitter_ns)
		ns += (int64_t)rng_below(d->rng, 2 * imp->jitter_ns + 1) -
		      (int64_t)imp->jitter_ns;
	return ns > 0 ? (uint64_t)ns : 0;
}

static void enqueue(struct dir *d, struct item *it, uint64_t now)
{
	it->delay_ns = draw_delay(d);
	reorder_push(d, it, now);
}

/* Every decision for one datagram, in a fixed order. */
static void arrive(struct relay *r, struct dir *d, const uint8_t *buf,
		   size_t len, uint64_t now)
{
	const struct impair *imp = &d->imp;
	struct item *it, *dup = NULL, *replay = NULL;
	const struct item *old;

	d->st.received++;
	if (rng_chance(d->rng, imp->loss)) {
		d->st.lost++;
		return;
	}
	it = item_new(r, d, buf, len);
	if (it && len && rng_chance(d->rng, imp->corrupt)) {
		corrupt(d, it);
		d->st.corrupted++;
	}
	/* Copies are made before anything is queued: queueing may send and
	 * free it, recording may free the history entry picked. */
	if (rng_chance(d->rng, imp->dup)) {
		d->st.duplicated++;
		if (it)
			dup = item_new(r, d, it->data, it->len);
		else
			d->st.dropped++;	/* the copy of a dropped original */
	}
	if (rng_chance(d->rng, imp->replay) && (old = hist_pick(d))) {
		d->st.replayed++;
		replay = item_new(r, d, old->data, old->len);
	}
	if (it) {
		hist_record(d, it);
		enqueue(d, it, now);
	}
	if (dup)
		enqueue(d, dup, now);
	if (replay)
		enqueue(d, replay, now);
}

/* ---- sockets ---- */

static int sock_open(const struct endpoint *ep)
{
	int fd, one = 1;
	char s[ENDPOINT_STRLEN];

	fd = socket(ep->sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	if (ep->sa.sa_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
		goto fail;
	sockstat_bufs(fd);
	if (bind(fd, &ep->sa, endpoint_len(ep)))
		goto fail;
	return fd;
fail:
	log_err("listen on %s: %s", endpoint_format(ep, s, sizeof(s)), strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

static const char *sock_name(int fd, char *buf, size_t len)
{
	struct endpoint ep = { 0 };
	socklen_t sl = sizeof(ep);

	if (getsockname(fd, &ep.sa, &sl))
		memset(&ep, 0, sizeof(ep));
	return endpoint_format(&ep, buf, len);
}

/* Which direction a datagram from src on socket side belongs to, -1 if
 * it comes from neither side. */
static int classify(const struct relay *r, unsigned side,
		    const struct endpoint *src)
{
	if (r->nfd == 2)
		return endpoint_eq(src, &r->addr[side]) ? (int)side : -1;
	if (endpoint_eq(src, &r->addr[0]))
		return A2B;
	if (endpoint_eq(src, &r->addr[1]))
		return B2A;
	return -1;
}

static void sock_read(struct relay *r, unsigned side, uint64_t now)
{
	static uint8_t bufs[UDP_BATCH_MAX][MAX_DATAGRAM];
	static struct udp_batch batch;
	struct udp_pkt pkts[UDP_BATCH_MAX];
	int n = UDP_BATCH_MAX;

	for (int round = 0; round < RECV_BATCHES && n == UDP_BATCH_MAX; round++) {
		for (int i = 0; i < UDP_BATCH_MAX; i++) {
			pkts[i].buf = bufs[i];
			pkts[i].cap = sizeof(bufs[i]);
		}
		n = udp_recv_batch(r->fd[side], &batch, pkts, UDP_BATCH_MAX);
		for (int i = 0; i < n; i++) {
			int dir = classify(r, side, &pkts[i].ep);

			if (dir < 0)
				r->foreign++;
			else
				arrive(r, &r->dir[dir], pkts[i].buf, pkts[i].len, now);
		}
	}
}

/* ---- main loop ---- */

static uint64_t next_deadline(const struct relay *r, uint64_t end)
{
	uint64_t t = end;

	for (int i = 0; i < NDIR; i++) {
		const struct dir *d = &r->dir[i];

		if (d->dq_head && d->dq_head->deadline < t)
			t = d->dq_head->deadline;
		if (d->nwin && d->win[0]->since + r->reorder_hold_ns < t)
			t = d->win[0]->since + r->reorder_hold_ns;
	}
	return t;
}

static void run_timers(struct relay *r, uint64_t now)
{
	for (int i = 0; i < NDIR; i++) {
		reorder_run(r, &r->dir[i], now);
		delay_run(&r->dir[i], now);
		out_flush(&r->dir[i]);
	}
}

static int relay_loop(struct relay *r, uint64_t end, const sigset_t *waitmask)
{
	struct pollfd pfd[2];

	for (unsigned i = 0; i < r->nfd; i++)
		pfd[i] = (struct pollfd){ .fd = r->fd[i], .events = POLLIN };
	while (!stop_signal) {
		uint64_t now = timerq_now(), wake;
		struct timespec ts;
		int n;

		run_timers(r, now);
		if (now >= end)
			break;
		wake = next_deadline(r, end) - now;
		ts.tv_sec = (time_t)(wake / 1000000000ULL);
		ts.tv_nsec = (long)(wake % 1000000000ULL);
		n = ppoll(pfd, r->nfd, &ts, waitmask);
		if (n < 0 && errno != EINTR) {
			log_err("ppoll: %s", strerror(errno));
			return -1;
		}
		now = timerq_now();
		for (unsigned i = 0; n > 0 && i < r->nfd; i++)
			if (pfd[i].revents)
				sock_read(r, i, now);
		for (int i = 0; i < NDIR; i++)
			out_flush(&r->dir[i]);
	}
	return 0;
}

/* Held datagrams at exit are dropped and counted, so the books balance. */
static void relay_drain(struct relay *r)
{
	for (int i = 0; i < NDIR; i++) {
		struct dir *d = &r->dir[i];

		while (d->nwin) {
			item_free(d, d->win[--d->nwin]);
			d->st.dropped++;
		}
		while (d->dq_head) {
			struct item *it = d->dq_head;

			d->dq_head = it->next;
			item_free(d, it);
			d->st.dropped++;
		}
		d->dq_tail = NULL;
		for (size_t j = 0; j < d->hist_cap; j++)
			free(d->hist[j]);
		free(d->hist);
		free(d->win);
	}
}

static void print_stats(const struct relay *r)
{
	for (int i = 0; i < NDIR; i++) {
		const struct stats *s = &r->dir[i].st;

		printf("%s received=%llu forwarded=%llu lost=%llu duplicated=%llu "
		       "reordered=%llu corrupted=%llu replayed=%llu delayed=%llu "
		       "dropped=%llu\n", dir_name[i],
		       (unsigned long long)s->received, (unsigned long long)s->forwarded,
		       (unsigned long long)s->lost, (unsigned long long)s->duplicated,
		       (unsigned long long)s->reordered, (unsigned long long)s->corrupted,
		       (unsigned long long)s->replayed, (unsigned long long)s->delayed,
		       (unsigned long long)s->dropped);
	}
	fflush(stdout);
	if (r->foreign)
		log_warn("ignored %llu datagrams from unknown sources",
			 (unsigned long long)r->foreign);
	for (unsigned i = 0; i < r->nfd; i++) {
		uint32_t n = sockstat_drops(r->fd[i]);
		char s[ENDPOINT_STRLEN];

		if (n)
			log_warn("kernel dropped %u datagrams arriving at %s "
				 "(host overloaded; not in the statistics)", n,
				 sock_name(r->fd[i], s, sizeof(s)));
	}
}

/* ---- command line ---- */

static void usage(FILE *f)
{
	fprintf(f,
"usage: chaos-relay -l ADDR:PORT [-L ADDR:PORT] -a ADDR:PORT -b ADDR:PORT [options]\n"
"  -l, --listen     socket side A sends to (and the relay sends to A from)\n"
"  -L, --listen-b   socket side B sends to; without it -l serves both sides\n"
"  -a, --side-a     address of side A      -b, --side-b  address of side B\n"
"  IPv6 addresses in brackets: [::1]:5000. Port 0 in -l/-L: any free port.\n"
"Impairments take V for both directions or AB,BA for each:\n"
"  --loss P  --dup P  --corrupt P  --replay P     percent, 0..100\n"
"  --reorder DEPTH     hold up to DEPTH datagrams, release in random order\n"
"  --delay MS  --jitter MS    latency; jitter never reorders (FIFO)\n"
"Other:\n"
"  --seed N            PRNG seed (default random, printed on stderr)\n"
"  --duration S        exit after S seconds (default 60, at most 86400)\n"
"  --history N         datagrams kept for --replay (default 1024)\n"
"  --reorder-hold MS   longest a datagram waits in the window (default 100)\n"
"  --max-held N        datagrams held per direction (default 10000)\n"
"Statistics go to stdout at exit, one line per direction (a2b, b2a).\n");
}

enum {
	OPT_LOSS = 256, OPT_DUP, OPT_CORRUPT, OPT_REPLAY, OPT_REORDER,
	OPT_DELAY, OPT_JITTER, OPT_SEED, OPT_DURATION, OPT_HISTORY,
	OPT_HOLD, OPT_MAXHELD,
};

static const struct option long_opts[] = {
	{ "listen", required_argument, NULL, 'l' },
	{ "listen-b", required_argument, NULL, 'L' },
	{ "side-a", required_argument, NULL, 'a' },
	{ "side-b", required_argument, NULL, 'b' },
	{ "loss", required_argument, NULL, OPT_LOSS },
	{ "dup", required_argument, NULL, OPT_DUP },
	{ "corrupt", required_argument, NULL, OPT_CORRUPT },
	{ "replay", required_argument, NULL, OPT_REPLAY },
	{ "reorder", required_argument, NULL, OPT_REORDER },
	{ "delay", required_argument, NULL, OPT_DELAY },
	{ "jitter", required_argument, NULL, OPT_JITTER },
	{ "seed", required_argument, NULL, OPT_SEED },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "history", required_argument, NULL, OPT_HISTORY },
	{ "reorder-hold", required_argument, NULL, OPT_HOLD },
	{ "max-held", required_argument, NULL, OPT_MAXHELD },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* A whole number or decimal in [lo, hi], up to stop (or the end). */
static bool num_ok(const char *s, char stop, double lo, double hi, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end != stop || !isfinite(v) || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static int parse_num(const char *opt, const char *s, double lo, double hi,
		     double *out)
{
	if (num_ok(s, '\0', lo, hi, out))
		return 0;
	log_err("%s: `%s' is not a number from %g to %g", opt, s, lo, hi);
	return -1;
}

static int parse_count(const char *opt, const char *s, double lo, double hi,
			double *out)
{
	if (num_ok(s, '\0', lo, hi, out) && *out == (double)(uint64_t)*out)
		return 0;
	log_err("%s: `%s' is not a whole number from %g to %g", opt, s, lo, hi);
	return -1;
}

/* "V" for both directions or "AB,BA"; 0 or -1 (logged). */
static int parse_pair(const char *opt, const char *s, double lo, double hi,
		      double out[NDIR])
{
	const char *comma = strchr(s, ',');

	if (!comma && num_ok(s, '\0', lo, hi, &out[A2B])) {
		out[B2A] = out[A2B];
		return 0;
	}
	if (comma && num_ok(s, ',', lo, hi, &out[A2B]) &&
	    num_ok(comma + 1, '\0', lo, hi, &out[B2A]))
		return 0;
	log_err("%s: `%s' is not a number from %g to %g, or two as A->B,B->A",
		opt, s, lo, hi);
	return -1;
}

static bool numeric_host(const char *host)
{
	char buf[INET6_ADDRSTRLEN + 1];
	struct in6_addr a6;
	size_t n = strlen(host);

	if (host[0] == '[') {
		if (n < 3 || host[n - 1] != ']' || n - 2 >= sizeof(buf))
			return false;
		memcpy(buf, host + 1, n - 2);
		buf[n - 2] = '\0';
		return inet_pton(AF_INET6, buf, &a6) == 1;
	}
	return inet_pton(AF_INET, host, &a6) == 1;
}

/* ADDR:PORT, [V6]:PORT; numeric addresses only (no DNS in a test tool). */
static int parse_endpoint(const char *opt, const char *s, struct endpoint *ep)
{
	const char *colon = strrchr(s, ':');
	char host[INET6_ADDRSTRLEN + 3], *end;
	unsigned long port;
	size_t n;

	if (!colon || colon == s)
		goto bad;
	n = (size_t)(colon - s);
	if (n >= sizeof(host) || (memchr(s, ':', n) && s[0] != '['))
		goto bad;
	memcpy(host, s, n);
	host[n] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || port > 65535)
		goto bad;
	if (!numeric_host(host) || udp_resolve(host, (uint16_t)port, ep))
		goto bad;
	return 0;
bad:
	log_err("%s: `%s' is not ADDR:PORT (IPv6 as [ADDR]:PORT)", opt, s);
	return -1;
}

struct config {
	struct endpoint listen[2], side[2];
	bool have[4];			/* -l -L -a -b */
	double pct[4][NDIR];		/* loss dup corrupt replay */
	double reorder[NDIR], delay[NDIR], jitter[NDIR];
	double duration, history, hold, max_held;
	uint64_t seed;
	bool have_seed;
};

static int parse_seed(const char *s, struct config *c)
{
	char *end;

	errno = 0;
	c->seed = strtoull(s, &end, 0);
	if (errno || end == s || *end || s[0] == '-') {
		log_err("--seed: `%s' is not a number", s);
		return -1;
	}
	c->have_seed = true;
	return 0;
}

static int parse_opt(int opt, const char *arg, struct config *c)
{
	static const char *const pct_name[] = { "--loss", "--dup", "--corrupt", "--replay" };

	switch (opt) {
	case 'l': c->have[0] = true; return parse_endpoint("-l", arg, &c->listen[0]);
	case 'L': c->have[1] = true; return parse_endpoint("-L", arg, &c->listen[1]);
	case 'a': c->have[2] = true; return parse_endpoint("-a", arg, &c->side[0]);
	case 'b': c->have[3] = true; return parse_endpoint("-b", arg, &c->side[1]);
	case OPT_LOSS: case OPT_DUP: case OPT_CORRUPT: case OPT_REPLAY:
		return parse_pair(pct_name[opt - OPT_LOSS], arg, 0, 100,
				  c->pct[opt - OPT_LOSS]);
	case OPT_REORDER:
		if (parse_pair("--reorder", arg, 0, REORDER_MAX, c->reorder))
			return -1;
		if (c->reorder[A2B] != (unsigned)c->reorder[A2B] ||
		    c->reorder[B2A] != (unsigned)c->reorder[B2A]) {
			log_err("--reorder: `%s' is not a whole number", arg);
			return -1;
		}
		return 0;
	case OPT_DELAY: return parse_pair("--delay", arg, 0, 60000, c->delay);
	case OPT_JITTER: return parse_pair("--jitter", arg, 0, 60000, c->jitter);
	case OPT_SEED: return parse_seed(arg, c);
	case OPT_DURATION: return parse_num("--duration", arg, 0.001, 86400, &c->duration);
	case OPT_HISTORY: return parse_count("--history", arg, 1, HISTORY_MAX, &c->history);
	case OPT_HOLD: return parse_num("--reorder-hold", arg, 1, 60000, &c->hold);
	case OPT_MAXHELD: return parse_count("--max-held", arg, 1, 1000000, &c->max_held);
	case 'h': usage(stdout); exit(0);
	default: return -1;
	}
}

static int check_config(const struct config *c)
{
	static const char *const name[] = { "-l", "-L", "-a", "-b" };
	char s1[ENDPOINT_STRLEN], s2[ENDPOINT_STRLEN];
	unsigned side_sock[2] = { 0, c->have[1] ? 1 : 0 };

	for (int i = 0; i < 4; i++)
		if (i != 1 && !c->have[i]) {
			log_err("%s is required", name[i]);
			return -1;
		}
	for (int i = 0; i < 2; i++) {
		const struct endpoint *l = &c->listen[side_sock[i]];

		if (l->sa.sa_family != c->side[i].sa.sa_family) {
			log_err("side %c %s cannot be reached from %s (IPv4 and IPv6 mixed)",
				'A' + i, endpoint_format(&c->side[i], s1, sizeof(s1)),
				endpoint_format(l, s2, sizeof(s2)));
			return -1;
		}
	}
	if (!c->have[1] && endpoint_eq(&c->side[0], &c->side[1])) {
		log_err("with one socket, -a and -b must differ (both %s)",
			endpoint_format(&c->side[0], s1, sizeof(s1)));
		return -1;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct config *c)
{
	int opt;

	memset(c, 0, sizeof(*c));
	c->duration = 60;
	c->history = 1024;
	c->hold = 100;
	c->max_held = 10000;
	while ((opt = getopt_long(argc, argv, "l:L:a:b:h", long_opts, NULL)) != -1)
		if (parse_opt(opt, optarg, c))
			return -1;
	if (optind < argc) {
		log_err("unexpected argument `%s'", argv[optind]);
		return -1;
	}
	return check_config(c);
}

/* ---- setup ---- */

/* Values are range-checked and non-negative: no libm needed. */
static uint64_t ms_to_ns(double ms)
{
	return (uint64_t)(ms * (double)NS_PER_MS + 0.5);
}

static int dir_init(struct relay *r, const struct config *c, int i)
{
	struct dir *d = &r->dir[i];
	struct impair *imp = &d->imp;

	imp->loss = c->pct[0][i] / 100;
	imp->dup = c->pct[1][i] / 100;
	imp->corrupt = c->pct[2][i] / 100;
	imp->replay = c->pct[3][i] / 100;
	imp->reorder = (unsigned)c->reorder[i];
	imp->delay_ns = ms_to_ns(c->delay[i]);
	imp->jitter_ns = ms_to_ns(c->jitter[i]);
	rng_seed(d->rng, c->seed, (unsigned)i);
	/* A2B arrives on A's socket and leaves from B's */
	d->out_fd = r->fd[i == A2B ? r->nfd - 1 : 0];
	endpoint_copy(&d->to, &c->side[i == A2B ? 1 : 0]);
	d->win = calloc(imp->reorder + 1, sizeof(*d->win));
	d->hist_cap = imp->replay > 0 ? (size_t)c->history : 0;
	d->hist = calloc(d->hist_cap + 1, sizeof(*d->hist));
	if (!d->win || !d->hist) {
		log_err("out of memory");
		return -1;
	}
	return 0;
}

static int relay_init(struct relay *r, const struct config *c)
{
	char s[4][ENDPOINT_STRLEN];

	memset(r, 0, sizeof(*r));
	r->nfd = c->have[1] ? 2 : 1;
	r->fd[0] = r->fd[1] = -1;
	for (unsigned i = 0; i < r->nfd; i++)
		if ((r->fd[i] = sock_open(&c->listen[i])) < 0)
			return -1;
	endpoint_copy(&r->addr[0], &c->side[0]);
	endpoint_copy(&r->addr[1], &c->side[1]);
	r->reorder_hold_ns = ms_to_ns(c->hold);
	r->max_held = (size_t)c->max_held;
	for (int i = 0; i < NDIR; i++)
		if (dir_init(r, c, i))
			return -1;
	/* the test scripts wait for this line */
	log_info("relaying A %s <-> %s, B %s <-> %s, seed %llu",
		 endpoint_format(&c->side[0], s[0], sizeof(s[0])),
		 sock_name(r->fd[0], s[1], sizeof(s[1])),
		 endpoint_format(&c->side[1], s[2], sizeof(s[2])),
		 sock_name(r->fd[r->nfd - 1], s[3], sizeof(s[3])),
		 (unsigned long long)c->seed);
	return 0;
}

static int signals_init(sigset_t *waitmask)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	/* blocked except inside ppoll: no signal is lost between checks */
	if (sigprocmask(SIG_BLOCK, &block, waitmask) ||
	    sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL)) {
		log_err("signals: %s", strerror(errno));
		return -1;
	}
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
	return 0;
}

int main(int argc, char **argv)
{
	static struct relay r;
	struct config c;
	sigset_t waitmask;
	int ret = 1;

	log_set_ident("chaos-relay");
	if (parse_args(argc, argv, &c)) {
		usage(stderr);
		return 2;
	}
	if (!c.have_seed && getrandom(&c.seed, sizeof(c.seed), 0) != sizeof(c.seed))
		c.seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	if (signals_init(&waitmask) || relay_init(&r, &c))
		goto out;
	if (relay_loop(&r, timerq_now() + ms_to_ns(c.duration * 1000),
		       &waitmask) == 0)
		ret = 0;
	relay_drain(&r);
	print_stats(&r);
out:
	for (unsigned i = 0; i < r.nfd; i++)
		if (r.fd[i] >= 0)
			close(r.fd[i]);
	return ret;
}

/* SPDX-License-Identifier: ISC */
/* timerq: heap order under random add/update/remove, checked against a
 * plain array; edge cases of the poll timeout; timerq_run's dispatch; the
 * clock (CLOCK_BOOTTIME, checked in a time namespace). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "timerq.h"
#include "tap.h"

#define N 500

static struct timer timers[N];
static uint64_t want[N];	/* reference: deadline, or 0 = not queued */

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint64_t ref_min(void)
{
	uint64_t m = TIMERQ_NONE;

	for (int i = 0; i < N; i++)
		if (want[i] && want[i] < m)
			m = want[i];
	return m;
}

static void basics(void)
{
	struct timerq q;
	struct timer a, b, c;

	CHECK_EQ(timerq_init(&q, 2), 0);
	timer_init(&a, NULL);
	timer_init(&b, NULL);
	timer_init(&c, NULL);
	CHECK_EQ(timerq_next(&q), TIMERQ_NONE);
	CHECK_EQ(timerq_timeout_ms(&q, 0), -1);
	CHECK_EQ(timerq_pop_due(&q, UINT64_MAX - 1), NULL);
	CHECK_EQ(timerq_set(&q, &a, 5000000), 0);
	CHECK(timer_pending(&a) && !timer_pending(&b));
	CHECK_EQ(timerq_set(&q, &b, 3000001), 0);
	CHECK_EQ(timerq_set(&q, &c, 1), -1);	/* full */
	CHECK(!timer_pending(&c));
	CHECK_EQ(timerq_next(&q), 3000001);
	CHECK_EQ(timerq_timeout_ms(&q, 0), 4);	/* 3.000001 ms rounds up */
	CHECK_EQ(timerq_timeout_ms(&q, 3000001), 0);
	CHECK_EQ(timerq_timeout_ms(&q, 9000000), 0);
	CHECK_EQ(timerq_pop_due(&q, 3000000), NULL);
	CHECK_EQ(timerq_set(&q, &b, 7000000), 0);	/* update, still 2 */
	CHECK_EQ(timerq_next(&q), 5000000);
	CHECK(timerq_pop_due(&q, 8000000) == &a);
	CHECK(!timer_pending(&a));
	CHECK(timerq_pop_due(&q, 8000000) == &b);
	CHECK_EQ(timerq_pop_due(&q, 8000000), NULL);
	timerq_remove(&q, &b);			/* not queued: no-op */
	CHECK_EQ(timerq_set(&q, &c, UINT64_MAX - 1), 0);
	CHECK_EQ(timerq_timeout_ms(&q, 0), INT_MAX);
	CHECK_EQ(timerq_reserve(&q, 3), 0);
	CHECK_EQ(timerq_set(&q, &a, 1), 0);
	CHECK_EQ(timerq_set(&q, &b, 2), 0);
	timerq_free(&q);
	CHECK(!timer_pending(&a) && !timer_pending(&c));
	CHECK(timerq_now() > 0 && timerq_now() <= timerq_now());
}

static void randomized(void)
{
	struct timerq q;
	int bad_next = 0, bad_pos = 0, bad_pop = 0, bad_set = 0;

	CHECK_EQ(timerq_init(&q, N), 0);
	for (int i = 0; i < N; i++)
		timer_init(&timers[i], NULL);
	for (int step = 0; step < 200000; step++) {
		int i = (int)(rnd() % N);
		uint64_t d = 1 + rnd() % 1000000;

		if (rnd() % 3) {
			bad_set += timerq_set(&q, &timers[i], d) != 0;
			want[i] = d;
		} else {
			timerq_remove(&q, &timers[i]);
			want[i] = 0;
		}
		bad_next += timerq_next(&q) != ref_min();
		bad_pos += timer_pending(&timers[i]) != (want[i] != 0);
	}
	/* drain everything due by 500000 in order, then the rest */
	for (uint64_t now = 500000, last = 0;; now = UINT64_MAX - 1) {
		struct timer *t;

		while ((t = timerq_pop_due(&q, now))) {
			int i = (int)(t - timers);

			bad_pop += t->deadline < last || t->deadline > now ||
				   want[i] != t->deadline;
			last = t->deadline;
			want[i] = 0;
		}
		bad_next += timerq_next(&q) != ref_min();
		if (now == UINT64_MAX - 1)
			break;
	}
	CHECK_EQ(bad_set, 0);
	CHECK_EQ(bad_next, 0);
	CHECK_EQ(bad_pos, 0);
	CHECK_EQ(bad_pop, 0);
	CHECK(q.len == 0 && ref_min() == TIMERQ_NONE);
	timerq_free(&q);
}

/* timerq_run: due timers fire earliest first, each unqueued before its
 * callback; one that queues itself again stays for later. */
static struct timerq run_q;
static struct timer run_t[3];
static int run_order[8], run_n;

static void run_fire(struct timer *t, uint64_t now)
{
	int i = (int)(t - run_t);

	if (run_n < 8)
		run_order[run_n++] = i;
	CHECK(!timer_pending(t));
	if (i == 1)
		timerq_set(&run_q, t, now + 100);
}

static void run_dispatch(void)
{
	CHECK(timerq_init(&run_q, 3) == 0);
	for (int i = 0; i < 3; i++)
		timer_init(&run_t[i], run_fire);
	timerq_set(&run_q, &run_t[0], 30);
	timerq_set(&run_q, &run_t[1], 10);
	timerq_set(&run_q, &run_t[2], 50);
	CHECK(timerq_run(&run_q, 40) == 2);
	CHECK(run_n == 2 && run_order[0] == 1 && run_order[1] == 0);
	CHECK(timer_pending(&run_t[1]) && run_t[1].deadline == 140);
	CHECK(!timer_pending(&run_t[0]) && timer_pending(&run_t[2]));
	CHECK(timerq_run(&run_q, 40) == 0);
	CHECK(timerq_run(&run_q, 140) == 2);	/* 50 then 140 */
	CHECK(run_n == 4 && run_order[2] == 2 && run_order[3] == 1);
	timerq_free(&run_q);
}

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* timerq_now between two reads of CLOCK_BOOTTIME, and at least ahead_ns
 * past CLOCK_MONOTONIC. */
static int clock_child(uint64_t ahead_ns)
{
	uint64_t t0 = clock_ns(CLOCK_BOOTTIME), now = timerq_now();
	uint64_t t1 = clock_ns(CLOCK_BOOTTIME), mono = clock_ns(CLOCK_MONOTONIC);

	if (now < t0 || now > t1 || now < mono || now - mono < ahead_ns) {
		fprintf(stderr, "timerq_now %llu: boottime %llu..%llu, monotonic %llu\n",
			(unsigned long long)now, (unsigned long long)t0,
			(unsigned long long)t1, (unsigned long long)mono);
		return 1;
	}
	return 0;
}

/* In a time namespace whose boot clock is a day ahead of its monotonic
 * clock (as after a day of suspend), timerq_now must read the boot clock. */
static void clock_boottime(void)
{
	static const char offsets[] = "boottime 86400 0\n";
	int fd, status = -1;
	pid_t pid;

	if (geteuid() != 0) {
		/* No time namespace without root: the boot and monotonic
		 * clocks may be equal, so this alone proves little. */
		fprintf(stderr, "not root: clock checked outside a time namespace\n");
		CHECK(clock_child(0) == 0);
		return;
	}
	CHECK(unshare(CLONE_NEWTIME) == 0);
	fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
	CHECK(fd >= 0 && write(fd, offsets, sizeof(offsets) - 1) == (ssize_t)sizeof(offsets) - 1);
	if (fd >= 0)
		close(fd);
	pid = fork();	/* only children enter the new namespace */
	if (pid == 0)
		_exit(clock_child(UINT64_C(86000) * 1000000000u));
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
	RUN(basics());
	RUN(randomized());
	RUN(run_dispatch());
	RUN(clock_boottime());
	return tap_done();
}

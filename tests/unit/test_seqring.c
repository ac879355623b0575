/* SPDX-License-Identifier: ISC */
/* seqring: packets queued with counters in order, "sealed" by three
 * threads in whatever order they finish (some slower on purpose), come
 * out in counter order, each once; a full ring refuses; a worker's
 * failure reaches the consumer. */
#include "config.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#include "seqring.h"
#include "tap.h"

#define N 200000
#define SIZE 64

static struct seqring ring;
static atomic_bool stop;

static void *worker(void *arg)
{
	unsigned id = (unsigned)(uintptr_t)arg;

	while (!atomic_load(&stop)) {
		struct seqring_slot *s = seqring_take(&ring);

		if (!s) {
			sched_yield();
			continue;
		}
		/* every 7th slot of worker 0 is slow: later ones finish first */
		if (id == 0 && s->counter % 7 == 0) {
			struct timespec ts = { 0, 2000 };

			nanosleep(&ts, NULL);
		}
		s->buf[0] = (uint8_t)(s->counter * 3);	/* the "seal" */
		seqring_done(s, s->counter == N - 1 ? -1 : 0);
	}
	return NULL;
}

static void test_threads(void)
{
	static uint8_t bufs[SIZE][1];
	pthread_t th[3];
	unsigned long queued = 0, out = 0;
	int bad = 0, last_ret = 0;

	CHECK_EQ(seqring_init(&ring, SIZE), 0);
	atomic_init(&stop, false);
	for (uintptr_t i = 0; i < 3; i++)
		CHECK_EQ(pthread_create(&th[i], NULL, worker, (void *)i), 0);
	while (out < N) {
		struct seqring_slot *s;

		while (queued < N && seqring_push(&ring, bufs[queued % SIZE], 1, queued))
			queued++;
		while ((s = seqring_next(&ring))) {
			bad += s->counter != out || s->buf[0] != (uint8_t)(out * 3);
			last_ret = s->ret;
			seqring_release(&ring);
			out++;
		}
	}
	atomic_store(&stop, true);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	CHECK_EQ(bad, 0);
	CHECK_EQ(queued, (unsigned long)N);
	CHECK_EQ(out, (unsigned long)N);
	CHECK_EQ(last_ret, -1);
	CHECK(!seqring_next(&ring));
	seqring_free(&ring);
}

static void test_full(void)
{
	uint8_t b[1];
	struct seqring_slot *s;

	CHECK_EQ(seqring_init(&ring, 6), -1);
	CHECK_EQ(seqring_init(&ring, 4), 0);
	for (uint64_t i = 0; i < 4; i++)
		CHECK(seqring_push(&ring, b, 1, i));
	CHECK(!seqring_push(&ring, b, 1, 4));
	CHECK(!seqring_next(&ring));		/* nothing sealed yet */
	s = seqring_take(&ring);
	CHECK_NE(s, NULL);
	if (!s)
		return;
	CHECK_EQ(s->counter, 0);
	seqring_done(seqring_take(&ring), 0);	/* counter 1 first */
	CHECK(!seqring_next(&ring));		/* 0 holds the line */
	seqring_done(s, 0);
	CHECK_NE(seqring_next(&ring), NULL);
	CHECK_EQ(seqring_next(&ring) ? seqring_next(&ring)->counter : UINT64_MAX, 0);
	seqring_release(&ring);
	CHECK_NE(seqring_next(&ring), NULL);
	CHECK_EQ(seqring_next(&ring) ? seqring_next(&ring)->counter : UINT64_MAX, 1);
	seqring_release(&ring);
	CHECK(seqring_push(&ring, b, 1, 4));	/* room again */
	seqring_free(&ring);
}

int main(void)
{
	RUN(test_full());
	RUN(test_threads());
	return tap_done();
}

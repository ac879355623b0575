/* SPDX-License-Identifier: ISC */
/* Batches sealed on the worker threads (sealer.h). */
#include "config.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "loop.h"
#include "sealer.h"
#include "secmem.h"

static void seal_job(void *ctx, unsigned worker, unsigned j)
{
	struct sealer *s = ctx;
	struct sealer_job *job = &s->jobs[j];
	struct aead *a;

	if (job->opened) {
		a = worker ? &s->entries[job->entry].clones[worker - 1] : &job->kp->recv_aead;
		*job->opened = keypair_open_at(a, job->buf, job->len) == 0;
		return;
	}
	a = worker ? &s->entries[job->entry].clones[worker - 1] : &job->kp->send_aead;
	if (keypair_seal_at(job->kp, a, job->counter, job->buf, job->len, job->mtu) < 0)
		*job->out_len = 0;
}

static void entry_wipe(struct sealer *s, struct sealer_entry *e)
{
	for (unsigned i = 0; i + 1 < s->pool.n; i++)
		aead_wipe(&e->clones[i]);
	e->kp = NULL;
}

/* Whether e's clones are of src's key as it is now (src in a live keypair:
 * the caller's). */
static bool entry_current(const struct sealer_entry *e, const struct aead *src)
{
	return e->src == src && e->clones[0].impl == src->impl &&
	       e->clones[0].decrypt == src->decrypt &&
	       sodium_memcmp(e->clones[0].key, src->key, AEAD_KEY_LEN) == 0;
}

void sealer_sweep(struct sealer *s)
{
	for (unsigned i = 0; i < SEALER_KEYPAIRS; i++) {
		struct sealer_entry *e = &s->entries[i];
		struct index_entry *ie;

		if (!e->kp)
			continue;
		/* Through the index table: a keypair freed with its peer is
		 * not read, only one still registered. */
		ie = index_table_lookup(s->indices, e->index, INDEX_KEYPAIR);
		if (!ie || container_of(ie, struct keypair, local) != e->kp ||
		    !e->kp->live || !entry_current(e, e->src))
			entry_wipe(s, e);
	}
}

static int entry_clone(struct sealer *s, struct sealer_entry *e, struct keypair *kp,
		       const struct aead *src)
{
	for (unsigned i = 0; i + 1 < s->pool.n; i++) {
		if (aead_clone(&e->clones[i], src) < 0) {
			entry_wipe(s, e);
			return -1;
		}
	}
	e->kp = kp;
	e->src = src;
	e->index = kp->local.index;
	return 0;
}

/* The entry whose clones seal kp's packets in this batch; -1 if none is
 * free (every entry is in use in this batch) or cloning failed. */
static int entry_find(struct sealer *s, struct keypair *kp, const struct aead *src)
{
	struct sealer_entry *e;

	for (unsigned i = 0; i < SEALER_KEYPAIRS; i++) {
		if (entry_current(&s->entries[i], src)) {
			s->entries[i].batch = s->batch;
			return (int)i;
		}
	}
	for (unsigned tries = 0; tries < SEALER_KEYPAIRS; tries++) {
		unsigned i = s->victim++ % SEALER_KEYPAIRS;

		e = &s->entries[i];
		if (e->kp && e->batch == s->batch)
			continue;
		if (e->kp)
			entry_wipe(s, e);
		if (entry_clone(s, e, kp, src) < 0)
			return -1;
		e->batch = s->batch;
		return (int)i;
	}
	return -1;
}

int sealer_add(struct sealer *s, const struct sealer_job *job)
{
	struct sealer_job *q;
	int entry;

	if (s->n_jobs == s->cap)
		return -1;
	if (s->n_jobs == 0) {	/* a new batch: no clone of an old key kept */
		s->batch++;
		sealer_sweep(s);
	}
	/* consecutive packets are mostly one peer's, one way */
	if (s->n_jobs && s->jobs[s->n_jobs - 1].kp == job->kp &&
	    !s->jobs[s->n_jobs - 1].opened == !job->opened)
		entry = (int)s->jobs[s->n_jobs - 1].entry;
	else
		entry = entry_find(s, job->kp, job->opened ? &job->kp->recv_aead :
							     &job->kp->send_aead);
	q = &s->jobs[s->n_jobs];
	*q = *job;
	if (entry < 0) {
		q->entry = 0;
		seal_job(s, 0, s->n_jobs);
		s->inline_sealed++;
		return 0;
	}
	q->entry = (unsigned)entry;
	s->n_jobs++;
	return 0;
}

void sealer_run(struct sealer *s)
{
	workers_run(&s->pool, s->n_jobs);
	s->n_jobs = 0;
}

int sealer_init(struct sealer *s, unsigned workers, unsigned cap,
		const struct index_table *indices)
{
	memset(s, 0, sizeof(*s));
	if (workers < 2 || workers > WORKERS_MAX || cap < 1 || cap > WORKERS_BATCH_MAX)
		return -1;
	s->indices = indices;
	s->cap = cap;
	s->jobs = calloc(cap, sizeof(*s->jobs));
	s->clone_mem = secmem_alloc(SEALER_KEYPAIRS * (workers - 1) * sizeof(*s->clone_mem));
	if (!s->jobs || !s->clone_mem)
		goto fail;
	for (unsigned i = 0; i < SEALER_KEYPAIRS; i++)
		s->entries[i].clones = s->clone_mem + i * (workers - 1);
	if (workers_start(&s->pool, workers, seal_job, s) < 0)
		goto fail;
	return 0;
fail:
	free(s->jobs);
	secmem_free(s->clone_mem);
	memset(s, 0, sizeof(*s));
	return -1;
}

void sealer_free(struct sealer *s)
{
	if (!s->cap)
		return;
	workers_stop(&s->pool);
	for (unsigned i = 0; i < SEALER_KEYPAIRS; i++)
		if (s->entries[i].kp)
			entry_wipe(s, &s->entries[i]);
	secmem_free(s->clone_mem);	/* wipes what is left */
	free(s->jobs);
	memset(s, 0, sizeof(*s));
}

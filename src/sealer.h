/* SPDX-License-Identifier: ISC */
/*
 * A batch of packets sealed (or opened) in parallel (workers.h), for workers > 1: the
 * data plane takes each packet's counter in order (proto_seal_prepare),
 * queues the packet here, and sealer_run seals the whole batch on the
 * worker threads and the loop thread before the batch is sent, in the
 * order it was queued. Each worker seals with its own clone of the
 * keypair's AEAD context (aead_clone: a libcrypto context is not shared
 * between threads), kept per keypair while the keypair lives and wiped
 * once it is gone or rekeyed (sealer_sweep, and at every batch).
 * Received data packets are opened the same way: the checks before the
 * tag (proto_open_prepare) and after it (proto_open_finish: the replay
 * window, in arrival order) stay on the loop thread; only the tag check
 * and decryption, with a clone of the keypair's recv_aead, run here.
 *
 * Safety: a queued keypair must not change until sealer_run returns; the
 * data plane queues only while it reads the tun and runs the batch before
 * it handles anything else (handshakes, timers), so it does not.
 */
#ifndef OVPN_SEALER_H
#define OVPN_SEALER_H

#include <stddef.h>
#include <stdint.h>

#include "aead.h"
#include "index_table.h"
#include "keypair.h"
#include "workers.h"

/* Keypairs whose clones are kept: one batch can hold this many peers'
 * packets before some are sealed on the loop thread alone. */
#define SEALER_KEYPAIRS 16	/* (each direction counts once) */

/* A packet to seal, or (opened not NULL) a received one whose tag to check. */
struct sealer_job {
	struct keypair *kp;	/* proto_seal_prepare's, or proto_open_prepare's */
	uint64_t counter;
	uint8_t *buf;		/* keypair.h layout, plaintext at buf + 16; or the datagram */
	size_t len;		/* plaintext bytes; or the datagram's */
	size_t mtu;
	size_t *out_len;	/* the datagram's length: set to 0 if sealing fails */
	bool *opened;		/* opening: set to whether the tag verified */
	unsigned entry;		/* the sealer's: whose clones seal it */
};

struct sealer_entry {
	struct keypair *kp;	/* NULL: free */
	const struct aead *src;	/* &kp->send_aead or &kp->recv_aead: what is cloned */
	uint32_t index;		/* kp's local index, to find it alive (sealer_sweep) */
	uint32_t batch;		/* the batch that last used it */
	struct aead *clones;	/* one per worker thread (worker i: clones[i - 1]) */
};

struct sealer {
	struct workers pool;
	const struct index_table *indices;	/* the live keypairs */
	struct sealer_job *jobs;
	unsigned n_jobs, cap;
	uint32_t batch;
	unsigned victim;			/* next entry to evict */
	struct sealer_entry entries[SEALER_KEYPAIRS];
	struct aead *clone_mem;			/* secure memory */
	uint64_t inline_sealed;			/* no entry free: sealed by the loop alone */
};

/* cap jobs per batch at most; workers threads in all (> 1; the caller is
 * one). Starts the threads: after the privilege drop, before the sandbox.
 * 0 or -1. */
int sealer_init(struct sealer *s, unsigned workers, unsigned cap,
		const struct index_table *indices);
/* Queue job (job->entry is the sealer's to set). -1 when cap jobs are
 * queued (the caller runs the batch first). A job with no clone free is
 * sealed at once on the calling thread. */
int sealer_add(struct sealer *s, const struct sealer_job *job);
/* Seal every queued job, in parallel; on return the batch is empty. */
void sealer_run(struct sealer *s);
/* Wipe the clones of keypairs that are gone or were rekeyed. */
void sealer_sweep(struct sealer *s);
/* Stop the threads, wipe every clone, free. */
void sealer_free(struct sealer *s);

#endif

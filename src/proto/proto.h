/* SPDX-License-Identifier: ISC */
/*
 * Protocol core for one host and its peers: handshakes, sessions (current,
 * previous, next keypairs), transport packets and every timer decision.
 * No I/O, no clock reads, no allocation after init: the daemon reads the
 * clock and passes `now`, moves the bytes, and acts on what it is told.
 *
 * Time: `now` is CLOCK_MONOTONIC in nanoseconds (uint64_t) everywhere.
 * Only the TAI64N timestamp of an initiation is wall-clock time, which
 * the caller encodes with tai64n_encode_coarse() from CLOCK_REALTIME.
 *
 * Daemon's use:
 *   tun packet  -> proto_seal(); PROTO_SEAL_NO_SESSION: queue it (bounded,
 *                  newest kept), then run proto_timers_due().
 *   UDP type 1  -> proto_consume_initiation(): send the response it fills.
 *   UDP type 2  -> proto_consume_response(): flush the queue through
 *                  proto_seal(), then run proto_timers_due() (it asks for a
 *                  keepalive when nothing was sent).
 *   UDP type 4  -> proto_consume_data(): count drops by reason (rx.peer is
 *                  set as soon as the index is known); check the source in
 *                  allowed IPs; rx.session_ready: flush the queue,
 *                  even when the packet itself is then dropped.
 *   wake-up     -> proto_timers_due(), act on every bit; sleep until
 *                  proto_next_deadline() of the earliest peer.
 * Every call must be followed by the action it asks for, or the same
 * deadline stays in the past. After DROP_NONE and an allowed source, the
 * daemon writes rx.data to the tun and sets the peer's endpoint (roaming).
 *
 * A host and its peers are not thread-safe: one worker at a time. Peers
 * must not move in memory after proto_peer_init (the index table points
 * into them). sodium_init() must have succeeded first.
 */
#ifndef OVPN_PROTO_H
#define OVPN_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "drop.h"
#include "handshake.h"
#include "index_table.h"
#include "ippkt.h"
#include "keypair.h"
#include "noise.h"
#include "rng.h"
#include "tai64n.h"
#include "timers.h"

#define PROTO_KEY_LEN 32
#define PROTO_NEVER UINT64_MAX

struct proto_peer;

struct proto_host {
	uint8_t private_key[PROTO_KEY_LEN];
	uint8_t public_key[PROTO_KEY_LEN];
	uint8_t mac1_key[PROTO_KEY_LEN];	/* mac1_key(our key): checks what we receive */
	struct noise_state initial;	/* state for initiations sent to us */
	struct index_table indices;
	struct proto_timers timers;
	/* Responder-side peer lookup by static public key; NULL if unknown. */
	struct proto_peer *(*lookup)(void *ctx, const uint8_t public_key[PROTO_KEY_LEN]);
	void *lookup_ctx;
	/* Ephemeral keys and indices; zero after proto_host_init (libsodium).
	 * The known-answer tests set it to replay the vectors. */
	struct rng rng;
};

/* Our initiation waiting for its response. */
struct proto_handshake {
	struct index_entry local;
	struct noise_state state;
	uint8_t eph_private[PROTO_KEY_LEN];
	uint64_t sent_at;
	uint64_t jitter;
	bool in_flight;
};

/* Per-peer protocol state; the daemon embeds one in its peer. Fields are
 * read-only for the daemon except owner and persistent_keepalive. */
struct proto_peer {
	struct proto_host *host;
	void *owner;				/* the daemon's peer */
	uint64_t persistent_keepalive;		/* ns, 0 = off */

	uint8_t public_key[PROTO_KEY_LEN];
	uint8_t static_static[PROTO_KEY_LEN];	/* DH(s, S), precomputed */
	uint8_t mac1_key[PROTO_KEY_LEN];	/* mac1_key(peer key): for what we send */
	uint8_t psk[PROTO_KEY_LEN];		/* the pair's pre-shared key, if has_psk */
	bool has_psk;
	struct noise_state initial;		/* state for initiations we send */
	uint8_t latest_timestamp[TAI64N_LEN];	/* greatest accepted from the peer */
	uint8_t cookie[HS_COOKIE_LEN];		/* from a cookie reply, for mac2 */
	uint64_t cookie_received;
	bool has_cookie;
	uint8_t last_mac1[HS_MAC_LEN];		/* of our last handshake message */

	struct proto_handshake hs;
	struct keypair slots[3];
	struct keypair *current, *previous, *next;

	bool want_handshake;		/* an attempt is running */
	uint64_t attempt_start;
	bool keepalive_after_handshake;	/* initiator: confirm the new session */
	uint64_t handshake_completed;
	bool passive_armed;		/* received data, sent nothing since */
	uint64_t passive_at;
	bool unanswered_armed;		/* sent data, received nothing since */
	uint64_t unanswered_at;		/* then a new handshake: the peer may be gone */
	bool sent_any;
	uint64_t last_sent;		/* any packet sent, for persistent keepalive */
	bool has_handshake;
	uint64_t last_handshake;	/* a session became usable (ovpnctl) */
};

enum proto_seal_result {
	PROTO_SEAL_OK = 0,
	PROTO_SEAL_NO_SESSION,	/* queue the packet; a handshake is wanted */
};

/* Bits returned by proto_timers_due(). */
enum proto_action {
	PROTO_SEND_INITIATION = 1 << 0,	/* call proto_create_initiation, send it */
	PROTO_SEND_KEEPALIVE = 1 << 1,	/* seal an empty packet, send it */
	PROTO_GIVE_UP = 1 << 2,		/* no session after REKEY_ATTEMPT_TIME: drop the queue */
	PROTO_EXPIRED = 1 << 3,		/* a session passed REJECT_AFTER_TIME, keys wiped */
};

/* Inbound data packet, as proto_consume_data() leaves it. */
struct proto_rx {
	struct proto_peer *peer;	/* set once the receiver index is known */
	uint8_t *data;			/* inner IP packet, inside the buffer */
	size_t len;			/* padding trimmed; 0 = keepalive */
	struct ippkt inner;		/* family, source, destination */
	bool session_ready;		/* a new session was confirmed: flush the queue */
};

/* timers NULL: PROTOCOL.md defaults. Index table of 2^index_bits buckets.
 * Needs sodium_init() first. 0 or -1. */
int proto_host_init(struct proto_host *host, const uint8_t private_key[PROTO_KEY_LEN],
		    const struct proto_timers *timers, unsigned index_bits,
		    struct proto_peer *(*lookup)(void *ctx, const uint8_t *public_key),
		    void *lookup_ctx);
void proto_host_free(struct proto_host *host);
/* Precomputes DH(s, S) and the mac1 key. -1 on a low-order key. */
int proto_peer_init(struct proto_peer *peer, struct proto_host *host,
		    const uint8_t public_key[PROTO_KEY_LEN], void *owner);
/* Ends every session and handshake, unlinks indices, wipes all keys. */
void proto_peer_free(struct proto_peer *peer);
/* The pair's pre-shared key (NULL: none, which the protocol writes as 32
 * zero bytes). A key other than the one in use ends the sessions and the
 * handshake made under the old one and wants a handshake under the new:
 * then true (the caller reschedules the peer). The timestamp replay
 * protection stays. */
bool proto_peer_set_psk(struct proto_peer *peer, const uint8_t *psk, uint64_t now);

/* Seal in place (layout in keypair.h: 16 bytes headroom, plaintext of len
 * bytes at buf + 16, KEYPAIR_TAILROOM after it); len 0 is a keepalive.
 * *out_len: the datagram length, starting at buf. Rekeying (initiator past
 * REKEY_AFTER_TIME, or REKEY_AFTER_MESSAGES sent) is decided here, on use,
 * as in WireGuard: an idle tunnel does not handshake. */
enum proto_seal_result proto_seal(struct proto_peer *peer, uint8_t *buf, size_t len,
				  size_t mtu, uint64_t now, size_t *out_len);
/* proto_seal without the crypto, for sealing on worker threads
 * (workers.h): the counter is taken in order and the timers and rekey
 * decisions made as proto_seal makes them; the caller then seals with
 * keypair_seal_at(out->kp, its own aead, out->counter, buf, len, mtu),
 * which gives out->len bytes, before out->kp can change (the next
 * handshake message or timer processed). */
struct proto_sealing {
	struct keypair *kp;
	uint64_t counter;
	size_t len;		/* the datagram's length, as keypair_seal_at returns it */
};
enum proto_seal_result proto_seal_prepare(struct proto_peer *peer, size_t len, size_t mtu,
					  uint64_t now, struct proto_sealing *out);
/* A session we may send on (confirmed, not expired, counter left). */
bool proto_can_send(const struct proto_peer *peer, uint64_t now);

/* Message 1 to the peer, when proto_timers_due() says PROTO_SEND_INITIATION.
 * jitter: timers_draw_jitter(), added to the retry delay. Replaces a
 * previous attempt's state. 0 or -1. */
int proto_create_initiation(struct proto_peer *peer, uint64_t now,
			    const uint8_t timestamp[TAI64N_LEN], uint64_t jitter,
			    uint8_t out[HS_INITIATION_LEN]);
/* What proto_consume_initiation() leaves. */
struct proto_reply {
	uint8_t msg[HS_RESPONSE_LEN];	/* on DROP_NONE: message 2 to send back */
	struct proto_peer *peer;	/* the initiator once its static key decrypted
					 * to a configured peer (also on DROP_HS_REPLAY,
					 * for per-peer counters), else NULL */
};

/* The cheap checks of a handshake message (type 1 or 2) alone: size, type,
 * reserved bytes, mac1, and mac2 against cookie unless NULL. No DH. */
enum drop_reason proto_handshake_check(const struct proto_host *host, const uint8_t *msg,
				      size_t len, const uint8_t *cookie);
/* cookie: NULL when not under load (mac2 ignored), else the cookie the
 * sender's address should hold (DROP_HS_BAD_MAC2: answer with type 3). */
enum drop_reason proto_consume_initiation(struct proto_host *host, const uint8_t *msg,
					  size_t len, uint64_t now, const uint8_t *cookie,
					  struct proto_reply *reply);
/* On DROP_NONE, *peer has a new current session: flush its queue, then
 * run proto_timers_due(). *peer is set once the receiver index matched. */
enum drop_reason proto_consume_response(struct proto_host *host, const uint8_t *msg,
					size_t len, uint64_t now, const uint8_t *cookie,
					struct proto_peer **peer);
/* Opens in place; DROP_NONE with rx->len 0 is a keepalive. Source address
 * against allowed IPs (DROP_SOURCE_NOT_ALLOWED) is the caller's check. */
enum drop_reason proto_consume_data(struct proto_host *host, uint8_t *pkt, size_t len,
				    uint64_t now, struct proto_rx *rx);

/* proto_consume_data in two steps around the tag, for opening on worker
 * threads: proto_open_prepare makes the checks before it (index, expiry,
 * length, counter limit; rx->peer set as soon as the index is known);
 * the caller then checks the tag with keypair_open_at and its own clone
 * of o->kp's recv_aead, sets o->opened, and calls proto_open_finish in
 * arrival order, before any handshake message is processed: the replay
 * window moves only for a packet whose tag verified, in that order. */
struct proto_opening {
	struct keypair *kp;
	uint64_t counter;
	bool opened;		/* the caller's: the tag verified */
};
enum drop_reason proto_open_prepare(struct proto_host *host, const uint8_t *pkt, size_t len,
				    uint64_t now, struct proto_opening *o, struct proto_rx *rx);
enum drop_reason proto_open_finish(struct proto_host *host, uint8_t *pkt, size_t len,
				   uint64_t now, const struct proto_opening *o, struct proto_rx *rx);

/* Due actions (enum proto_action bits) at now; updates the state. */
unsigned proto_timers_due(struct proto_peer *peer, uint64_t now);
/* Earliest time something is due for the peer; PROTO_NEVER when nothing.
 * A value <= now means call proto_timers_due() at once. */
uint64_t proto_next_deadline(const struct proto_peer *peer, uint64_t now);

/* From a cookie reply (type 3, see cookie.h): keep the cookie for mac2. */
void proto_peer_set_cookie(struct proto_peer *peer, const uint8_t cookie[HS_COOKIE_LEN],
			   uint64_t now);

#endif

/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include <sodium.h>

#include "proto.h"

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static struct keypair *keypair_of(struct index_entry *e)
{
	return (struct keypair *)((char *)e - offsetof(struct keypair, local));
}

/* --- host and peer setup --- */

int proto_host_init(struct proto_host *host, const uint8_t private_key[PROTO_KEY_LEN],
		    const struct proto_timers *timers, unsigned index_bits,
		    struct proto_peer *(*lookup)(void *ctx, const uint8_t *public_key),
		    void *lookup_ctx)
{
	int ret = -1;

	memset(host, 0, sizeof(*host));
	memcpy(host->private_key, private_key, PROTO_KEY_LEN);
	if (timers)
		host->timers = *timers;
	else
		timers_default(&host->timers);
	host->lookup = lookup;
	host->lookup_ctx = lookup_ctx;
	if (crypto_scalarmult_base(host->public_key, host->private_key) ||
	    handshake_mac1_key(host->mac1_key, host->public_key) ||
	    handshake_initial_state(&host->initial, host->public_key) ||
	    index_table_init(&host->indices, index_bits))
		goto out;
	ret = 0;
out:
	if (ret)
		proto_host_free(host);
	return ret;
}

void proto_host_free(struct proto_host *host)
{
	index_table_free(&host->indices);
	sodium_memzero(host, sizeof(*host));
}

int proto_peer_init(struct proto_peer *peer, struct proto_host *host,
		    const uint8_t public_key[PROTO_KEY_LEN], void *owner)
{
	int ret = -1;

	memset(peer, 0, sizeof(*peer));
	peer->host = host;
	peer->owner = owner;
	memcpy(peer->public_key, public_key, PROTO_KEY_LEN);
	peer->hs.local.peer = peer;
	peer->hs.local.kind = INDEX_HANDSHAKE;
	if (crypto_scalarmult(peer->static_static, host->private_key, public_key) ||
	    handshake_mac1_key(peer->mac1_key, public_key) ||
	    handshake_initial_state(&peer->initial, public_key))
		goto out;
	ret = 0;
out:
	if (ret)
		sodium_memzero(peer, sizeof(*peer));
	return ret;
}

static void hs_clear(struct proto_peer *peer)
{
	index_table_remove(&peer->host->indices, &peer->hs.local);
	sodium_memzero(&peer->hs.state, sizeof(peer->hs.state));
	sodium_memzero(peer->hs.eph_private, sizeof(peer->hs.eph_private));
	peer->hs.in_flight = false;
}

static void kp_free(struct proto_peer *peer, struct keypair **kp)
{
	if (!*kp)
		return;
	index_table_remove(&peer->host->indices, &(*kp)->local);
	keypair_wipe(*kp);
	*kp = NULL;
}

void proto_peer_free(struct proto_peer *peer)
{
	if (!peer->host)
		return;
	hs_clear(peer);
	kp_free(peer, &peer->current);
	kp_free(peer, &peer->previous);
	kp_free(peer, &peer->next);
	sodium_memzero(peer, sizeof(*peer));
}

void proto_peer_set_cookie(struct proto_peer *peer, const uint8_t cookie[HS_COOKIE_LEN],
			   uint64_t now)
{
	memcpy(peer->cookie, cookie, HS_COOKIE_LEN);
	peer->cookie_received = now;
	peer->has_cookie = true;
}

static const uint8_t *peer_cookie(const struct proto_peer *peer, uint64_t now)
{
	if (!peer->has_cookie ||
	    now >= sat_add(peer->cookie_received, peer->host->timers.cookie_lifetime))
		return NULL;
	return peer->cookie;
}

/* --- sessions --- */

static bool kp_expired(const struct proto_peer *peer, const struct keypair *kp,
		       uint64_t now)
{
	return now >= sat_add(kp->created, peer->host->timers.reject_after_time);
}

static bool kp_can_send(const struct proto_peer *peer, const struct keypair *kp,
			uint64_t now)
{
	return kp && kp->live && !kp_expired(peer, kp, now) &&
	       kp->send_counter < peer->host->timers.reject_after_messages;
}

bool proto_can_send(const struct proto_peer *peer, uint64_t now)
{
	return kp_can_send(peer, peer->current, now);
}

static struct keypair *kp_slot(struct proto_peer *peer)
{
	for (size_t i = 0; i < sizeof(peer->slots) / sizeof(peer->slots[0]); i++)
		if (!peer->slots[i].live)
			return &peer->slots[i];
	return NULL;
}

/* Make room for a new session as WireGuard does: an initiator's becomes
 * current at once, a responder's waits in next for key confirmation. */
static void kp_rotate(struct proto_peer *peer, bool initiator)
{
	if (initiator) {
		struct keypair *old_previous = peer->previous;

		if (peer->next) {
			peer->previous = peer->next;
			peer->next = NULL;
			kp_free(peer, &peer->current);
		} else {
			peer->previous = peer->current;
		}
		peer->current = NULL;
		kp_free(peer, &old_previous);
	} else {
		kp_free(peer, &peer->next);
		kp_free(peer, &peer->previous);
	}
}

/* Install a session. Cannot fail in practice: after the rotation at most
 * two of the three slots are in use, and the caller checked the index. */
static struct keypair *kp_install(struct proto_peer *peer, bool initiator,
				  uint32_t index, uint32_t remote_index,
				  const struct keypair_keys *keys, uint64_t now)
{
	struct keypair *kp;

	kp_rotate(peer, initiator);
	kp = kp_slot(peer);
	if (!kp)
		return NULL;
	keypair_wipe(kp);
	memcpy(kp->send_key, keys->send, KEYPAIR_KEY_LEN);
	memcpy(kp->recv_key, keys->recv, KEYPAIR_KEY_LEN);
	replay_init(&kp->replay);
	kp->remote_index = remote_index;
	kp->created = now;
	kp->initiator = initiator;
	kp->live = true;
	kp->local.peer = peer;
	kp->local.kind = INDEX_KEYPAIR;
	if (index_table_insert(&peer->host->indices, &kp->local, index)) {
		keypair_wipe(kp);
		return NULL;
	}
	if (initiator)
		peer->current = kp;
	else
		peer->next = kp;
	return kp;
}

/* A responder's session received its first packet: it becomes current. */
static void kp_confirm(struct proto_peer *peer, uint64_t now)
{
	struct keypair *old_previous = peer->previous;

	peer->previous = peer->current;
	peer->current = peer->next;
	peer->next = NULL;
	kp_free(peer, &old_previous);
	/* A fresh session: our own concurrent attempt is not needed. */
	hs_clear(peer);
	peer->want_handshake = false;
	peer->has_handshake = true;
	peer->last_handshake = now;
}

static void want_handshake(struct proto_peer *peer, uint64_t now)
{
	if (peer->want_handshake)
		return;
	peer->want_handshake = true;
	peer->attempt_start = now;
}

/* Data sent: unless something authenticated comes back within
 * KEEPALIVE_TIMEOUT + REKEY_TIMEOUT (a live peer answers within
 * KEEPALIVE_TIMEOUT), the peer lost the session: handshake again. */
static void data_sent(struct proto_peer *peer, uint64_t now)
{
	const struct proto_timers *t = &peer->host->timers;

	if (peer->unanswered_armed)
		return;
	peer->unanswered_armed = true;
	peer->unanswered_at = sat_add(now, sat_add(t->keepalive_timeout, t->rekey_timeout));
}

static void authenticated_received(struct proto_peer *peer)
{
	peer->unanswered_armed = false;
}

static bool psk_differs(const struct proto_peer *peer, const uint8_t *psk)
{
	if (!psk || !peer->has_psk)
		return (psk != NULL) != peer->has_psk;
	return sodium_memcmp(peer->psk, psk, PROTO_KEY_LEN) != 0;
}

bool proto_peer_set_psk(struct proto_peer *peer, const uint8_t *psk, uint64_t now)
{
	bool had_state = peer->current || peer->previous || peer->next || peer->hs.in_flight;

	if (!psk_differs(peer, psk))
		return false;
	if (psk)
		memcpy(peer->psk, psk, PROTO_KEY_LEN);
	else
		sodium_memzero(peer->psk, PROTO_KEY_LEN);
	peer->has_psk = psk != NULL;
	if (!had_state)
		return false;
	hs_clear(peer);
	kp_free(peer, &peer->current);
	kp_free(peer, &peer->previous);
	kp_free(peer, &peer->next);
	peer->keepalive_after_handshake = false;
	peer->passive_armed = false;
	peer->want_handshake = false;
	want_handshake(peer, now);
	return true;
}

static void peer_sent(struct proto_peer *peer, uint64_t now)
{
	peer->sent_any = true;
	peer->last_sent = now;
	peer->passive_armed = false;
}

/* --- transport --- */

/* What sending a packet on kp means for the timers, after its counter was
 * taken: rekeying is decided here, on use, as in WireGuard. */
static void seal_accounted(struct proto_peer *peer, const struct keypair *kp, size_t len,
			   uint64_t now)
{
	const struct proto_timers *t = &peer->host->timers;

	peer_sent(peer, now);
	if (len)
		data_sent(peer, now);
	peer->keepalive_after_handshake = false;
	if ((kp->initiator && now >= sat_add(kp->created, t->rekey_after_time)) ||
	    kp->send_counter >= t->rekey_after_messages)
		want_handshake(peer, now);
}

enum proto_seal_result proto_seal(struct proto_peer *peer, uint8_t *buf, size_t len,
				  size_t mtu, uint64_t now, size_t *out_len)
{
	const struct proto_timers *t = &peer->host->timers;
	struct keypair *kp = peer->current;
	enum proto_seal_result ret = PROTO_SEAL_NO_SESSION;

	if (!kp_can_send(peer, kp, now) ||
	    keypair_seal(kp, buf, len, mtu, t->reject_after_messages, out_len)) {
		want_handshake(peer, now);
		goto out;
	}
	seal_accounted(peer, kp, len, now);
	ret = PROTO_SEAL_OK;
out:
	return ret;
}

enum proto_seal_result proto_seal_prepare(struct proto_peer *peer, size_t len, size_t mtu,
					  uint64_t now, struct proto_sealing *out)
{
	const struct proto_timers *t = &peer->host->timers;
	struct keypair *kp = peer->current;

	if (!kp_can_send(peer, kp, now) ||
	    keypair_take_counter(kp, t->reject_after_messages, &out->counter)) {
		want_handshake(peer, now);
		return PROTO_SEAL_NO_SESSION;
	}
	out->kp = kp;
	out->len = keypair_sealed_len(len, mtu);
	seal_accounted(peer, kp, len, now);
	return PROTO_SEAL_OK;
}

/* Received on an initiator's session near its end with nothing sent that
 * triggered a rekey: start one so the peer keeps a usable session. */
static uint64_t rekey_on_receive_age(const struct proto_timers *t)
{
	uint64_t margin = sat_add(t->keepalive_timeout, t->rekey_timeout);

	return t->reject_after_time > margin ? t->reject_after_time - margin : 0;
}

static void data_received(struct proto_peer *peer, struct keypair *kp, size_t len,
			  uint64_t now, struct proto_rx *rx)
{
	const struct proto_timers *t = &peer->host->timers;

	authenticated_received(peer);
	if (kp == peer->next) {
		kp_confirm(peer, now);
		rx->session_ready = true;
	}
	if (len && !peer->passive_armed) {
		peer->passive_armed = true;
		peer->passive_at = sat_add(now, t->keepalive_timeout);
	}
	if (kp == peer->current && kp->initiator &&
	    now >= sat_add(kp->created, rekey_on_receive_age(t)))
		want_handshake(peer, now);
}

/* An authentic packet accepted by the replay window: the timers, then
 * its inner packet. */
static enum drop_reason data_opened(struct proto_peer *peer, struct keypair *kp, uint8_t *plain,
				    size_t plain_len, uint64_t now, struct proto_rx *rx)
{
	data_received(peer, kp, plain_len, now, rx);
	rx->data = plain;
	if (plain_len && ippkt_parse(plain, plain_len, &rx->inner))
		return DROP_MALFORMED_INNER;
	rx->len = plain_len ? rx->inner.len : 0;
	return DROP_NONE;
}

enum drop_reason proto_consume_data(struct proto_host *host, uint8_t *pkt, size_t len,
				    uint64_t now, struct proto_rx *rx)
{
	struct index_entry *e;
	struct keypair *kp;
	enum drop_reason why = DROP_TOO_SHORT;
	uint8_t *plain;
	size_t plain_len;

	memset(rx, 0, sizeof(*rx));
	if (len < 8)
		goto out;
	why = DROP_UNKNOWN_INDEX;
	e = index_table_lookup(&host->indices, keypair_packet_index(pkt), INDEX_KEYPAIR);
	if (!e)
		goto out;
	kp = keypair_of(e);
	rx->peer = e->peer;
	why = DROP_EXPIRED_SESSION;
	if (kp_expired(rx->peer, kp, now))
		goto out;
	why = keypair_open(kp, pkt, len, host->timers.reject_after_messages, &plain, &plain_len);
	if (why != DROP_NONE)
		goto out;
	why = data_opened(rx->peer, kp, plain, plain_len, now, rx);
out:
	return why;
}

enum drop_reason proto_open_prepare(struct proto_host *host, const uint8_t *pkt, size_t len,
				    uint64_t now, struct proto_opening *o, struct proto_rx *rx)
{
	struct index_entry *e;

	memset(rx, 0, sizeof(*rx));
	if (len < 8)
		return DROP_TOO_SHORT;
	e = index_table_lookup(&host->indices, keypair_packet_index(pkt), INDEX_KEYPAIR);
	if (!e)
		return DROP_UNKNOWN_INDEX;
	o->kp = keypair_of(e);
	rx->peer = e->peer;
	if (kp_expired(rx->peer, o->kp, now))
		return DROP_EXPIRED_SESSION;
	return keypair_open_check(o->kp, pkt, len, host->timers.reject_after_messages, &o->counter);
}

enum drop_reason proto_open_finish(struct proto_host *host, uint8_t *pkt, size_t len,
				   uint64_t now, const struct proto_opening *o, struct proto_rx *rx)
{
	struct index_entry *e = index_table_lookup(&host->indices, keypair_packet_index(pkt),
						   INDEX_KEYPAIR);
	enum drop_reason why;

	/* An earlier packet of the batch confirmed a session and so freed
	 * this one's keypair: dropped as it would have been, unknown. */
	if (!e || keypair_of(e) != o->kp)
		return DROP_UNKNOWN_INDEX;
	if (!o->opened)
		return DROP_BAD_TAG;
	why = keypair_open_accept(o->kp, o->counter);
	if (why != DROP_NONE)
		return why;
	return data_opened(rx->peer, o->kp, pkt + KEYPAIR_HEADER_LEN, len - KEYPAIR_MIN_PACKET,
			   now, rx);
}

/* --- handshake --- */

/* The pair's keys as our side of peer sees them. */
static struct hs_keys peer_keys(const struct proto_peer *peer)
{
	return (struct hs_keys){
		.local_private = peer->host->private_key,
		.local_public = peer->host->public_key,
		.remote_public = peer->public_key,
		.static_static = peer->static_static,
		.psk = peer->has_psk ? peer->psk : NULL,
	};
}

int proto_create_initiation(struct proto_peer *peer, uint64_t now,
			    const uint8_t timestamp[TAI64N_LEN], uint64_t jitter,
			    uint8_t out[HS_INITIATION_LEN])
{
	struct proto_host *host = peer->host;
	struct proto_handshake *hs = &peer->hs;
	struct hs_keys keys = peer_keys(peer);
	uint32_t local;
	int ret = -1;

	hs_clear(peer);
	if (index_table_pick(&host->indices, &host->rng, &local))
		goto out;
	/* X25519 clamps the scalar itself: any 32 random bytes will do. */
	rng_fill(&host->rng, hs->eph_private, PROTO_KEY_LEN);
	hs->state = peer->initial;
	if (handshake_write_initiation(&hs->state, out, &keys, hs->eph_private,
				       local, timestamp) ||
	    handshake_add_macs(out, HS_INITIATION_LEN, peer->mac1_key,
			       peer_cookie(peer, now), peer->last_mac1) ||
	    index_table_insert(&host->indices, &hs->local, local))
		goto out;
	hs->in_flight = true;
	hs->sent_at = now;
	hs->jitter = jitter;
	want_handshake(peer, now);
	peer_sent(peer, now);
	ret = 0;
out:
	if (ret)
		hs_clear(peer);
	return ret;
}

static bool reserved_zero(const uint8_t *msg)
{
	return !msg[1] && !msg[2] && !msg[3];
}

/* Size, type, reserved bytes, mac1, then mac2 when under load. */
static enum drop_reason hs_precheck(const struct proto_host *host, const uint8_t *msg,
				    size_t len, size_t want_len, uint8_t type,
				    const uint8_t *cookie)
{
	if (len != want_len || msg[0] != type || !reserved_zero(msg))
		return DROP_HS_BAD_LENGTH;
	if (!handshake_check_mac1(msg, len, host->mac1_key))
		return DROP_HS_BAD_MAC1;
	if (cookie && !handshake_check_mac2(msg, len, cookie))
		return DROP_HS_BAD_MAC2;
	return DROP_NONE;
}

enum drop_reason proto_handshake_check(const struct proto_host *host, const uint8_t *msg,
				      size_t len, const uint8_t *cookie)
{
	if (len && msg[0] == MSG_TYPE_RESPONSE)
		return hs_precheck(host, msg, len, HS_RESPONSE_LEN, MSG_TYPE_RESPONSE, cookie);
	return hs_precheck(host, msg, len, HS_INITIATION_LEN, MSG_TYPE_INITIATION, cookie);
}

/* Read message 1; *peer is the configured sender, ts its newer timestamp. */
static enum drop_reason initiation_read(struct proto_host *host, const uint8_t *msg,
					struct noise_state *st, struct proto_peer **peer,
					uint8_t ts[TAI64N_LEN])
{
	uint8_t initiator[PROTO_KEY_LEN];
	enum drop_reason why = DROP_HS_INVALID;

	*st = host->initial;
	if (handshake_read_initiation_static(st, msg, host->private_key, initiator))
		goto out;
	*peer = host->lookup ? host->lookup(host->lookup_ctx, initiator) : NULL;
	if (!*peer) {
		why = DROP_HS_UNKNOWN_PEER;
		goto out;
	}
	if (handshake_read_initiation_payload(st, msg, (*peer)->static_static, ts))
		goto out;
	if (tai64n_compare(ts, (*peer)->latest_timestamp) <= 0) {
		why = DROP_HS_REPLAY;
		goto out;
	}
	why = DROP_NONE;
out:
	sodium_memzero(initiator, sizeof(initiator));
	return why;
}

/* Write message 2 under a fresh ephemeral key, with its macs. */
static int response_write(struct proto_peer *peer, struct noise_state *st,
			  const uint8_t *msg, uint32_t local, uint64_t now,
			  uint8_t response[HS_RESPONSE_LEN])
{
	struct hs_keys keys = peer_keys(peer);
	uint8_t eph[PROTO_KEY_LEN];
	int ret = -1;

	rng_fill(&peer->host->rng, eph, sizeof(eph));
	if (handshake_write_response(st, response, &keys, eph, msg, local) ||
	    handshake_add_macs(response, HS_RESPONSE_LEN, peer->mac1_key,
			       peer_cookie(peer, now), peer->last_mac1))
		goto out;
	ret = 0;
out:
	sodium_memzero(eph, sizeof(eph));
	return ret;
}

enum drop_reason proto_consume_initiation(struct proto_host *host, const uint8_t *msg,
					  size_t len, uint64_t now, const uint8_t *cookie,
					  struct proto_reply *reply)
{
	struct noise_state st;
	struct keypair_keys keys;
	uint8_t ts[TAI64N_LEN];
	struct proto_peer *p = NULL;
	uint32_t local;
	enum drop_reason why;

	reply->peer = NULL;
	why = hs_precheck(host, msg, len, HS_INITIATION_LEN, MSG_TYPE_INITIATION, cookie);
	if (why != DROP_NONE)
		goto out;
	why = initiation_read(host, msg, &st, &p, ts);
	reply->peer = p;
	if (why != DROP_NONE)
		goto out;
	why = DROP_HS_NO_RESOURCES;
	if (index_table_pick(&host->indices, &host->rng, &local))
		goto out;
	/* The responder sends with k2 and receives with k1. */
	why = DROP_HS_INVALID;
	if (response_write(p, &st, msg, local, now, reply->msg) ||
	    noise_split(&st, keys.recv, keys.send))
		goto out;
	why = DROP_HS_NO_RESOURCES;
	if (!kp_install(p, false, local, handshake_le32(msg + HS_INIT_SENDER), &keys, now))
		goto out;
	memcpy(p->latest_timestamp, ts, TAI64N_LEN);
	authenticated_received(p);
	peer_sent(p, now);
	why = DROP_NONE;
out:
	noise_wipe(&st);
	sodium_memzero(&keys, sizeof(keys));
	return why;
}

/* Initiator: the response completes our handshake; derive (send k1, receive k2). */
static int response_read(struct proto_peer *peer, const uint8_t *msg,
			 struct keypair_keys *keys)
{
	struct noise_state st = peer->hs.state;
	struct hs_keys hk = peer_keys(peer);
	int ret = -1;

	if (handshake_read_response(&st, msg, &hk, peer->hs.eph_private) ||
	    noise_split(&st, keys->send, keys->recv))
		goto out;
	ret = 0;
out:
	noise_wipe(&st);
	return ret;
}

enum drop_reason proto_consume_response(struct proto_host *host, const uint8_t *msg,
					size_t len, uint64_t now, const uint8_t *cookie,
					struct proto_peer **peer)
{
	struct keypair_keys keys;
	struct index_entry *e;
	struct proto_peer *p;
	uint32_t local;
	enum drop_reason why;

	*peer = NULL;
	why = hs_precheck(host, msg, len, HS_RESPONSE_LEN, MSG_TYPE_RESPONSE, cookie);
	if (why != DROP_NONE)
		goto out;
	why = DROP_UNKNOWN_INDEX;
	e = index_table_lookup(&host->indices, handshake_le32(msg + HS_RESP_RECEIVER),
			       INDEX_HANDSHAKE);
	if (!e)
		goto out;
	p = e->peer;
	*peer = p;
	/* Not opened: a pre-shared key that differs (or a forgery). */
	why = DROP_HS_PSK_MISMATCH;
	if (response_read(p, msg, &keys))
		goto out;
	local = p->hs.local.index;
	hs_clear(p);
	why = DROP_HS_NO_RESOURCES;
	if (!kp_install(p, true, local, handshake_le32(msg + HS_RESP_SENDER), &keys, now))
		goto out;
	p->want_handshake = false;
	authenticated_received(p);
	p->keepalive_after_handshake = true;
	p->handshake_completed = now;
	p->has_handshake = true;
	p->last_handshake = now;
	why = DROP_NONE;
out:
	sodium_memzero(&keys, sizeof(keys));
	return why;
}

/* --- timers --- */

static unsigned expire_sessions(struct proto_peer *peer, uint64_t now)
{
	struct keypair **all[] = { &peer->current, &peer->previous, &peer->next };
	unsigned acts = 0;

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (*all[i] && kp_expired(peer, *all[i], now)) {
			kp_free(peer, all[i]);
			acts |= PROTO_EXPIRED;
		}
	}
	return acts;
}

static uint64_t persistent_at(const struct proto_peer *peer)
{
	return peer->sent_any ? sat_add(peer->last_sent, peer->persistent_keepalive) : 0;
}

static unsigned keepalive_due(struct proto_peer *peer, uint64_t now)
{
	bool usable = proto_can_send(peer, now);
	bool due = false;

	if (peer->keepalive_after_handshake) {
		peer->keepalive_after_handshake = false;
		due = true;
	}
	if (peer->passive_armed && now >= peer->passive_at) {
		peer->passive_armed = false;
		due = true;
	}
	if (peer->persistent_keepalive && now >= persistent_at(peer)) {
		if (!usable)
			want_handshake(peer, now);
		due = true;
	}
	return due && usable ? PROTO_SEND_KEEPALIVE : 0;
}

/* When the next initiation may go: REKEY_TIMEOUT + jitter after the last
 * one, and not while a fresh responder session awaits its confirmation. */
static uint64_t retry_at(const struct proto_peer *peer)
{
	const struct proto_timers *t = &peer->host->timers;
	uint64_t at = 0;

	if (peer->hs.in_flight)
		at = sat_add(sat_add(peer->hs.sent_at, t->rekey_timeout), peer->hs.jitter);
	if (peer->next && peer->next->live)
		at = at > sat_add(peer->next->created, t->rekey_timeout) ?
		     at : sat_add(peer->next->created, t->rekey_timeout);
	return at;
}

static uint64_t give_up_at(const struct proto_peer *peer)
{
	return sat_add(peer->attempt_start, peer->host->timers.rekey_attempt_time);
}

static unsigned handshake_due(struct proto_peer *peer, uint64_t now)
{
	if (!peer->want_handshake)
		return 0;
	if (now >= give_up_at(peer)) {
		peer->want_handshake = false;
		hs_clear(peer);
		return PROTO_GIVE_UP;
	}
	return now >= retry_at(peer) ? PROTO_SEND_INITIATION : 0;
}

static void unanswered_due(struct proto_peer *peer, uint64_t now)
{
	if (!peer->unanswered_armed || now < peer->unanswered_at)
		return;
	peer->unanswered_armed = false;
	want_handshake(peer, now);
}

unsigned proto_timers_due(struct proto_peer *peer, uint64_t now)
{
	unsigned acts = expire_sessions(peer, now);

	unanswered_due(peer, now);
	acts |= keepalive_due(peer, now);
	acts |= handshake_due(peer, now);
	return acts;
}

uint64_t proto_next_deadline(const struct proto_peer *peer, uint64_t now)
{
	const struct keypair *all[] = { peer->current, peer->previous, peer->next };
	uint64_t d = PROTO_NEVER;

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i])
			d = min_u64(d, sat_add(all[i]->created,
					       peer->host->timers.reject_after_time));
	if (peer->keepalive_after_handshake)
		d = min_u64(d, peer->handshake_completed);
	if (peer->passive_armed)
		d = min_u64(d, peer->passive_at);
	if (peer->unanswered_armed)
		d = min_u64(d, peer->unanswered_at);
	/* Without a session the running attempt's timers govern instead. */
	if (peer->persistent_keepalive && (proto_can_send(peer, now) || !peer->want_handshake))
		d = min_u64(d, persistent_at(peer));
	if (peer->want_handshake) {
		d = min_u64(d, give_up_at(peer));
		d = min_u64(d, retry_at(peer));
	}
	return d;
}

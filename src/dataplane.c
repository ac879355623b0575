/* SPDX-License-Identifier: ISC */
/* The data paths: tun -> seal -> UDP, UDP -> open -> tun, handshakes and
 * the per-peer timers. Nothing here blocks: a full socket buffer or tun
 * queue drops the packet and counts it. Nothing here reschedules either:
 * every peer comes from the peer set, which does. */
#include "config.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "dataplane.h"
#include "log.h"
#include "secmem.h"

/* Reads from the tun per wake-up before the sockets get a turn. */
#define TUN_BURST UDP_BATCH_MAX
/* Bytes read per wake-up of the tun or a socket before the other gets its
 * turn: by bytes, not packets or buffers (a tun read or a GRO buffer is up
 * to 64 KiB), so a ping or an ACK waiting on the other side is not held
 * longer than this takes to seal or open (about 0.1 ms at 10 Gbit/s of
 * cipher). */
#define BURST_BYTES (128u << 10)
/* CoDel (codel.h) on the two queues in front of the daemon: the socket
 * receive buffers, on the wait the kernel's stamps show, and the tun's
 * ring, which shows nothing: there the wait is taken as the time since the
 * daemon found packets there after a read had found it empty. A standing wait above TARGET
 * for INTERVAL starts dropping bulk TCP data (a super-packet at the tun, a
 * segment at the socket), so the flow backs off before the queues hold
 * milliseconds. Pings, ACKs and other packets are never dropped. */
#define CODEL_TARGET (500 * 1000)
#define CODEL_INTERVAL (5 * 1000 * 1000)
/* The IP and TCP headers of a segment at most. */
#define SEG_HDR_MAX 120

static void wall_timestamp(uint8_t out[TAI64N_LEN])
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	tai64n_encode_coarse(out, (uint64_t)ts.tv_sec, (uint32_t)ts.tv_nsec);
}

/* A datagram the kernel refused: too big even to fragment (DF, or over
 * 64 KiB), or another error. */
static void count_send_error(struct dataplane *d)
{
	if (errno == EMSGSIZE)
		d->stats.udp_too_big++;
	else
		d->stats.udp_send_drops++;
}

/* A peer's endpoint routed through our own tun: drop (counted, the
 * change logged once) rather than loop. */
static bool endpoint_loops(struct dataplane *d, struct peer *p, uint64_t now)
{
	char ep[ENDPOINT_STRLEN];
	bool changed, loops;

	loops = routeloop_check(&p->loop, &d->link, &p->endpoint, now, &changed);
	if (changed && loops)
		log_warn("peer %s: endpoint %s is routed through %s itself: not sending there (routing loop)",
			 p->name, endpoint_format(&p->endpoint, ep, sizeof(ep)), d->ifname);
	else if (changed)
		log_info("peer %s: endpoint %s no longer routed through %s", p->name,
			 endpoint_format(&p->endpoint, ep, sizeof(ep)), d->ifname);
	if (loops)
		d->stats.routing_loop++;
	return loops;
}

/* A tunnel datagram that would be fragmented into another tun: two
 * tunnels routed into each other (routeloop_nested). Dropped, counted as
 * routing-loop, logged once per route answer. */
static bool nested_loops(struct dataplane *d, struct peer *p, const uint8_t *pkt, size_t len)
{
	char ep[ENDPOINT_STRLEN];
	size_t outer;

	if (!len || !routeloop_nested(&p->loop, pkt, len, d->mtu, &outer))
		return false;
	d->stats.routing_loop++;
	if (!p->loop.nested_logged) {
		p->loop.nested_logged = true;
		log_warn("peer %s: endpoint %s is routed into %s, another tunnel's tun, and a tunnel's packet sealed there (%zu bytes) would not fit its mtu %u: dropped as a routing loop (if the tunnels are nested, give the inner one a lower mtu)",
			 p->name, endpoint_format(&p->endpoint, ep, sizeof(ep)), p->loop.other_tun,
			 outer, p->loop.other_tun_mtu);
	}
	return true;
}

static void send_one(struct dataplane *d, struct peer *p, const uint8_t *buf, size_t len)
{
	int fd = udp_fd_for(&d->udp, &p->endpoint);

	if (!p->has_endpoint) {
		d->stats.no_endpoint++;
		return;
	}
	if (endpoint_loops(d, p, timerq_now()))
		return;
	/* No socket of the endpoint's family counts as a failed send, as in
	 * the batched path. */
	if (fd < 0)
		d->stats.udp_send_drops++;
	else if (udp_send_one(fd, buf, len, &p->endpoint) < 0)
		count_send_error(d);
}

static void flush_family(struct dataplane *d, int fd, struct udp_pkt *pkts, unsigned n)
{
	unsigned off = 0;

	if (fd < 0) {
		d->stats.udp_send_drops += n;
		return;
	}
	while (off < n) {
		int sent = udp_send_batch_gso(fd, &d->batch, pkts + off, n - off, &d->udp.gso);

		if (sent == 0)		/* socket buffer full: drop the rest */
			break;
		/* A datagram that failed (say, no route to one peer) is
		 * skipped; the others in the batch still go out. */
		off += sent < 0 ? 1 : (unsigned)sent;
		if (sent < 0)
			count_send_error(d);
	}
	d->stats.udp_send_drops += n - off;
}

/* The batch sealed on the workers; a packet that failed (the AEAD, so
 * never in practice) is left out, counted as a failed send. */
static void seal_batch(struct dataplane *d)
{
	struct udp_pkt *all[] = { d->tx4, d->tx6 };
	unsigned *count[] = { &d->n_tx4, &d->n_tx6 };

	sealer_run(d->sealer);
	for (unsigned f = 0; f < 2; f++) {
		unsigned out = 0;

		for (unsigned i = 0; i < *count[f]; i++)
			if (all[f][i].len)
				all[f][out++] = all[f][i];
		d->stats.udp_send_drops += *count[f] - out;
		*count[f] = out;
	}
}

static void flush_tx(struct dataplane *d)
{
	if (d->sealer)
		seal_batch(d);
	flush_family(d, d->udp.fd4, d->tx4, d->n_tx4);
	flush_family(d, d->udp.fd6, d->tx6, d->n_tx6);
	d->n_tx4 = d->n_tx6 = d->tx_used = 0;
}

/* ICMP unreachable back into the tun, behind an all-zero virtio_net_hdr
 * with offloads (no checksum left to do, no GSO). */
static void no_route_reply(struct dataplane *d, const uint8_t *pkt, size_t len, uint64_t now)
{
	uint8_t out[OFFLOAD_HDR_LEN + ICMP_REPLY_MAX] = { 0 };
	size_t n = icmp_unreach(pkt, len, out + OFFLOAD_HDR_LEN, ICMP_REPLY_MAX);
	size_t skip = d->vnet ? 0 : OFFLOAD_HDR_LEN;

	if (!n || !icmp_limit_allow(&d->icmp_limit, now))
		return;
	if (write(d->tun.fd, out + skip, n + OFFLOAD_HDR_LEN - skip) < 0)
		d->stats.tun_write_drops++;
	else
		d->stats.unreachable_sent++;
}

/* The next datagram of the batch for p's endpoint family. */
static struct udp_pkt *tx_next(struct dataplane *d, const struct peer *p)
{
	if (p->endpoint.sa.sa_family == AF_INET6)
		return &d->tx6[d->n_tx6++];
	return &d->tx4[d->n_tx4++];
}

/* The counter now, the crypto on the workers with the rest of the batch
 * (sealer.h) before it is sent; u is the datagram in the batch. */
static enum proto_seal_result seal_deferred(struct dataplane *d, struct peer *p, uint8_t *buf,
					    size_t len, uint64_t now, struct udp_pkt **u)
{
	struct proto_sealing ps;

	if (proto_seal_prepare(&p->proto, len, d->mtu, now, &ps) == PROTO_SEAL_NO_SESSION)
		return PROTO_SEAL_NO_SESSION;
	*u = tx_next(d, p);
	(*u)->len = ps.len;
	/* never full: a batch has one job per send buffer */
	sealer_add(d->sealer, &(struct sealer_job){ .kp = ps.kp, .counter = ps.counter,
			.buf = buf, .len = len, .mtu = d->mtu, .out_len = &(*u)->len });
	return PROTO_SEAL_OK;
}

/* Seal the plaintext at buf + 16 for p; queue it if there is no session. */
static void seal_and_send(struct dataplane *d, struct peer *p, uint8_t *buf, size_t len,
			  uint64_t now, bool batch)
{
	struct udp_pkt *u = NULL;
	enum proto_seal_result r;
	size_t out_len = 0;

	if (!p->has_endpoint) {
		d->stats.no_endpoint++;
		if (batch)	/* from the tun: nowhere to send it, say so */
			no_route_reply(d, buf + PKT_HEADROOM, len, now);
		return;
	}
	if (endpoint_loops(d, p, now) || nested_loops(d, p, buf + PKT_HEADROOM, len))
		return;
	if (batch && d->sealer)
		r = seal_deferred(d, p, buf, len, now, &u);
	else
		r = proto_seal(&p->proto, buf, len, d->mtu, now, &out_len);
	if (r == PROTO_SEAL_NO_SESSION) {
		if (len)
			peer_queue_push(p, buf + PKT_HEADROOM, len);
		return;
	}
	p->stats.tx_bytes += len;
	p->stats.tx_packets++;
	if (batch) {
		if (!u) {
			u = tx_next(d, p);
			u->len = out_len;
		}
		u->buf = buf;
		endpoint_copy(&u->ep, &p->endpoint);
	} else {
		send_one(d, p, buf, out_len);
	}
}

static void flush_queue(struct dataplane *d, struct peer *p, uint64_t now)
{
	struct pkt *q;

	while (proto_can_send(&p->proto, now) && (q = peer_queue_front(p))) {
		seal_and_send(d, p, q->data, q->len, now, false);
		peer_queue_pop(p);
	}
}

static void send_keepalive(struct dataplane *d, struct peer *p, uint64_t now)
{
	uint8_t buf[PKT_HEADROOM + KEYPAIR_TAILROOM];

	seal_and_send(d, p, buf, 0, now, false);
}

static void send_initiation(struct dataplane *d, struct peer *p, uint64_t now)
{
	uint8_t msg[HS_INITIATION_LEN], ts[TAI64N_LEN];

	wall_timestamp(ts);
	if (proto_create_initiation(&p->proto, now, ts, timers_draw_jitter(&d->host->timers), msg) < 0) {
		log_ratelimited(LOG_LEVEL_WARNING, "peer %s: cannot create a handshake initiation",
				p->name);
		return;
	}
	log_debug("peer %s: sending handshake initiation", p->name);
	send_one(d, p, msg, sizeof(msg));
	secmem_stack_wipe();
}

static void peer_run_timers(struct dataplane *d, struct peer *p, uint64_t now)
{
	unsigned act = proto_timers_due(&p->proto, now);

	if (act & PROTO_SEND_INITIATION)
		send_initiation(d, p, now);
	if (act & PROTO_SEND_KEEPALIVE)
		send_keepalive(d, p, now);
	if (act & PROTO_GIVE_UP) {
		if (p->queue_len)
			log_info("peer %s: no handshake answer, dropping %u pending packets",
				 p->name, p->queue_len);
		peer_queue_clear(p);
	}
	if (act & PROTO_EXPIRED) {
		log_debug("peer %s: session expired", p->name);
		events_expired(d->events, p);
	}
}

void dataplane_peer_timer(void *ctx, struct peer *p, uint64_t now)
{
	struct dataplane *d = ctx;

	peer_run_timers(d, p, now);
	if (d->sealer)		/* an expired session's clones go with it */
		sealer_sweep(d->sealer);
}

static void peer_contact(struct dataplane *d, struct peer *p, uint64_t now)
{
	uint8_t buf[PKT_HEADROOM + KEYPAIR_TAILROOM];
	size_t len;

	peerset_touch(d->peers, p);
	if (p->has_endpoint && p->persistent_keepalive && !proto_can_send(&p->proto, now))
		proto_seal(&p->proto, buf, 0, d->mtu, now, &len);
}

void dataplane_start(struct dataplane *d, uint64_t now)
{
	for (size_t i = 0; i < d->peers->n_peers; i++)
		peer_contact(d, d->peers->peers[i], now);
}

void dataplane_peer_endpoint(void *ctx, struct peer *p, uint64_t now)
{
	peer_contact(ctx, p, now);
}

/* ---- tun -> UDP ---- */

static void tun_packet(struct dataplane *d, uint8_t *buf, size_t len, uint64_t now)
{
	struct ippkt ip;
	struct peer *p;

	if (ippkt_parse(buf + PKT_HEADROOM, len, &ip) < 0) {
		d->stats.tun_malformed++;
		return;
	}
	p = peerset_route(d->peers, ip.family, ip.dst);
	if (!p) {
		d->stats.no_route++;
		no_route_reply(d, buf + PKT_HEADROOM, ip.len, now);
		return;
	}
	seal_and_send(d, p, buf, ip.len, now, true);
}

/* A free send buffer, after sending the batch if fewer than n are left. */
static uint8_t *tx_slot(struct dataplane *d, unsigned n)
{
	if (d->tx_used + n > UDP_BATCH_MAX)
		flush_tx(d);
	return d->tx_bufs[d->tx_used].data;
}

/* The interface was deleted (ip link del) or its queue detached: the fd
 * stays readable for ever, so the daemon ends rather than spin. */
static bool tun_gone(int err)
{
	return err == EBADFD || err == ENODEV || err == ENXIO || err == EIO;
}

static ssize_t tun_read(struct dataplane *d, uint8_t *buf, size_t len)
{
	ssize_t n = read(d->tun.fd, buf, len);

	if (n >= 0 || errno == EAGAIN || errno == EINTR)
		return n;
	if (d->tun_gone)
		return -1;	/* said once; the daemon is stopping */
	if (tun_gone(errno)) {
		log_err("%s: interface gone (read: %s): exiting", d->ifname, strerror(errno));
		d->tun_gone = true;
	} else {
		log_ratelimited(LOG_LEVEL_WARNING, "read from %s: %s", d->ifname, strerror(errno));
	}
	return -1;
}

/* A TCP super-packet: each segment into a send buffer of its own, the
 * batch sent whenever the buffers run out. Returns how many. */
static unsigned tun_super(struct dataplane *d, const struct virtio_net_hdr *h,
			  const uint8_t *pkt, size_t len, uint64_t now)
{
	int n = offload_segment_count(h, pkt, len);
	size_t seg_max = offload_segment_max_len(h, pkt, len);
	uint8_t *out[UDP_BATCH_MAX];
	size_t out_len[UDP_BATCH_MAX];
	unsigned done = 0;

	/* Each segment goes into a send buffer of PKT_MAX_MTU: a segment of
	 * the tun's MTU always fits, whatever its headers (was: gso_size at
	 * most MTU - 120, which dropped every full segment at 9000). */
	if (n < 0 || seg_max == 0 || seg_max > PKT_MAX_MTU) {
		d->stats.tun_malformed++;
		return 0;
	}
	while (done < (unsigned)n) {
		unsigned want = (unsigned)n - done, k;
		int got;

		tx_slot(d, want < UDP_BATCH_MAX ? want : UDP_BATCH_MAX);
		k = UDP_BATCH_MAX - d->tx_used;
		for (unsigned i = 0; i < k; i++)
			out[i] = d->tx_bufs[d->tx_used + i].data + PKT_HEADROOM;
		got = offload_segment(h, pkt, len, done,
				      &(struct offload_out){ out, out_len, k });
		if (got <= 0)
			break;
		k = (unsigned)got;
		d->tx_used += k;
		for (unsigned i = 0; i < k; i++)
			tun_packet(d, out[i] - PKT_HEADROOM, out_len[i], now);
		done += k;
	}
	return done;
}

/* Bulk TCP data (a super-packet, or a segment with payload) while the
 * tun has not been empty for long: CoDel may drop it. */
static bool tun_codel_drop(struct dataplane *d, const struct virtio_net_hdr *h,
			   const uint8_t *pkt, size_t len)
{
	uint64_t now = timerq_now();
	bool bulk = (h->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) != VIRTIO_NET_HDR_GSO_NONE ||
		    offload_gro_eligible(pkt, len);

	if (!d->tun_codel.interval)
		codel_init(&d->tun_codel, CODEL_TARGET, CODEL_INTERVAL);
	if (!bulk || !codel_drop(&d->tun_codel, now, now - d->tun_busy_since))
		return false;
	d->stats.queue_delay_drops++;
	return true;
}

/* One read with a virtio_net_hdr in front: the bytes read, 0 when
 * nothing was. */
static size_t tun_read_vnet(struct dataplane *d, uint64_t now)
{
	ssize_t n = tun_read(d, d->tun_buf, OFFLOAD_HDR_LEN + OFFLOAD_MAX_PKT);
	uint8_t *pkt = d->tun_buf + OFFLOAD_HDR_LEN, *slot;
	struct virtio_net_hdr h;
	size_t len;

	if (n <= 0) {
		d->tun_busy_since = 0;
		return 0;
	}
	if ((size_t)n < OFFLOAD_HDR_LEN) {
		d->stats.tun_malformed++;
		return (size_t)n;
	}
	memcpy(&h, d->tun_buf, sizeof(h));
	len = (size_t)n - OFFLOAD_HDR_LEN;
	if (tun_codel_drop(d, &h, pkt, len))
		return (size_t)n;
	if ((h.gso_type & ~VIRTIO_NET_HDR_GSO_ECN) != VIRTIO_NET_HDR_GSO_NONE) {
		tun_super(d, &h, pkt, len, now);
		return (size_t)n;
	}
	if (len > PKT_MAX_MTU || ((h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
				  offload_csum_complete(pkt, len, &h) < 0)) {
		d->stats.tun_malformed++;
		return (size_t)n;
	}
	slot = tx_slot(d, 1);
	d->tx_used++;
	memcpy(slot + PKT_HEADROOM, pkt, len);
	tun_packet(d, slot, len, now);
	return (size_t)n;
}

static void dataplane_tun_event(struct loop_fd *lfd, uint32_t events)
{
	struct dataplane *d = container_of(lfd, struct dataplane, tun);
	uint64_t now = timerq_now();

	(void)events;
	if (d->vnet) {
		size_t bytes = 0, got = 1;

		if (!d->tun_busy_since)
			d->tun_busy_since = now;
		for (unsigned i = 0; i < TUN_BURST && got && bytes < BURST_BYTES; i++) {
			got = tun_read_vnet(d, now);
			bytes += got;
		}
		flush_tx(d);
		return;
	}
	for (unsigned i = 0; i < TUN_BURST; i++) {
		uint8_t *buf = tx_slot(d, 1);
		ssize_t n = tun_read(d, buf + PKT_HEADROOM, d->mtu);

		if (n <= 0)
			break;
		d->tx_used++;
		tun_packet(d, buf, (size_t)n, now);
	}
	flush_tx(d);
}

/* ---- UDP -> tun ---- */

/* An authenticated packet came from ep: the peer is there now (roaming). */
static void learn_endpoint(struct dataplane *d, struct peer *p, const struct endpoint *ep)
{
	char buf[ENDPOINT_STRLEN];

	if (p->has_endpoint && endpoint_eq(&p->endpoint, ep)) {
		if (!endpoint_src_eq(&p->endpoint, ep)) {	/* same peer, asked on another address */
			endpoint_copy(&p->endpoint, ep);
			log_debug("peer %s: replies now leave from the address it used", p->name);
		}
		return;
	}
	endpoint_copy(&p->endpoint, ep);
	p->has_endpoint = true;
	/* Per packet when a peer's packets arrive from two addresses in turn. */
	log_ratelimited(LOG_LEVEL_INFO, "peer %s: endpoint %s", p->name,
			endpoint_format(ep, buf, sizeof(buf)));
	events_endpoint(d->events, p);
}

/* A handshake completed: counted, and told to the watchers. */
static void session_up(struct dataplane *d, struct peer *p)
{
	p->stats.sessions++;
	events_handshake(d->events, p);
}

static void count_drop(struct dataplane *d, struct peer *p, enum drop_reason why)
{
	uint64_t *count = p ? &p->stats.drops[why] : &d->stats.drops[why];

	events_drop(d->events, p, why, ++*count);
}

/* Under load now (metrics): the gate's view, without counting a message. */
bool dataplane_under_load(const struct dataplane *d, uint64_t now)
{
	return hsgate_under_load(&d->gate, now);
}

/* mac1 was right, mac2 was not, and we are under load: prove your address. */
static void send_cookie_reply(struct dataplane *d, const struct udp_pkt *u, uint64_t now)
{
	uint8_t reply[COOKIE_REPLY_LEN];
	int fd = udp_fd_for(&d->udp, &u->ep);

	if (fd < 0 || cookie_reply_create(&d->gate.cookies, u->buf, u->len, &u->ep.sa, now, reply) < 0)
		return;
	if (udp_send_one(fd, reply, sizeof(reply), &u->ep) < 0)
		d->stats.udp_send_drops++;
	else
		d->stats.cookies_sent++;
}

/* Before any DH, the gate (hsgate.h): junk is dropped after one BLAKE2s;
 * *need_mac2 is NULL when mac2 is not required. false: dropped (counted,
 * or answered with a cookie reply). */
static bool handshake_gate(struct dataplane *d, const struct udp_pkt *u, uint64_t now,
			   uint8_t cookie[COOKIE_LEN], const uint8_t **need_mac2)
{
	struct hsgate_msg m = { u->buf, u->len, &u->ep.sa };
	enum drop_reason why = hsgate_check(&d->gate, d->host, &m, now, cookie, need_mac2);

	if (why == DROP_NONE)
		return true;
	if (why == DROP_HS_BAD_MAC2)
		send_cookie_reply(d, u, now);
	d->stats.drops[why]++;
	return false;
}

/* Messages 1 and 2: the gate, the protocol, a cookie reply or a counted
 * drop; then the answer each calls for. */
static void rx_handshake(struct dataplane *d, struct udp_pkt *u, uint64_t now)
{
	struct proto_reply reply = { .peer = NULL };
	uint8_t cookie[COOKIE_LEN];
	bool initiation = u->buf[0] == MSG_TYPE_INITIATION;
	const uint8_t *need_mac2;
	struct proto_peer *pp = NULL;
	enum drop_reason why;
	struct peer *p;

	if (!handshake_gate(d, u, now, cookie, &need_mac2))
		return;
	if (initiation) {
		why = proto_consume_initiation(d->host, u->buf, u->len, now, need_mac2, &reply);
		pp = reply.peer;
	} else {
		why = proto_consume_response(d->host, u->buf, u->len, now, need_mac2, &pp);
	}
	secmem_stack_wipe();	/* the DH with our static key left it there */
	p = peerset_owner(d->peers, pp);
	if (why == DROP_HS_BAD_MAC2)
		send_cookie_reply(d, u, now);
	if (why != DROP_NONE) {
		count_drop(d, p, why);
		return;
	}
	learn_endpoint(d, p, &u->ep);
	if (initiation) {
		log_debug("peer %s: handshake initiation received, responding", p->name);
		send_one(d, p, reply.msg, sizeof(reply.msg));
	} else {
		log_debug("peer %s: session established (initiator)", p->name);
		session_up(d, p);
		flush_queue(d, p, now);
		peer_run_timers(d, p, now);	/* a keepalive if nothing was sent */
	}
}

/* With vnet, the header goes into the 16 bytes of the data header in
 * front of the plaintext (no longer needed once opened). A packet that is
 * not a super-packet is marked DATA_VALID: the tag authenticated it, so
 * the kernel need not check its checksums again (as kernel WireGuard's
 * CHECKSUM_UNNECESSARY). */
static void tun_write_pkt(struct dataplane *d, uint8_t *pkt, size_t len,
			  const struct virtio_net_hdr *h)
{
	if (d->vnet) {
		struct virtio_net_hdr v = *h;

		if (!(v.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM))
			v.flags |= VIRTIO_NET_HDR_F_DATA_VALID;
		pkt -= OFFLOAD_HDR_LEN;
		memcpy(pkt, &v, OFFLOAD_HDR_LEN);
		len += OFFLOAD_HDR_LEN;
	}
	if (write(d->tun.fd, pkt, len) < 0)
		d->stats.tun_write_drops++;
}

static void tun_flush_gro(struct dataplane *d)
{
	struct virtio_net_hdr h;
	uint8_t *pkt = d->gro.pkt;
	size_t len;

	if (!pkt)
		return;
	len = offload_gro_finish(&d->gro, &h);
	tun_write_pkt(d, pkt, len, &h);
}

/* Inside a UDP GRO buffer, TCP segments of one flow are coalesced in
 * place (each datagram is longer than the plaintext it carries, so the
 * super-packet never catches up with the datagram being opened). */
static void tun_deliver(struct dataplane *d, uint8_t *pkt, size_t len)
{
	static const struct virtio_net_hdr none;

	if (d->rx_end && offload_gro_eligible(pkt, len)) {
		if (offload_gro_append(&d->gro, pkt, len))
			return;
		tun_flush_gro(d);
		offload_gro_start(&d->gro, pkt, len, (size_t)(d->rx_end - pkt));
		return;
	}
	tun_flush_gro(d);
	tun_write_pkt(d, pkt, len, &none);
}

/* What follows the protocol's verdict on a data packet: the source in
 * allowed IPs, the endpoint, a confirmed session's queue, the counters,
 * CoDel and the tun. */
static void rx_data_done(struct dataplane *d, struct udp_pkt *u, struct proto_rx *rx,
			 enum drop_reason why, uint64_t now)
{
	struct peer *p = peerset_owner(d->peers, rx->peer);

	if (why == DROP_NONE && rx->len &&
	    allowedips_lookup(&d->peers->aip, rx->inner.family, rx->inner.src) != p)
		why = DROP_SOURCE_NOT_ALLOWED;
	if (why == DROP_NONE)
		learn_endpoint(d, p, &u->ep);
	/* It authenticated and confirmed the session whatever its inner packet:
	 * the queue goes now, or it would leave after newer packets. */
	if (rx->session_ready) {
		log_debug("peer %s: session established (responder)", p->name);
		session_up(d, p);
		flush_queue(d, p, now);
	}
	if (why != DROP_NONE) {
		count_drop(d, p, why);
		return;
	}
	if (u->waited && rx->len && offload_gro_eligible(rx->data, rx->len) &&
	    codel_drop(&d->rx_codel, now, u->waited)) {
		d->stats.queue_delay_drops++;	/* p was touched by peerset_owner */
		return;
	}
	p->stats.rx_packets++;
	p->stats.rx_bytes += rx->len;
	if (rx->len)
		tun_deliver(d, rx->data, rx->len);
}

static void rx_data(struct dataplane *d, struct udp_pkt *u, uint64_t now)
{
	struct proto_rx rx = { 0 };
	enum drop_reason why = proto_consume_data(d->host, u->buf, u->len, now, &rx);

	rx_data_done(d, u, &rx, why, now);
}

/* workers > 1: the received data packets of a batch have their tags
 * checked on the workers (sealer.h); before and after, in arrival order
 * on this thread, what proto_consume_data does, then the rest of rx_data.
 * Any other message waits for the data packets before it (it may change
 * a keypair). */
static void rx_open_batch(struct dataplane *d)
{
	const uint8_t *rx_end = d->rx_end;	/* the buffer still being split */
	uint64_t now = timerq_now();

	if (!d->n_opening)
		return;
	sealer_run(d->sealer);
	for (unsigned i = 0; i < d->n_opening; i++) {
		struct rx_opening *r = &d->opening[i];

		if (r->rx_end != d->rx_end) {	/* GRO coalesces within one buffer */
			tun_flush_gro(d);
			d->rx_end = r->rx_end;
		}
		if (r->why == DROP_NONE)
			r->why = proto_open_finish(d->host, r->u.buf, r->u.len, now, &r->o, &r->rx);
		rx_data_done(d, &r->u, &r->rx, r->why, now);
	}
	tun_flush_gro(d);
	d->rx_end = rx_end;
	d->n_opening = 0;
}

static void rx_data_queue(struct dataplane *d, struct udp_pkt *u, uint64_t now)
{
	struct rx_opening *r;

	if (d->n_opening == DATAPLANE_OPENING_MAX)
		rx_open_batch(d);
	r = &d->opening[d->n_opening++];
	r->u = *u;
	r->rx_end = d->rx_end;
	r->o.opened = false;
	r->why = proto_open_prepare(d->host, u->buf, u->len, now, &r->o, &r->rx);
	if (r->why == DROP_NONE)
		sealer_add(d->sealer, &(struct sealer_job){ .kp = r->o.kp, .buf = u->buf,
				.len = u->len, .opened = &r->o.opened });
}

/* A cookie reply to one of our handshake messages: keep the cookie for
 * mac2 of the next one (sent at the next retry). */
static void rx_cookie(struct dataplane *d, struct udp_pkt *u, uint64_t now)
{
	struct index_entry *e = NULL;
	uint8_t cookie[COOKIE_LEN];
	struct peer *p;

	if (u->len == COOKIE_REPLY_LEN) {
		uint32_t index = cookie_reply_index(u->buf);

		e = index_table_lookup(&d->host->indices, index, INDEX_HANDSHAKE);
		if (!e)
			e = index_table_lookup(&d->host->indices, index, INDEX_KEYPAIR);
	}
	p = peerset_owner(d->peers, e ? e->peer : NULL);
	if (!e || cookie_reply_open(u->buf, u->len, e->peer->public_key, e->peer->last_mac1,
				    cookie) < 0) {
		count_drop(d, p, DROP_COOKIE_INVALID);
		return;
	}
	proto_peer_set_cookie(e->peer, cookie, now);
	sodium_memzero(cookie, sizeof(cookie));
	log_ratelimited(LOG_LEVEL_INFO, "peer %s: under load, it sent a cookie", p->name);
}

static void rx_datagram(struct dataplane *d, struct udp_pkt *u, uint64_t now)
{
	if (d->sealer && u->len && u->buf[0] == MSG_TYPE_DATA) {
		rx_data_queue(d, u, now);
		return;
	}
	if (d->sealer)
		rx_open_batch(d);	/* the data before it first */
	if (u->len == 0) {	/* empty, or cut: larger than any message */
		d->stats.unknown_type++;
		return;
	}
	switch (u->buf[0]) {
	case MSG_TYPE_INITIATION:
	case MSG_TYPE_RESPONSE:
		rx_handshake(d, u, now);
		break;
	case MSG_TYPE_COOKIE:
		rx_cookie(d, u, now);
		break;
	case MSG_TYPE_DATA:
		rx_data(d, u, now);
		break;
	default:
		d->stats.unknown_type++;
		break;
	}
}

/* One received buffer: a datagram, or with UDP GRO several of u->seg
 * bytes from one source. */
static void rx_buffer(struct dataplane *d, struct udp_pkt *u, uint64_t now)
{
	struct udp_pkt one = *u;

	if (!u->seg) {
		rx_datagram(d, u, now);
		return;
	}
	d->rx_end = d->vnet ? u->buf + u->cap : NULL;
	for (size_t off = 0; off < u->len; off += u->seg) {
		one.buf = u->buf + off;
		one.len = u->len - off < u->seg ? u->len - off : u->seg;
		one.cap = one.len;
		rx_datagram(d, &one, now);
	}
	tun_flush_gro(d);
	d->rx_end = NULL;
}

static void udp_drain(struct dataplane *d, int fd)
{
	uint64_t now = timerq_now();
	size_t bytes = 0;

	if (!d->rx_codel.interval)
		codel_init(&d->rx_codel, CODEL_TARGET, CODEL_INTERVAL);
	/* Bounded per wake-up so the tun and timers get their turn: by bytes
	 * (BURST_BYTES), not datagrams or buffers. */
	while (bytes < BURST_BYTES) {
		int n = udp_recv_batch(fd, &d->batch, d->rx, d->n_rx);

		if (n <= 0)
			break;
		for (int i = 0; i < n; i++) {
			bytes += d->rx[i].len;
			rx_buffer(d, &d->rx[i], now);
		}
		if (d->sealer)	/* before the buffers are read into again */
			rx_open_batch(d);
		flush_tx(d);
		if ((unsigned)n < d->n_rx)
			break;
		now = timerq_now();
	}
	if (d->sealer)		/* a handshake may have replaced a keypair */
		sealer_sweep(d->sealer);
}

static void dataplane_udp4_event(struct loop_fd *lfd, uint32_t events)
{
	(void)events;
	udp_drain(container_of(lfd, struct dataplane, udp4), lfd->fd);
}

static void dataplane_udp6_event(struct loop_fd *lfd, uint32_t events)
{
	(void)events;
	udp_drain(container_of(lfd, struct dataplane, udp6), lfd->fd);
}

static void dataplane_routes_event(struct loop_fd *lfd, uint32_t events)
{
	struct dataplane *d = container_of(lfd, struct dataplane, routes);

	(void)events;
	if (nl_monitor_drain(&d->nl_routes) > 0)
		d->link.generation++;
}

/* ---- setup ---- */

int dataplane_init(struct dataplane *d, struct peerset *peers, struct proto_host *host)
{
	memset(d, 0, sizeof(*d));
	d->peers = peers;
	d->host = host;
	d->tun.fd = -1;
	d->tun.on_event = dataplane_tun_event;
	d->udp.fd4 = d->udp.fd6 = -1;
	d->udp4.fd = d->udp6.fd = -1;
	d->udp4.on_event = dataplane_udp4_event;
	d->udp6.on_event = dataplane_udp6_event;
	d->routes.fd = -1;
	d->routes.on_event = dataplane_routes_event;
	d->link.mark = &d->udp.mark;
	d->workers = 1;
	return hsgate_init(&d->gate, host->public_key);
}

/* A fixed pool, allocated once: pages never written stay out of RSS. */
#define RX_POOL_SIZE (UDP_BATCH_MAX * sizeof(struct pkt))

int dataplane_buffers(struct dataplane *d)
{
	size_t cap = d->udp.gro ? UDP_GRO_BUF_SIZE : sizeof(struct pkt);

	d->rx_pool = malloc(RX_POOL_SIZE);
	d->tx_bufs = malloc(UDP_BATCH_MAX * sizeof(*d->tx_bufs));
	d->tun_buf = d->vnet ? malloc(OFFLOAD_HDR_LEN + OFFLOAD_MAX_PKT) : NULL;
	if (!d->rx_pool || !d->tx_bufs || (d->vnet && !d->tun_buf))
		return -1;
	d->n_rx = RX_POOL_SIZE / cap;
	if (d->n_rx > UDP_BATCH_MAX)
		d->n_rx = UDP_BATCH_MAX;
	for (unsigned i = 0; i < d->n_rx; i++) {
		d->rx[i].buf = d->rx_pool + i * cap;
		d->rx[i].cap = cap;
	}
	log_info("%s: tun offloads %s, UDP GSO %s, GRO %s", d->ifname, d->vnet ? "on" : "off",
		 d->udp.gso ? "on" : "off", d->udp.gro ? "on" : "off");
	return 0;
}

int dataplane_workers(struct dataplane *d, unsigned n)
{
	d->workers = 1;
	if (n <= 1)
		return 0;	/* today's path: proto_seal on the loop thread */
	d->sealer = malloc(sizeof(*d->sealer));
	d->opening = calloc(DATAPLANE_OPENING_MAX, sizeof(*d->opening));
	/* a batch: a send buffer's packets, or the data packets received */
	if (!d->sealer || !d->opening ||
	    sealer_init(d->sealer, n, DATAPLANE_OPENING_MAX, &d->host->indices) < 0) {
		log_err("cannot start %u worker threads", n - 1);
		free(d->sealer);
		free(d->opening);
		d->sealer = NULL;
		d->opening = NULL;
		return -1;
	}
	d->workers = n;
	return 0;
}

void dataplane_free(struct dataplane *d)
{
	if (d->sealer) {
		sealer_free(d->sealer);
		free(d->sealer);
		free(d->opening);
		d->sealer = NULL;
		d->opening = NULL;
	}
	if (d->tun.fd >= 0)
		close(d->tun.fd);	/* the device and its routes go with it */
	d->tun.fd = -1;
	udp_close(&d->udp);
	nl_close(&d->nl_routes);	/* none opened: nothing done */
	d->routes.fd = -1;
	hsgate_wipe(&d->gate);
	free(d->rx_pool);
	free(d->tx_bufs);
	free(d->tun_buf);
	d->rx_pool = d->tun_buf = NULL;
	d->tx_bufs = NULL;
}

/* The data paths: tun -> seal -> UDP, UDP -> open -> tun, handshakes and
 * the per-peer timers. Nothing here blocks: a full socket buffer or tun
 * queue drops the packet and counts it. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

/* Packets read from the tun per wake-up before the sockets get a turn. */
#define TUN_BURST UDP_BATCH_MAX

static void wall_timestamp(uint8_t out[TAI64N_LEN])
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	tai64n_encode(out, (uint64_t)ts.tv_sec, (uint32_t)ts.tv_nsec);
}

static void send_one(struct daemon *d, struct peer *p, const uint8_t *buf, size_t len)
{
	int fd = udp_fd_for(&d->udp, &p->endpoint);

	if (!p->has_endpoint || fd < 0) {
		d->stats.no_endpoint++;
		return;
	}
	if (sendto(fd, buf, len, MSG_DONTWAIT, &p->endpoint.sa, endpoint_len(&p->endpoint)) < 0)
		d->stats.udp_send_drops++;
}

static void flush_family(struct daemon *d, int fd, struct udp_pkt *pkts, unsigned n)
{
	unsigned off = 0;

	if (fd < 0) {
		d->stats.udp_send_drops += n;
		return;
	}
	while (off < n) {
		int sent = udp_send_batch(fd, &d->batch, pkts + off, n - off);

		if (sent == 0)		/* socket buffer full: drop the rest */
			break;
		/* A datagram that failed (say, no route to one peer) is
		 * skipped; the others in the batch still go out. */
		off += sent < 0 ? 1 : (unsigned)sent;
		if (sent < 0)
			d->stats.udp_send_drops++;
	}
	d->stats.udp_send_drops += n - off;
}

static void flush_tx(struct daemon *d)
{
	flush_family(d, d->udp.fd4, d->tx4, d->n_tx4);
	flush_family(d, d->udp.fd6, d->tx6, d->n_tx6);
	d->n_tx4 = d->n_tx6 = 0;
}

/* Seal the plaintext at buf + 16 for p; queue it if there is no session. */
static void seal_and_send(struct daemon *d, struct peer *p, uint8_t *buf, size_t len,
			  uint64_t now, bool batch)
{
	size_t out_len;

	if (!p->has_endpoint) {
		d->stats.no_endpoint++;
		return;
	}
	if (proto_seal(&p->proto, buf, len, d->mtu, now, &out_len) == PROTO_SEAL_NO_SESSION) {
		if (len)
			peer_queue_push(p, buf + PKT_HEADROOM, len);
		dataplane_reschedule(d, p, now);
		return;
	}
	p->stats.tx_bytes += len;
	p->stats.tx_packets++;
	if (batch) {
		struct udp_pkt *u;

		if (p->endpoint.sa.sa_family == AF_INET6)
			u = &d->tx6[d->n_tx6++];
		else
			u = &d->tx4[d->n_tx4++];
		u->buf = buf;
		u->len = out_len;
		endpoint_copy(&u->ep, &p->endpoint);
	} else {
		send_one(d, p, buf, out_len);
	}
	dataplane_reschedule(d, p, now);
}

static void flush_queue(struct daemon *d, struct peer *p, uint64_t now)
{
	struct pkt *q;

	while (proto_can_send(&p->proto, now) && (q = peer_queue_front(p))) {
		seal_and_send(d, p, q->data, q->len, now, false);
		peer_queue_pop(p);
	}
}

static void send_keepalive(struct daemon *d, struct peer *p, uint64_t now)
{
	uint8_t buf[PKT_HEADROOM + KEYPAIR_TAILROOM];

	seal_and_send(d, p, buf, 0, now, false);
}

static void send_initiation(struct daemon *d, struct peer *p, uint64_t now)
{
	uint8_t msg[HS_INITIATION_LEN], ts[TAI64N_LEN];

	wall_timestamp(ts);
	if (proto_create_initiation(&p->proto, now, ts, timers_draw_jitter(&d->timers), msg) < 0) {
		log_warn("peer %s: cannot create a handshake initiation", p->name);
		return;
	}
	log_debug("peer %s: sending handshake initiation", p->name);
	send_one(d, p, msg, sizeof(msg));
}

void dataplane_reschedule(struct daemon *d, struct peer *p, uint64_t now)
{
	uint64_t when = proto_next_deadline(&p->proto, now);

	if (when == PROTO_NEVER)
		timerq_remove(&d->timerq, &p->timer);
	else
		timerq_set(&d->timerq, &p->timer, when);
}

static void peer_run_timers(struct daemon *d, struct peer *p, uint64_t now)
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
	if (act & PROTO_EXPIRED)
		log_debug("peer %s: session expired", p->name);
	dataplane_reschedule(d, p, now);
}

uint64_t dataplane_run_timers(struct daemon *d, uint64_t now)
{
	struct timer *t;

	while ((t = timerq_pop_due(&d->timerq, now)))
		peer_run_timers(d, container_of(t, struct peer, timer), now);
	return timerq_next(&d->timerq);
}

/* ---- tun -> UDP ---- */

static void tun_packet(struct daemon *d, uint8_t *buf, size_t len, uint64_t now)
{
	struct ippkt ip;
	struct peer *p;

	if (ippkt_parse(buf + PKT_HEADROOM, len, &ip) < 0) {
		d->stats.tun_malformed++;
		return;
	}
	p = allowedips_lookup(&d->aip, ip.family, ip.dst);
	if (!p) {
		d->stats.no_route++;
		return;
	}
	seal_and_send(d, p, buf, ip.len, now, true);
}

void dataplane_tun_event(struct loop_fd *lfd, uint32_t events)
{
	struct daemon *d = container_of(lfd, struct daemon, tun);
	uint64_t now = timerq_now();

	(void)events;
	for (unsigned i = 0; i < TUN_BURST; i++) {
		uint8_t *buf = d->tx_bufs[d->n_tx4 + d->n_tx6].data;
		ssize_t n = read(lfd->fd, buf + PKT_HEADROOM, d->mtu);

		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn("read from %s: %s", d->ifname, strerror(errno));
			break;
		}
		if (n == 0)
			break;
		tun_packet(d, buf, (size_t)n, now);
	}
	flush_tx(d);
}

/* ---- UDP -> tun ---- */

static struct peer *owner(struct proto_peer *pp)
{
	return pp ? pp->owner : NULL;
}

/* An authenticated packet came from ep: the peer is there now (roaming). */
static void learn_endpoint(struct peer *p, const struct endpoint *ep)
{
	char buf[ENDPOINT_STRLEN];

	if (p->has_endpoint && endpoint_eq(&p->endpoint, ep))
		return;
	endpoint_copy(&p->endpoint, ep);
	p->has_endpoint = true;
	log_info("peer %s: endpoint %s", p->name, endpoint_format(ep, buf, sizeof(buf)));
}

static void count_drop(struct daemon *d, struct peer *p, enum drop_reason why)
{
	if (p)
		p->stats.drops[why]++;
	else
		d->stats.drops[why]++;
}

static void rx_initiation(struct daemon *d, struct udp_pkt *u, uint64_t now)
{
	uint8_t resp[HS_RESPONSE_LEN];
	struct proto_peer *pp = NULL;
	enum drop_reason why;
	struct peer *p;

	why = proto_consume_initiation(&d->host, u->buf, u->len, now, NULL, resp, &pp);
	p = owner(pp);
	if (why != DROP_NONE) {
		count_drop(d, p, why);
		return;
	}
	learn_endpoint(p, &u->ep);
	log_debug("peer %s: handshake initiation received, responding", p->name);
	send_one(d, p, resp, sizeof(resp));
	dataplane_reschedule(d, p, now);
}

static void rx_response(struct daemon *d, struct udp_pkt *u, uint64_t now)
{
	struct proto_peer *pp = NULL;
	enum drop_reason why;
	struct peer *p;

	why = proto_consume_response(&d->host, u->buf, u->len, now, NULL, &pp);
	p = owner(pp);
	if (why != DROP_NONE) {
		count_drop(d, p, why);
		return;
	}
	learn_endpoint(p, &u->ep);
	log_debug("peer %s: session established (initiator)", p->name);
	flush_queue(d, p, now);
	peer_run_timers(d, p, now);	/* a keepalive if nothing was sent */
}

static void rx_data(struct daemon *d, struct udp_pkt *u, uint64_t now)
{
	struct proto_rx rx = { 0 };
	enum drop_reason why;
	struct peer *p;

	why = proto_consume_data(&d->host, u->buf, u->len, now, &rx);
	p = owner(rx.peer);
	if (why != DROP_NONE) {
		count_drop(d, p, why);
		return;
	}
	if (rx.len && allowedips_lookup(&d->aip, rx.inner.family, rx.inner.src) != p) {
		count_drop(d, p, DROP_SOURCE_NOT_ALLOWED);
		return;
	}
	learn_endpoint(p, &u->ep);
	if (rx.session_ready) {
		log_debug("peer %s: session established (responder)", p->name);
		flush_queue(d, p, now);
	}
	p->stats.rx_packets++;
	p->stats.rx_bytes += rx.len;
	if (rx.len && write(d->tun.fd, rx.data, rx.len) < 0)
		d->stats.tun_write_drops++;
	dataplane_reschedule(d, p, now);
}

static void rx_datagram(struct daemon *d, struct udp_pkt *u, uint64_t now)
{
	if (u->len == 0) {	/* truncated: longer than any valid message */
		d->stats.drops[DROP_TOO_SHORT]++;
		return;
	}
	switch (u->buf[0]) {
	case MSG_TYPE_INITIATION:
		rx_initiation(d, u, now);
		break;
	case MSG_TYPE_RESPONSE:
		rx_response(d, u, now);
		break;
	case MSG_TYPE_DATA:
		rx_data(d, u, now);
		break;
	default:
		d->stats.unknown_type++;
		break;
	}
}

static void udp_drain(struct daemon *d, int fd)
{
	uint64_t now = timerq_now();

	/* Bounded per wake-up so the tun and timers get their turn. */
	for (unsigned round = 0; round < 4; round++) {
		int n = udp_recv_batch(fd, &d->batch, d->rx, UDP_BATCH_MAX);

		if (n <= 0)
			break;
		for (int i = 0; i < n; i++)
			rx_datagram(d, &d->rx[i], now);
		flush_tx(d);
		if (n < UDP_BATCH_MAX)
			break;
		now = timerq_now();
	}
}

void dataplane_udp4_event(struct loop_fd *lfd, uint32_t events)
{
	(void)events;
	udp_drain(container_of(lfd, struct daemon, udp4), lfd->fd);
}

void dataplane_udp6_event(struct loop_fd *lfd, uint32_t events)
{
	(void)events;
	udp_drain(container_of(lfd, struct daemon, udp6), lfd->fd);
}

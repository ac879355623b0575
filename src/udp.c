/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "udp.h"

/* Tries to find a port free for both families when the kernel picks one. */
#define UDP_PORT_TRIES 8

/* getaddrinfo of host (brackets taken off) with flags; the first IPv4 or
 * IPv6 answer. Nothing logged: the resolver thread calls it. */
static int lookup(const char *host, uint16_t port, int flags, struct endpoint *out,
		  char *err, size_t errlen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM,
				  .ai_protocol = IPPROTO_UDP,
				  .ai_flags = AI_NUMERICSERV | flags };
	struct addrinfo *res = NULL;
	char name[256], serv[8];
	const char *h = host;
	size_t n = strlen(host);
	int ret = -1, e;

	if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
		h++;
		n -= 2;
	}
	if (n == 0 || n >= sizeof(name)) {
		snprintf(err, errlen, "bad host name");
		return -1;
	}
	memcpy(name, h, n);
	name[n] = '\0';
	snprintf(serv, sizeof(serv), "%u", port);
	e = getaddrinfo(name, serv, &hints, &res);
	if (e) {
		snprintf(err, errlen, "%s", e == EAI_SYSTEM ? strerror(errno) : gai_strerror(e));
		return -1;
	}
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		if ((ai->ai_family == AF_INET || ai->ai_family == AF_INET6) &&
		    ai->ai_addrlen <= sizeof(*out)) {
			memset(out, 0, sizeof(*out));
			memcpy(out, ai->ai_addr, ai->ai_addrlen);
			ret = 0;
			break;
		}
	}
	if (ret < 0)
		snprintf(err, errlen, "no IPv4 or IPv6 address");
	freeaddrinfo(res);
	return ret;
}

int udp_lookup(const char *host, uint16_t port, struct endpoint *out, char *err, size_t errlen)
{
	return lookup(host, port, 0, out, err, errlen);
}

int udp_parse_numeric(const char *host, uint16_t port, struct endpoint *out)
{
	char err[64];

	return lookup(host, port, AI_NUMERICHOST, out, err, sizeof(err));
}

int udp_resolve(const char *host, uint16_t port, struct endpoint *out)
{
	char err[96];

	if (lookup(host, port, 0, out, err, sizeof(err)) == 0)
		return 0;
	log_err("resolve `%s': %s", host, err);
	return -1;
}

int udp_set_mark(struct udp *u, uint32_t mark)
{
	int fds[2] = { u->fd4, u->fd6 };

	for (int i = 0; i < 2; i++) {
		if (fds[i] >= 0 &&
		    setsockopt(fds[i], SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0) {
			log_err("udp: set fwmark %u: %s", mark, strerror(errno));
			return -1;
		}
	}
	u->mark = mark;
	return 0;
}

static void sock_bufs(int fd, const char *fam)
{
	static const int opts[2][2] = {
		{ SO_RCVBUFFORCE, SO_RCVBUF },
		{ SO_SNDBUFFORCE, SO_SNDBUF },
	};
	int size = UDP_SOCKBUF_SIZE;

	for (int i = 0; i < 2; i++) {
		/* FORCE ignores rmem_max/wmem_max but needs CAP_NET_ADMIN;
		 * without it the plain option is capped by the sysctl. */
		if (!setsockopt(fd, SOL_SOCKET, opts[i][0], &size, sizeof(size)))
			continue;
		if (setsockopt(fd, SOL_SOCKET, opts[i][1], &size, sizeof(size)))
			log_warn("udp %s: set socket buffer: %s", fam, strerror(errno));
	}
}

/* Path MTU discovery is off (IP_PMTUDISC_DONT / IPV6_PMTUDISC_DONT): the
 * outer IPv4 packets go without DF and the kernel fragments rather than
 * failing sends with EMSGSIZE after an ICMP "too big". The daemon does not
 * act on EMSGSIZE, so with DF set an underlay with a small MTU would be a
 * silent black hole; the tun MTU (1420 by default) is what keeps outer
 * packets under 1500 in the normal case.
 * IPv6 routers never fragment, so for v6 this means the sending kernel
 * fragments to the path MTU it learned instead of returning EMSGSIZE. */
static int sock_pmtu(int fd, int family)
{
	int v4 = IP_PMTUDISC_DONT, v6 = IPV6_PMTUDISC_DONT;

	if (family == AF_INET)
		return setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v4, sizeof(v4));
	return setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &v6, sizeof(v6));
}

static const char *fam_name(int family)
{
	return family == AF_INET ? "IPv4" : "IPv6";
}

/* Returns the fd; -1 with errno set (not logged: the caller decides). */
static int sock_bind(int family, uint16_t port, const char **step)
{
	struct endpoint ep = { 0 };
	int fd, one = 1;

	*step = "socket";
	fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return -1;
	*step = "IPV6_V6ONLY";
	ep.sa.sa_family = (sa_family_t)family;
	if (family == AF_INET) {
		ep.in4.sin_port = htons(port);
	} else {
		ep.in6.sin6_port = htons(port);
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)))
			goto fail;
	}
	*step = "IP_MTU_DISCOVER";
	if (sock_pmtu(fd, family))
		goto fail;
	/* which of our addresses each datagram came to: replies leave from it */
	*step = family == AF_INET ? "IP_PKTINFO" : "IPV6_RECVPKTINFO";
	if (family == AF_INET ? setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one))
			      : setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)))
		goto fail;
	*step = "bind";
	if (bind(fd, &ep.sa, endpoint_len(&ep)))
		goto fail;
	sock_bufs(fd, fam_name(family));
	/* Without the stamps, waited is 0 and the queue is not managed. */
	if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)))
		log_info("udp %s: no receive timestamps: %s", fam_name(family), strerror(errno));
	return fd;
fail:
	one = errno;
	close(fd);
	errno = one;
	return -1;
}

static uint16_t sock_port(int fd)
{
	struct endpoint ep = { 0 };
	socklen_t len = sizeof(ep);

	if (getsockname(fd, &ep.sa, &len))
		return 0;
	return ntohs(ep.sa.sa_family == AF_INET ? ep.in4.sin_port
						: ep.in6.sin6_port);
}

/* A family the host lacks (no IPv6 module, ipv6.disable=1, ...). */
static bool family_missing(int err)
{
	return err == EAFNOSUPPORT || err == EADDRNOTAVAIL ||
	       err == EPROTONOSUPPORT;
}

/* Open the v6 socket on the port the v4 one got; when the kernel chose that
 * port and it is taken for IPv6, start over with another. */
static int open_pair(struct udp *u, uint16_t port, const char **step)
{
	for (int try = 0; try < UDP_PORT_TRIES; try++) {
		u->fd4 = sock_bind(AF_INET, port, step);
		if (u->fd4 < 0) {
			if (!family_missing(errno))
				return -1;
			log_info("udp: IPv4 unavailable (%s), IPv6 only", strerror(errno));
			u->fd6 = sock_bind(AF_INET6, port, step);
			return u->fd6 < 0 ? -1 : 0;
		}
		u->port = sock_port(u->fd4);
		u->fd6 = sock_bind(AF_INET6, u->port, step);
		if (u->fd6 >= 0)
			return 0;
		if (family_missing(errno)) {
			log_info("udp: IPv6 unavailable (%s), IPv4 only", strerror(errno));
			return 0;
		}
		if (errno != EADDRINUSE || port != 0)
			return -1;
		close(u->fd4);
		u->fd4 = -1;
	}
	return -1;
}

int udp_open(struct udp *u, uint16_t port)
{
	const char *step = "";
	int err;

	u->fd4 = u->fd6 = -1;
	u->port = port;
	if (open_pair(u, port, &step) == 0) {
		u->port = sock_port(u->fd4 >= 0 ? u->fd4 : u->fd6);
		return 0;
	}
	err = errno;
	log_err("udp: listen on port %u: %s: %s", port, step, strerror(err));
	udp_close(u);
	errno = err;
	return -1;
}

void udp_close(struct udp *u)
{
	if (u->fd4 >= 0)
		close(u->fd4);
	if (u->fd6 >= 0)
		close(u->fd6);
	u->fd4 = u->fd6 = -1;
}

int udp_fd_for(const struct udp *u, const struct endpoint *ep)
{
	if (ep->sa.sa_family == AF_INET)
		return u->fd4;
	if (ep->sa.sa_family == AF_INET6)
		return u->fd6;
	return -1;
}

static bool sock_opt_on(int fd, int opt, int val)
{
	return fd < 0 || !setsockopt(fd, SOL_UDP, opt, &val, sizeof(val));
}

void udp_enable_offloads(struct udp *u, bool gso, bool gro)
{
	/* UDP_SEGMENT 0 as a socket option changes nothing: a probe. */
	u->gso = gso && sock_opt_on(u->fd4, UDP_SEGMENT, 0) && sock_opt_on(u->fd6, UDP_SEGMENT, 0);
	if (gso && !u->gso)
		log_info("udp: no UDP_SEGMENT (%s): one datagram per message", strerror(errno));
	u->gro = gro && sock_opt_on(u->fd4, UDP_GRO, 1) && sock_opt_on(u->fd6, UDP_GRO, 1);
	if (gro && !u->gro) {
		log_info("udp: no UDP_GRO (%s): one datagram per buffer", strerror(errno));
		sock_opt_on(u->fd4, UDP_GRO, 0);	/* v6 refused, v4 took it */
	}
}

/* A PKTINFO message naming ep's source address, at c; its CMSG_SPACE, or
 * 0 when ep has no source. The interface is left to routing (0), but a
 * link-local IPv6 source keeps its link. */
static size_t pktinfo_put(struct cmsghdr *c, const struct endpoint *ep)
{
	if (!ep->has_src)
		return 0;
	memset(c, 0, CMSG_SPACE(sizeof(struct in6_pktinfo)));
	if (ep->sa.sa_family == AF_INET) {
		struct in_pktinfo pi = { .ipi_spec_dst = ep->src4 };

		c->cmsg_level = IPPROTO_IP;
		c->cmsg_type = IP_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		return CMSG_SPACE(sizeof(pi));
	}
	if (ep->sa.sa_family == AF_INET6) {
		struct in6_pktinfo pi = { .ipi6_addr = ep->src6 };

		if (IN6_IS_ADDR_LINKLOCAL(&ep->src6))
			pi.ipi6_ifindex = ep->in6.sin6_scope_id;
		c->cmsg_level = IPPROTO_IPV6;
		c->cmsg_type = IPV6_PKTINFO;
		c->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(c), &pi, sizeof(pi));
		return CMSG_SPACE(sizeof(pi));
	}
	return 0;
}

/* The destination address of a received datagram, from its PKTINFO. */
static void pktinfo_get(struct msghdr *m, struct endpoint *ep)
{
	ep->has_src = false;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			ep->src4 = pi.ipi_addr;
			ep->has_src = true;
		} else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
			   c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			ep->src6 = pi.ipi6_addr;
			ep->has_src = true;
		}
	}
}

int udp_send_one(int fd, const void *buf, size_t len, const struct endpoint *ep)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} ctrl;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	struct msghdr m = { .msg_name = (void *)&ep->sa, .msg_namelen = endpoint_len(ep),
			    .msg_iov = &iov, .msg_iovlen = 1 };

	m.msg_control = ctrl.buf;
	m.msg_controllen = sizeof(ctrl.buf);	/* for CMSG_FIRSTHDR */
	m.msg_controllen = pktinfo_put(CMSG_FIRSTHDR(&m), ep);
	if (!m.msg_controllen)
		m.msg_control = NULL;
	if (sendmsg(fd, &m, MSG_DONTWAIT) >= 0)
		return 0;
	/* our address went away: let the kernel choose until the peer speaks */
	if (m.msg_control && (errno == EINVAL || errno == EADDRNOTAVAIL || errno == ENETUNREACH)) {
		m.msg_control = NULL;
		m.msg_controllen = 0;
		return sendmsg(fd, &m, MSG_DONTWAIT) < 0 ? -1 : 0;
	}
	return -1;
}

static void batch_fill(struct udp_batch *b, struct udp_pkt *pkts, unsigned n,
		       bool send)
{
	for (unsigned i = 0; i < n; i++) {
		struct msghdr *m = &b->mh[i].msg_hdr;

		b->iov[i].iov_base = pkts[i].buf;
		b->iov[i].iov_len = send ? pkts[i].len : pkts[i].cap;
		memset(m, 0, sizeof(*m));
		m->msg_name = &pkts[i].ep;
		m->msg_namelen = send ? endpoint_len(&pkts[i].ep) : sizeof(pkts[i].ep);
		m->msg_iov = &b->iov[i];
		m->msg_iovlen = 1;
		m->msg_control = b->ctrl[i].buf;
		if (!send) {
			m->msg_controllen = sizeof(b->ctrl[i].buf);
		} else {
			m->msg_controllen = sizeof(b->ctrl[i].buf);
			m->msg_controllen = pktinfo_put(CMSG_FIRSTHDR(m), &pkts[i].ep);
			if (!m->msg_controllen)
				m->msg_control = NULL;
		}
		b->mh[i].msg_len = 0;
	}
}

/* From the control messages: the UDP_GRO segment size (0 if the datagram
 * came alone) and the time it waited since the kernel stamped it (0 if
 * not stamped; wall is the time now on the same clock). */
static void recv_meta(struct msghdr *m, struct udp_pkt *pkt, uint64_t wall)
{
	pkt->seg = 0;
	pkt->waited = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(m); c; c = CMSG_NXTHDR(m, c)) {
		struct timespec ts;
		uint64_t at;
		int seg;

		if (c->cmsg_level == SOL_UDP && c->cmsg_type == UDP_GRO &&
		    c->cmsg_len >= CMSG_LEN(sizeof(seg))) {
			memcpy(&seg, CMSG_DATA(c), sizeof(seg));
			pkt->seg = seg > 0 ? (size_t)seg : 0;
		} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS &&
			   c->cmsg_len >= CMSG_LEN(sizeof(ts))) {
			memcpy(&ts, CMSG_DATA(c), sizeof(ts));
			at = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
			pkt->waited = wall > at ? wall - at : 0;
		}
	}
}

int udp_recv_batch(int fd, struct udp_batch *b, struct udp_pkt *pkts,
		   unsigned n)
{
	struct timespec now;
	uint64_t wall;
	int ret;

	if (n > UDP_BATCH_MAX)
		n = UDP_BATCH_MAX;
	batch_fill(b, pkts, n, false);
	do
		ret = recvmmsg(fd, b->mh, n, MSG_DONTWAIT, NULL);
	while (ret < 0 && errno == EINTR);
	if (ret < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		log_ratelimited(LOG_LEVEL_ERROR, "udp: recvmmsg on fd %d: %s", fd, strerror(errno));
		return -1;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	wall = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
	for (int i = 0; i < ret; i++) {
		struct msghdr *m = &b->mh[i].msg_hdr;

		pkts[i].len = (m->msg_flags & MSG_TRUNC) ? 0 : b->mh[i].msg_len;
		recv_meta(m, &pkts[i], wall);
		pktinfo_get(m, &pkts[i].ep);
		if (pkts[i].seg >= pkts[i].len)
			pkts[i].seg = 0;
	}
	return ret;
}

/* After a failed send: 0 for a full buffer, else -1 (logged, rate
 * limited) with errno kept for the caller's counters. */
static int send_error(const struct endpoint *ep)
{
	char dst[ENDPOINT_STRLEN];
	int err = errno;

	if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS)
		return 0;
	log_ratelimited(LOG_LEVEL_WARNING, "udp: send to %s: %s",
			endpoint_format(ep, dst, sizeof(dst)), strerror(err));
	errno = err;
	return -1;
}

/* A send refused because our source address went away (it was removed,
 * or the host moved): send without it, letting the kernel choose, until
 * the peer's next packet tells us the address it reaches us at now. True
 * if a source was dropped, so the caller tries once more. */
static bool drop_stale_src(const struct udp_pkt *pkts, unsigned n)
{
	bool any = false;

	/* ENETUNREACH: the kernel finds no route from a source that is gone */
	if (errno != EINVAL && errno != EADDRNOTAVAIL && errno != ENETUNREACH)
		return false;
	for (unsigned i = 0; i < n; i++) {
		any |= pkts[i].ep.has_src;
		((struct udp_pkt *)pkts)[i].ep.has_src = false;
	}
	return any;
}

int udp_send_batch(int fd, struct udp_batch *b, const struct udp_pkt *pkts,
		   unsigned n)
{
	int ret;

	if (n > UDP_BATCH_MAX)
		n = UDP_BATCH_MAX;
	/* sendmmsg does not write to the buffers or names */
	batch_fill(b, (struct udp_pkt *)pkts, n, true);
	do
		ret = sendmmsg(fd, b->mh, n, MSG_DONTWAIT);
	while (ret < 0 && errno == EINTR);
	if (ret < 0 && drop_stale_src(pkts, n))
		return udp_send_batch(fd, b, pkts, n);
	return ret < 0 ? send_error(&pkts[0].ep) : ret;
}

/* How many datagrams from pkts[0] one UDP_SEGMENT message can carry. */
static unsigned gso_run(const struct udp_pkt *pkts, unsigned n)
{
	size_t total = pkts[0].len;
	unsigned k = 1;

	while (k < n && k < UDP_GSO_MAX_SEGS && pkts[k].len <= pkts[0].len &&
	       total + pkts[k].len <= UDP_GSO_MAX_BYTES && endpoint_eq(&pkts[k].ep, &pkts[0].ep) &&
	       endpoint_src_eq(&pkts[k].ep, &pkts[0].ep)) {
		total += pkts[k].len;
		if (pkts[k++].len < pkts[0].len)
			break;	/* only the last may be shorter */
	}
	return k;
}

/* UDP_SEGMENT for a run of k > 1, then PKTINFO; the bytes used. */
static size_t gso_control(struct cmsghdr *c, const struct udp_pkt *first, unsigned k)
{
	uint16_t seg = (uint16_t)first->len;
	size_t used = 0;

	if (k > 1) {
		memset(c, 0, CMSG_SPACE(sizeof(seg)));
		c->cmsg_level = SOL_UDP;
		c->cmsg_type = UDP_SEGMENT;
		c->cmsg_len = CMSG_LEN(sizeof(seg));
		memcpy(CMSG_DATA(c), &seg, sizeof(seg));
		used = CMSG_SPACE(sizeof(seg));
		c = (struct cmsghdr *)((char *)c + used);
	}
	return used + pktinfo_put(c, &first->ep);
}

/* Messages for pkts, each a run of datagrams; counts[i] of message i. */
static unsigned gso_fill(struct udp_batch *b, const struct udp_pkt *pkts, unsigned n,
			 unsigned counts[UDP_BATCH_MAX])
{
	unsigned msgs = 0;

	batch_fill(b, (struct udp_pkt *)pkts, n, true);
	for (unsigned i = 0; i < n; msgs++) {
		struct msghdr *m = &b->mh[msgs].msg_hdr;
		unsigned k = gso_run(pkts + i, n - i);

		*m = b->mh[i].msg_hdr;
		m->msg_iovlen = k;
		/* message msgs <= i: its control buffer is free to rewrite */
		m->msg_control = b->ctrl[msgs].buf;
		m->msg_controllen = sizeof(b->ctrl[msgs].buf);
		m->msg_controllen = gso_control(CMSG_FIRSTHDR(m), &pkts[i], k);
		if (!m->msg_controllen)
			m->msg_control = NULL;
		counts[msgs] = k;
		i += k;
	}
	return msgs;
}

int udp_send_batch_gso(int fd, struct udp_batch *b, const struct udp_pkt *pkts,
		       unsigned n, bool *gso)
{
	unsigned counts[UDP_BATCH_MAX], msgs, sent = 0;
	int ret;

	if (!*gso)
		return udp_send_batch(fd, b, pkts, n);
	if (n > UDP_BATCH_MAX)
		n = UDP_BATCH_MAX;
	msgs = gso_fill(b, pkts, n, counts);
	do
		ret = sendmmsg(fd, b->mh, msgs, MSG_DONTWAIT);
	while (ret < 0 && errno == EINTR);
	/* Segments larger than the route's MTU (an outer link smaller than
	 * the tunnel needs): EMSGSIZE, or EINVAL before Linux 6.9. Datagrams
	 * sent alone the kernel fragments; GSO stays on for runs that fit.
	 * Tried before dropping the source: an EINVAL for a source that went
	 * away fails alone too, and udp_send_batch drops it then. */
	if (ret < 0 && counts[0] > 1 && (errno == EMSGSIZE || errno == EINVAL))
		return udp_send_batch(fd, b, pkts, counts[0]);
	if (ret < 0 && drop_stale_src(pkts, n))
		return udp_send_batch_gso(fd, b, pkts, n, gso);
	if (ret < 0 && counts[0] > 1 && (errno == EIO || errno == ENOPROTOOPT)) {
		log_info("udp: UDP_SEGMENT send refused (%s): one datagram per message from now",
			 strerror(errno));
		*gso = false;
		return udp_send_batch(fd, b, pkts, n);
	}
	if (ret < 0)
		return send_error(&pkts[0].ep);
	for (int i = 0; i < ret; i++)
		sent += counts[i];
	return (int)sent;
}

/* ovpnd's running state: setup in DESIGN.md's order, the event loop, and
 * teardown. The data paths are in dataplane.c, status output in status.c. */
#ifndef OVPN_DAEMON_H
#define OVPN_DAEMON_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "allowedips.h"
#include "conf.h"
#include "control.h"
#include "cookie.h"
#include "icmp.h"
#include "loop.h"
#include "netlink.h"
#include "offload.h"
#include "peer.h"
#include "proto.h"
#include "ratelimit.h"
#include "timerq.h"
#include "udp.h"

/* Drops that belong to no known peer, and data-path losses. */
struct daemon_stats {
	uint64_t drops[DROP_REASON_COUNT];	/* unknown index, bad mac1, ... */
	uint64_t unknown_type;			/* datagram of no message type */
	uint64_t no_route;			/* tun packet for no peer's allowed-ips */
	uint64_t unreachable_sent;		/* ICMP unreachable written for those */
	uint64_t no_endpoint;			/* for a peer whose address is unknown */
	uint64_t tun_malformed;			/* tun packet that is not IPv4/IPv6 */
	uint64_t tun_write_drops;		/* tun queue full */
	uint64_t udp_send_drops;		/* socket buffer full or send error */
	uint64_t udp_too_big;			/* refused with EMSGSIZE, not even fragmented */
	uint64_t routing_loop;			/* not sent: the endpoint's route is our tun */
	uint64_t cookies_sent;			/* under load: mac2 demanded */
};

/* Above this many handshake messages a second the daemon is under load:
 * it answers a handshake without a valid mac2 with a cookie, not a DH. */
#define HANDSHAKE_LOAD_THRESHOLD 50

struct daemon {
	struct conf *cfg;
	const struct daemon_opts *opts;
	uint64_t started;

	struct proto_host host;
	struct proto_timers timers;
	struct peer **peers;		/* each allocated alone: pointers to them live on */
	size_t n_peers;
	struct peer_index by_key;
	struct allowedips aip;
	struct timerq timerq;

	char ifname[IFNAMSIZ];
	int ifindex;
	unsigned mtu;
	struct nl nl;
	bool nl_open;
	struct nl nl_routes;		/* route change notifications */
	struct loop_fd routes;
	unsigned route_generation;	/* bumped on every route change */
	bool routes_added;

	struct loop loop;
	struct loop_fd tun;
	struct loop_fd udp4, udp6;
	struct loop_fd sig;
	struct udp udp;
	struct control ctl;

	/* Batches: received datagrams, and sealed packets to send per family.
	 * The receive pool is cut into UDP_BATCH_MAX packet buffers, or with
	 * UDP GRO into fewer of UDP_GRO_BUF_SIZE. */
	struct udp_batch batch;
	uint8_t *rx_pool;
	struct udp_pkt rx[UDP_BATCH_MAX];
	unsigned n_rx;
	struct pkt *tx_bufs;
	unsigned tx_used;		/* tx_bufs handed out since the last flush */
	struct udp_pkt tx4[UDP_BATCH_MAX], tx6[UDP_BATCH_MAX];
	unsigned n_tx4, n_tx6;

	/* tun offloads (vnet): a virtio_net_hdr on every tun read and write;
	 * one read may be a TCP super-packet, cut into tx_bufs. */
	bool vnet;
	uint8_t *tun_buf;		/* vnet: OFFLOAD_HDR_LEN + OFFLOAD_MAX_PKT */
	struct offload_gro gro;		/* tun writes being coalesced */
	const uint8_t *rx_end;		/* end of the GRO buffer being opened, or NULL */

	/* Handshake load: messages in the current and the previous second. */
	struct cookie_checker cookies;
	struct ratelimit limiter;
	uint64_t load_window;
	unsigned load_count, load_prev;

	struct icmp_limit icmp_limit;	/* ICMP unreachable for no-route packets */
	struct daemon_stats stats;
	bool stop;
	bool tun_gone;			/* the interface vanished: exit non-zero */
};

struct daemon_opts {
	int ready_fd;		/* daemonize_begin's fd, -1 in the foreground */
	const char *pidfile;	/* NULL: none */
	bool verbose;		/* -v: debug logging whatever log-level says */
};

/* Set up (tun, addresses, routes, sockets, control socket, privilege
 * drop), run until SIGTERM/SIGINT, tear down. Takes over cfg (leaving it
 * empty). Returns the exit status. */
int daemon_run(struct conf *cfg, const struct daemon_opts *opts);

/* peers.c: peers from the config, and reload */
int peers_setup(struct daemon *d);
void peers_teardown(struct daemon *d);
/* Add (at start) or remove (at exit) the kernel routes of routes = true peers. */
int routes_apply(struct daemon *d, bool add);
/* Re-read the config file: peers added, removed or changed take effect,
 * unchanged ones keep their sessions. A bad file changes nothing. 0 or -1. */
int daemon_reload(struct daemon *d);

/* dataplane.c */
void dataplane_tun_event(struct loop_fd *lfd, uint32_t events);
void dataplane_udp4_event(struct loop_fd *lfd, uint32_t events);
void dataplane_udp6_event(struct loop_fd *lfd, uint32_t events);
void dataplane_routes_event(struct loop_fd *lfd, uint32_t events);
/* Run the due timers of every peer; returns the next deadline. */
uint64_t dataplane_run_timers(struct daemon *d, uint64_t now);
/* Recompute a peer's deadline after its protocol state changed. */
void dataplane_reschedule(struct daemon *d, struct peer *p, uint64_t now);

/* status.c: the reply to the control socket's "show" and "show json". */
void status_render(struct daemon *d, struct strbuf *out, bool json);

#endif

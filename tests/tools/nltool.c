/* SPDX-License-Identifier: ISC */
/* Test helper for netlink.sh (not a test itself): drives src/tun.c and
 * src/netlink.c from the command line.
 *
 *   nltool hold NAME MTU [-v] [-d] [-a PREFIX]... [-r PREFIX]...
 *	open tun NAME, set MTU, add addresses, set up, add routes, with -d
 *	drop to nobody keeping only CAP_NET_ADMIN, print
 *	"ready NAME IFINDEX FLAGS", then hold the fd until SIGTERM or
 *	SIGINT; then delete the routes. Exit 1 if any step failed.
 *   nltool index NAME
 *   nltool mtu NAME MTU
 *   nltool route-add|route-del|addr-add|addr-del NAME PREFIX
 */
#include "config.h"

#include <arpa/inet.h>
#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "netlink.h"
#include "tun.h"

#define MAX_PREFIXES 16

struct prefix {
	int family;
	uint8_t addr[16];
	uint8_t plen;
};

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int prefix_parse(const char *s, struct prefix *p)
{
	char buf[64], *slash, *end;
	unsigned long plen;

	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (!slash)
		goto bad;
	*slash = '\0';
	p->family = strchr(buf, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(p->family, buf, p->addr) != 1)
		goto bad;
	errno = 0;
	plen = strtoul(slash + 1, &end, 10);
	if (errno || *end || end == slash + 1 || plen > 255)
		goto bad;
	p->plen = (uint8_t)plen;
	return 0;
bad:
	log_err("bad prefix `%s'", s);
	return -1;
}

struct hold {
	const char *name;
	unsigned mtu;
	bool vnet;
	bool drop;
	struct prefix addrs[MAX_PREFIXES], routes[MAX_PREFIXES];
	int naddrs, nroutes;
};

static int hold_args(struct hold *h, int argc, char **argv)
{
	int opt;

	while ((opt = getopt(argc, argv, "vda:r:")) != -1) {
		if (opt == 'v') {
			h->vnet = true;
		} else if (opt == 'd') {
			h->drop = true;
		} else if (opt == 'a' && h->naddrs < MAX_PREFIXES) {
			if (prefix_parse(optarg, &h->addrs[h->naddrs++]))
				return -1;
		} else if (opt == 'r' && h->nroutes < MAX_PREFIXES) {
			if (prefix_parse(optarg, &h->routes[h->nroutes++]))
				return -1;
		} else {
			return -1;
		}
	}
	return 0;
}

/* Routes in the main table, with the signature of the address calls. */
static int route_add_main(struct nl *nl, int ifindex, int family, const uint8_t *dst,
			  uint8_t plen)
{
	const struct nl_route r = { ifindex, family, dst, plen, RT_TABLE_MAIN };

	return nl_route_add(nl, &r);
}

static int route_del_main(struct nl *nl, int ifindex, int family, const uint8_t *dst,
			  uint8_t plen)
{
	const struct nl_route r = { ifindex, family, dst, plen, RT_TABLE_MAIN };

	return nl_route_del(nl, &r);
}

static int hold_setup(struct nl *nl, struct hold *h, int ifindex)
{
	if (nl_link_set_mtu(nl, ifindex, h->mtu))
		return -1;
	for (int i = 0; i < h->naddrs; i++)
		if (nl_addr_add(nl, ifindex, h->addrs[i].family,
				h->addrs[i].addr, h->addrs[i].plen))
			return -1;
	if (nl_link_set_up(nl, ifindex))
		return -1;
	for (int i = 0; i < h->nroutes; i++)
		if (route_add_main(nl, ifindex, h->routes[i].family,
				 h->routes[i].addr, h->routes[i].plen))
			return -1;
	return 0;
}

/* As the daemon will: the netlink socket stays usable afterwards. */
static int drop_privileges(void)
{
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
			 CAP_NET_ADMIN) ||
	    capng_change_id(65534, 65534,
			    CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING)) {
		log_err("drop privileges failed");
		return -1;
	}
	return 0;
}

/* Signals are blocked from start-up until here, so none is lost. */
static void hold_wait(const sigset_t *old)
{
	while (!stop)
		sigsuspend(old);
}

static int cmd_hold(struct nl *nl, int argc, char **argv, const sigset_t *old)
{
	struct hold h = { .name = argv[1] };
	char name[IFNAMSIZ];
	int fd, ifindex, fl, ret = 1;

	h.mtu = (unsigned)atoi(argv[2]);
	optind = 3;
	if (hold_args(&h, argc, argv))
		return 2;
	fd = tun_open(h.name, name, h.vnet);
	if (fd < 0)
		return 1;
	ifindex = nl_link_index(nl, name);
	if (ifindex < 0 || hold_setup(nl, &h, ifindex))
		goto out;
	if (h.drop && drop_privileges())
		goto out;
	fl = fcntl(fd, F_GETFL);
	printf("ready %s %d%s%s uid %u\n", name, ifindex,
	       (fl & O_NONBLOCK) ? " nonblock" : "",
	       (fcntl(fd, F_GETFD) & FD_CLOEXEC) ? " cloexec" : "",
	       (unsigned)getuid());
	fflush(stdout);
	hold_wait(old);
	ret = 0;
	for (int i = 0; i < h.nroutes; i++)
		if (route_del_main(nl, ifindex, h.routes[i].family,
				 h.routes[i].addr, h.routes[i].plen))
			ret = 1;
	printf("%s\n", ret ? "routes not all deleted" : "routes deleted");
out:
	close(fd);
	return ret;
}

static int cmd_prefix(struct nl *nl, const char *cmd, int ifindex,
		      const char *arg)
{
	static const struct {
		const char *name;
		int (*fn)(struct nl *, int, int, const uint8_t *, uint8_t);
	} cmds[] = {
		{ "route-add", route_add_main }, { "route-del", route_del_main },
		{ "addr-add", nl_addr_add }, { "addr-del", nl_addr_del },
	};
	struct prefix p;

	if (prefix_parse(arg, &p))
		return 1;
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmd, cmds[i].name))
			return cmds[i].fn(nl, ifindex, p.family, p.addr, p.plen) ? 1 : 0;
	return 2;
}

static int run(struct nl *nl, int argc, char **argv, const sigset_t *old)
{
	int ifindex;

	if (!strcmp(argv[0], "hold") && argc >= 3)
		return cmd_hold(nl, argc, argv, old);
	ifindex = nl_link_index(nl, argv[1]);
	if (ifindex < 0)
		return 1;
	if (!strcmp(argv[0], "index")) {
		printf("%d\n", ifindex);
		return 0;
	}
	if (!strcmp(argv[0], "mtu") && argc == 3)
		return nl_link_set_mtu(nl, ifindex, (unsigned)atoi(argv[2])) ? 1 : 0;
	if (argc == 3)
		return cmd_prefix(nl, argv[0], ifindex, argv[2]);
	return 2;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_term };
	sigset_t block, old;
	struct nl nl;
	int ret;

	log_set_ident("nltool");
	if (argc < 3) {
		fprintf(stderr, "usage: nltool hold|index|mtu|route-add|route-del|addr-add|addr-del NAME ...\n");
		return 2;
	}
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (nl_open(&nl))
		return 1;
	ret = run(&nl, argc - 1, argv + 1, &old);
	if (ret == 2)
		fprintf(stderr, "nltool: bad arguments\n");
	nl_close(&nl);
	return ret;
}

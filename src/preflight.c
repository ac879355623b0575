/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <errno.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "netlink.h"
#include "preflight.h"
#include "routing.h"

static int problem(const struct conf *cfg, unsigned line, const char *opt,
		   const char *msg, const char *value)
{
	if (line)
		log_err("%s:%u: %s: %s '%s'", cfg->file, line, opt, msg, value);
	else
		log_err("%s: %s: %s '%s'", cfg->file, opt, msg, value);
	return 1;
}

/* A sysfs attribute of a network device as a number, or -1. */
static long sysfs_number(const char *ifname, const char *attr)
{
	char path[96], buf[32];
	FILE *f;
	long v = -1;

	snprintf(path, sizeof(path), "/sys/class/net/%s/%s", ifname, attr);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (fgets(buf, sizeof(buf), f))
		v = strtol(buf, NULL, 0);
	fclose(f);
	return v;
}

/* An existing interface of that name must be a free tun: a tun that is not
 * persistent exists only while a program holds it, and a persistent one
 * has carrier while it is attached. */
static int check_interface(const struct conf *cfg)
{
	const char *name = cfg->interface;
	long flags;

	if (!name[0] || !if_nametoindex(name))
		return 0;
	flags = sysfs_number(name, "tun_flags");
	if (flags < 0)
		return problem(cfg, cfg->interface_line, "interface",
			       "exists and is not a tun device", name);
	if (flags & IFF_TAP)
		return problem(cfg, cfg->interface_line, "interface",
			       "exists and is a tap device, not a tun", name);
	if (!(flags & IFF_PERSIST) || sysfs_number(name, "carrier") == 1)
		return problem(cfg, cfg->interface_line, "interface",
			       "is a tun in use by another program", name);
	return 0;
}

/* The socket's directory, or its parent (the daemon makes the last level). */
static int check_socket_dir(const struct conf *cfg)
{
	char dir[4096], *slash;
	struct stat st;

	snprintf(dir, sizeof(dir), "%s", cfg->control_socket);
	for (int level = 0; level < 2; level++) {
		slash = strrchr(dir, '/');
		if (!slash || slash == dir)
			return 0;
		*slash = '\0';
		if (stat(dir, &st) == 0)
			return S_ISDIR(st.st_mode) ? 0 :
			       problem(cfg, cfg->control_socket_line, "control-socket",
				       "its directory is not a directory", cfg->control_socket);
		if (errno != ENOENT)
			break;
	}
	return problem(cfg, cfg->control_socket_line, "control-socket",
		       "its directory does not exist", cfg->control_socket);
}

static int check_routes(const struct conf *cfg, struct routing *rt)
{
	int n = 0;

	for (size_t i = 0; i < cfg->n_peers; i++) {
		const struct conf_peer *p = &cfg->peers[i];

		for (size_t j = 0; p->routes && j < p->n_allowed_ips; j++) {
			const struct cidr *c = &p->allowed_ips[j];
			struct nl_route r = { .family = c->family, .dst = c->addr,
					      .plen = c->prefix_len,
					      .table = routing_table_for(rt, c) };
			char text[CIDR_STRLEN], dev[IF_NAMESIZE] = "none", msg[128];
			int oif = nl_route_find(rt->nl, &r);

			if (oif == 0 || oif == -EAFNOSUPPORT)
				continue;
			if (oif > 0 && !if_indextoname((unsigned)oif, dev))
				snprintf(dev, sizeof(dev), "#%d", oif);
			cidr_format(c, text);
			snprintf(msg, sizeof(msg), "a route to this prefix exists in table %u "
				 "(dev %s), not this daemon's", r.table, dev);
			n += problem(cfg, p->allowed_ips_line, "allowed-ips", msg, text);
		}
	}
	return n;
}

int preflight_check(const struct conf *cfg)
{
	struct nl nl = { 0 };
	struct routing rt = { .nl = &nl, .table = cfg->table,
			      .mark = cfg->fwmark ? cfg->fwmark : CONF_FWMARK_AUTO };
	int n = check_interface(cfg) + check_socket_dir(cfg);

	if (cfg->table == CONF_TABLE_OFF)
		return n;
	if (nl_open(&nl) < 0)
		return n + 1;
	n += check_routes(cfg, &rt);
	nl_close(&nl);
	return n;
}

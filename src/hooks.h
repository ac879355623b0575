/* SPDX-License-Identifier: ISC */
/* Interface hooks: pre-up, post-up, pre-down, post-down shell commands
 * (%i: the interface name, %%: a percent sign), each run by /bin/sh -c.
 *
 * Up-hooks run in the daemon, as root, before the privilege drop. Down-hooks
 * run in a helper forked before the drop that keeps the start-up
 * privileges: it holds only a pipe to the daemon, knows only the commands
 * of the config read at start, and runs them when asked (or when the daemon
 * dies without asking, so a killed daemon still undoes its hooks). */
#ifndef OVPN_HOOKS_H
#define OVPN_HOOKS_H

#include <stdbool.h>
#include <sys/types.h>

#include "conf.h"

struct hooks {
	pid_t helper;		/* 0: none */
	int fd;			/* to the helper; -1: none */
	bool armed;		/* the up-hooks ran: the down-hooks are due */
};

/* Run one hook for ifname now, in this process; 0 when it is not set or
 * exited 0, else -1 (logged with its status). */
int hooks_run(const struct conf *cfg, enum conf_hook which, const char *ifname);
/* Fork the down-hook helper (when a down-hook is set) with the commands
 * of cfg and ifname fixed; call before the privilege drop. The helper
 * closes every fd but its socket and stdin/out/err. 0 or -1. */
int hooks_start(struct hooks *h, const struct conf *cfg, const char *ifname);
/* The up-hooks are done: from now on the down-hooks run at the end. */
void hooks_arm(struct hooks *h);
/* Run a down-hook through the helper (nothing unless armed); 0 or -1. */
int hooks_down(struct hooks *h, enum conf_hook which);
/* Let the helper go (it runs nothing more unless still armed) and reap it. */
void hooks_stop(struct hooks *h);

#endif

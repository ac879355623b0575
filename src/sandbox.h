/* SPDX-License-Identifier: ISC */
/* The seccomp sandbox: after the privilege drop, an allowlist of the
 * system calls ovpnd's jobs need (event loop, data path, control socket,
 * netlink routes, reload, logging, exit); any other call kills the whole
 * process. The table is in sandbox.c, one line per job. */
#ifndef OVPN_SANDBOX_H
#define OVPN_SANDBOX_H

#include <stdbool.h>

enum sandbox_mode {
	SANDBOX_OFF = 0,	/* sandbox = false */
	SANDBOX_ON = 1,		/* sandbox = true (default): kill on a call outside the list */
	SANDBOX_LOG = 2,	/* sandbox = log: allow it, the kernel logs it (debugging) */
};

/* "true", "false", "log"; -1 for anything else. */
int sandbox_mode_parse(const char *text);
/* "on", "off", "log" as ovpnctl show prints them. */
const char *sandbox_mode_name(enum sandbox_mode mode);
/* Whether the kernel can enforce mode (nothing to check when off): 0, or
 * -1 after one error line. Run before set-up touches the system. */
int sandbox_check(enum sandbox_mode mode);
/* Install the allowlist on every thread of the process. 0 or -1 (logged). */
int sandbox_apply(enum sandbox_mode mode);
/* Every name in the table is a system call libseccomp knows: 0, or -1
 * naming the first that is not (for the unit test). */
int sandbox_table_check(const char **bad);

#endif

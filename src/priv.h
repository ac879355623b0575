/* SPDX-License-Identifier: ISC */
/* Privileges: check what the daemon holds at start, and drop to an
 * unprivileged account that keeps only CAP_NET_ADMIN, failing closed. */
#ifndef OVPN_PRIV_H
#define OVPN_PRIV_H

#include <stdbool.h>
#include <sys/types.h>

/* At start: true when the process can do what setup needs (root, or
 * CAP_NET_ADMIN in its effective set). Logs one line naming what is missing. */
bool priv_check_start(void);

/* Whether the process runs as root (then priv_drop must drop). */
bool priv_is_root(void);

/* Drop to uid/gid: supplementary groups cleared, bounding and ambient sets
 * cleared, only CAP_NET_ADMIN kept (permitted and effective), no_new_privs
 * set; then verify the result. Started unprivileged, only no_new_privs is set
 * and the capability sets are verified. Returns -1 on any failure: the
 * caller must exit. */
int priv_drop(uid_t uid, gid_t gid);

/* Verify from /proc/self/status that the process runs as uid/gid with no
 * supplementary groups, exactly CAP_NET_ADMIN in CapEff and CapPrm (and in
 * CapBnd when exact_bounding), nothing in CapInh or CapAmb, and NoNewPrivs
 * set; and that setuid(0) fails. */
int priv_verify(uid_t uid, gid_t gid, bool exact_bounding);

#endif

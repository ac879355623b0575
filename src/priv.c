/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <cap-ng.h>
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "log.h"
#include "priv.h"

#define NET_ADMIN_MASK (UINT64_C(1) << CAP_NET_ADMIN)

bool priv_is_root(void)
{
	return geteuid() == 0;
}

bool priv_check_start(void)
{
	if (priv_is_root())
		return true;
	if (capng_get_caps_process() == 0 &&
	    capng_have_capability(CAPNG_EFFECTIVE, CAP_NET_ADMIN))
		return true;
	log_err("missing capability CAP_NET_ADMIN: run ovpnd as root, or give it "
		"CAP_NET_ADMIN (systemd: AmbientCapabilities=CAP_NET_ADMIN)");
	return false;
}

static int priv_change_id(uid_t uid, gid_t gid)
{
	capng_clear(CAPNG_SELECT_ALL);
	if (capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET,
			 CAP_NET_ADMIN) < 0) {
		log_err("privilege drop: cannot select CAP_NET_ADMIN");
		return -1;
	}
	/* Shrink the bounding set to CAP_NET_ADMIN while CAP_SETPCAP is still
	 * held: capng_change_id's CAPNG_CLEAR_BOUNDING would empty it. */
	if (capng_apply(CAPNG_SELECT_BOUNDS) < 0) {
		log_err("privilege drop: cannot reduce the bounding set: %s", strerror(errno));
		return -1;
	}
	if (capng_change_id((int)uid, (int)gid, CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_AMBIENT) < 0) {
		/* libcap-ng 0.8.3 may leave KEEPCAPS set on failure: clear it. */
		prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
		log_err("privilege drop to uid %u gid %u failed: %s", (unsigned)uid,
			(unsigned)gid, strerror(errno));
		return -1;
	}
	prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	return 0;
}

int priv_drop(uid_t uid, gid_t gid)
{
	bool started_as_root = priv_is_root();

	if (started_as_root) {
		if (priv_change_id(uid, gid) < 0)
			return -1;
	} else {
		/* Started unprivileged (systemd User= + AmbientCapabilities=):
		 * keep CAP_NET_ADMIN, shed anything else that came along. */
		uid = getuid();
		gid = getgid();
		capng_clear(CAPNG_SELECT_ALL);
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED | CAPNG_BOUNDING_SET,
			     CAP_NET_ADMIN);
		if (capng_apply(CAPNG_SELECT_ALL) < 0) {
			log_err("cannot reduce capabilities to CAP_NET_ADMIN: %s", strerror(errno));
			return -1;
		}
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		log_err("cannot set no_new_privs: %s", strerror(errno));
		return -1;
	}
	/* Unprivileged, the bounding set cannot shrink (no CAP_SETPCAP); with
	 * no_new_privs set it can no longer grant anything either. */
	return priv_verify(uid, gid, started_as_root);
}

/* Parse the value of "Key:" in /proc/self/status into buf. */
static int status_field(const char *status, const char *key, char *buf, size_t size)
{
	size_t klen = strlen(key);
	const char *p = status;

	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == ':') {
			const char *v = p + klen + 1;
			size_t n;

			v += strspn(v, " \t");
			n = strcspn(v, "\n");
			if (n >= size)
				return -1;
			memcpy(buf, v, n);
			buf[n] = '\0';
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

static bool status_hex_is(const char *status, const char *key, uint64_t want)
{
	char buf[64];

	return status_field(status, key, buf, sizeof(buf)) == 0 &&
	       strtoull(buf, NULL, 16) == want;
}

static bool status_ids_are(const char *status, const char *key, unsigned id)
{
	char buf[128], want[128];

	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", id, id, id, id);
	return status_field(status, key, buf, sizeof(buf)) == 0 && !strcmp(buf, want);
}

static int read_status(char *buf, size_t size)
{
	FILE *f = fopen("/proc/self/status", "re");
	size_t n;

	if (!f)
		return -1;
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	return 0;
}

int priv_verify(uid_t uid, gid_t gid, bool exact_bounding)
{
	char status[8192], groups[256];
	const char *failed = NULL;

	if (read_status(status, sizeof(status)) < 0)
		failed = "cannot read /proc/self/status";
	else if (!status_ids_are(status, "Uid", (unsigned)uid))
		failed = "uid is not the configured user's";
	else if (!status_ids_are(status, "Gid", (unsigned)gid))
		failed = "gid is not the configured group's";
	else if (status_field(status, "Groups", groups, sizeof(groups)) < 0 || groups[0])
		failed = "supplementary groups remain";
	else if (!status_hex_is(status, "CapEff", NET_ADMIN_MASK) ||
		 !status_hex_is(status, "CapPrm", NET_ADMIN_MASK))
		failed = "capability sets are not exactly CAP_NET_ADMIN";
	else if (exact_bounding && !status_hex_is(status, "CapBnd", NET_ADMIN_MASK))
		failed = "the bounding set is not exactly CAP_NET_ADMIN";
	else if (!status_hex_is(status, "CapInh", 0) || !status_hex_is(status, "CapAmb", 0))
		failed = "inheritable or ambient capabilities remain";
	else if (!status_hex_is(status, "NoNewPrivs", 1))
		failed = "no_new_privs is not set";
	else if (uid != 0 && setuid(0) == 0)
		failed = "setuid(0) succeeded";
	if (failed) {
		char eff[32] = "?", prm[32] = "?", bnd[32] = "?";

		status_field(status, "CapEff", eff, sizeof(eff));
		status_field(status, "CapPrm", prm, sizeof(prm));
		status_field(status, "CapBnd", bnd, sizeof(bnd));
		log_err("privilege drop check failed: %s (CapEff %s CapPrm %s CapBnd %s)",
			failed, eff, prm, bnd);
		return -1;
	}
	return 0;
}

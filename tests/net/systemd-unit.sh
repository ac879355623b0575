#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The systemd side of an install, checked with systemd's own tools:
# - the unit this build installs passes `systemd-analyze verify` without a
#   word, scores 2.5 or better in `systemd-analyze security`, is Type=notify,
#   reloads through ovpnctl, does not restart after a bad config (78), and
#   names this build's directories;
# - the daemon runs with no more than the unit's CapabilityBoundingSet and
#   NoNewPrivileges (traffic flows between two such daemons);
# - sysusers.d creates the ovpn account, tmpfiles.d the directories with
#   their modes (in a scratch root).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
need_cmd systemd-analyze
need_cmd systemd-sysusers
need_cmd setpriv
unit=$top_builddir/conf/ovpnd@.service
[ -f "$unit" ] || hard_error "build conf/ovpnd@.service first"
define() { sed -n "s/^#define $1 \"\(.*\)\"$/\1/p" "$top_builddir/config.h"; }
confdir=$(define OVPN_CONFDIR); rundir=$(define OVPN_RUNDIR); user=$(define OVPN_USER)
[ -n "$confdir" ] && [ -n "$rundir" ] || hard_error "no OVPN_CONFDIR or OVPN_RUNDIR in config.h"

has() { grep -qxF "$1" "$unit" || fail "the unit lacks '$1'"; }
has "Type=notify"
has "RestartPreventExitStatus=78"
has "After=network-online.target nss-lookup.target"
grep -qx "ExecStart=/.*/ovpnd -f -c $confdir/%i.conf" "$unit" || fail "ExecStart does not read $confdir"
grep -qx "ExecReload=/.*/ovpnctl -s $rundir/%i.sock reload" "$unit" || fail "ExecReload is not ovpnctl reload"
has "ReadWritePaths=$rundir"

# verify wants the programs where the unit says: point it at the build.
sed "s|=/[^ ]*/sbin/ovpn|=$SRC/ovpn|" "$unit" >"$TMP/ovpnd@test.service"
systemd-analyze verify --man=no "$TMP/ovpnd@test.service" >"$TMP/verify.out" 2>&1 ||
	fail "systemd-analyze verify: $(cat "$TMP/verify.out")"
[ -s "$TMP/verify.out" ] && fail "systemd-analyze verify is not clean: $(cat "$TMP/verify.out")"
for page in $(sed -n 's/^Documentation=//p' "$unit"); do
	p=${page#man:}; f=$top_srcdir/man/${p%(*}.${p##*(}; f=${f%)}
	[ -f "$f" ] || fail "the unit documents $page: no $f"
done
score=$(systemd-analyze security --offline=yes "$TMP/ovpnd@test.service" 2>&1 |
	sed -n 's/.*Overall exposure level for .*: \([0-9.]*\) .*/\1/p')
[ -n "$score" ] || fail "no security score"
awk -v s="$score" 'BEGIN { exit !(s <= 2.5) }' || fail "systemd-analyze security: $score, want 2.5 or less"
say "verify clean; security exposure $score"

# The unit's capabilities are all the daemon gets: two daemons that start
# with only those (and no_new_privs) still talk.
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit" | tr 'A-Z' 'a-z' | sed 's/cap_/+/g; s/ /,/g')
[ -n "$caps" ] || fail "no CapabilityBoundingSet"
two_hosts
host_conf "$TMP/x.conf" x x 10.77.0.1/24 y y 192.0.2.2:51820 10.77.0.2/32
host_conf "$TMP/y.conf" y y 10.77.0.2/24 x x 192.0.2.1:51820 10.77.0.1/32
OVPND_WRAPPER="setpriv --bounding-set=-all,$caps --no-new-privs" start_ovpnd X "$TMP/x.conf"
OVPND_WRAPPER="setpriv --bounding-set=-all,$caps --no-new-privs" start_ovpnd Y "$TMP/y.conf"
ping_ok X 10.77.0.2 || fail "no traffic with only the unit's capabilities ($caps)"
say "runs with the unit's bounding set: $caps"

# sysusers.d and tmpfiles.d, applied to a scratch root.
mkdir -p "$TMP/root/etc"
systemd-sysusers --root="$TMP/root" "$top_builddir/conf/ovpn.sysusers" >/dev/null 2>&1 ||
	fail "systemd-sysusers refused conf/ovpn.sysusers"
grep -q "^$user:x:[0-9]*:[0-9]*:.*:/nonexistent:/usr/sbin/nologin$" "$TMP/root/etc/passwd" ||
	fail "sysusers.d made no $user account: $(cat "$TMP/root/etc/passwd")"
systemd-tmpfiles --create --root="$TMP/root" "$top_builddir/conf/ovpn.tmpfiles" ||
	fail "systemd-tmpfiles refused conf/ovpn.tmpfiles"
modes=$(cd "$TMP/root" && stat -c '%a %n' ".$confdir" ".$confdir/keys" ".$rundir" | tr '\n' ' ')
[ "$modes" = "755 .$confdir 700 .$confdir/keys 755 .$rundir " ] || fail "tmpfiles.d made: $modes"
say "sysusers.d: $(grep "^$user:" "$TMP/root/etc/passwd"); tmpfiles.d: $modes"

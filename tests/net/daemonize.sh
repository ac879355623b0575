#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Without -f ovpnd detaches: the command returns 0 only once the daemon is
# up (tun present, pidfile written), and returns non-zero with the error on
# stderr when start-up fails.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
pair_setup
chmod 755 "$TMP"
nsx X "$SRC/ovpnd" -c "$TMP/x.conf" -p "$TMP/x.pid" 2>"$TMP/start.err"; rc=$?
[ "$rc" = 0 ] || fail "detached start exited $rc: $(cat "$TMP/start.err")"
nsx X ip link show ovpn-x >/dev/null || fail "ovpn-x not up when ovpnd returned"
pid=$(cat "$TMP/x.pid") || fail "no pidfile"
track_pid "$pid"
kill -0 "$pid" || fail "pidfile names no running process"
[ "$(cat "/proc/$pid/comm")" = ovpnd ] || fail "pidfile names $(cat "/proc/$pid/comm")"
[ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ] || fail "daemon is not a session leader"
# The device, not the path: seen from outside ip netns exec's mount
# namespace in a chroot, the link reads ROOT/dev/null.
[ "$(stat -L -c '%t:%T' "/proc/$pid/fd/2")" = 1:3 ] || fail "daemon's stderr still attached"
say "detached: pid $pid, tun up before the command returned"

# A second daemon on the same port fails: non-zero, the reason on stderr.
# (Its peer's route is another prefix: the same one would be refused first.)
sed 's/ovpn-x/ovpn-x2/; s/x\.sock/x2.sock/; s|10\.77\.0\.2/32|10.77.0.99/32|' "$TMP/x.conf" >"$TMP/x2.conf"
nsx X "$SRC/ovpnd" -c "$TMP/x2.conf" 2>"$TMP/fail.err"; rc=$?
[ "$rc" != 0 ] || fail "a failing detached start exited 0"
grep -q 'port 51820' "$TMP/fail.err" || fail "no reason on stderr: $(cat "$TMP/fail.err")"
nsx X ip link show ovpn-x2 >/dev/null 2>&1 && fail "failed daemon left ovpn-x2 behind"
say "failed start: exit $rc, '$(head -n 1 "$TMP/fail.err")'"

stop_pid "$pid" || fail "daemon did not stop on SIGTERM"
nsx X ip link show ovpn-x >/dev/null 2>&1 && fail "ovpn-x left behind after SIGTERM"
exit 0

#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The privilege drop, checked on running daemons:
# - as root: /proc/PID/status shows nobody/nogroup, no supplementary groups,
#   CapEff = CapPrm = CapBnd = CAP_NET_ADMIN only, nothing ambient or
#   inheritable, NoNewPrivs 1; traffic flows; the key file is no longer
#   readable by the daemon; its routes are removed at exit, after the drop;
# - started as nobody with only CAP_NET_ADMIN (setpriv, as systemd's
#   AmbientCapabilities does): runs; with no capability: one clear error;
# - an unknown user: a clear error naming it, and nothing left behind.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
need_cmd setpriv
pair_setup -a 10.77.9.0/24
pair_start -n; px=$PX
ping_ok X 10.77.0.2 || fail "no traffic through the tunnel after the drop"

field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"; }
expect() { # PID FIELD VALUE
	v=$(field "$1" "$2" | tr -s '\t ' ' ' | sed 's/ $//')
	[ "$v" = "$3" ] || fail "$2 of ovpnd is '$v', want '$3'"
}
nobody=$(id -u nobody); nogroup=$(getent group nogroup | cut -d: -f3)
expect "$px" Uid "$nobody $nobody $nobody $nobody"
expect "$px" Gid "$nogroup $nogroup $nogroup $nogroup"
expect "$px" Groups ""
expect "$px" CapEff 0000000000001000
expect "$px" CapPrm 0000000000001000
expect "$px" CapBnd 0000000000001000
expect "$px" CapInh 0000000000000000
expect "$px" CapAmb 0000000000000000
expect "$px" NoNewPrivs 1
say "running ovpnd: uid/gid nobody, no groups, CAP_NET_ADMIN only, NoNewPrivs"

# The key was read before the drop and is closed; nobody cannot read it.
ls -l "/proc/$px/fd" 2>/dev/null | grep -q 'x\.key' && fail "ovpnd keeps the key file open"
setpriv --reuid=nobody --regid=nogroup --clear-groups cat "$TMP/x.key" >/dev/null 2>&1 &&
	fail "the daemon's account can read the private key file"

# Routes of allowed-ips are there while running and removed at exit by the
# dropped daemon (CAP_NET_ADMIN kept for it).
nsx X ip route show 10.77.9.0/24 | grep -q ovpn-x || fail "route for 10.77.9.0/24 missing"
stop_pid "$px" || fail "ovpnd did not exit on SIGTERM"
grep -q 'ovpn-x: removed 2 routes$' "$TMP/ovpnd-X.log" || fail "routes not removed at exit: $(grep route "$TMP/ovpnd-X.log")"
[ -z "$(nsx X ip route show proto 77)" ] || fail "ovpn routes left behind"
say "routes removed at exit after the drop"

# Started unprivileged with only CAP_NET_ADMIN, as systemd would.
mkdir -p "$TMP/nobody"; chown nobody:nogroup "$TMP/nobody"
cp "$TMP/x.key" "$TMP/nobody/x.key"; chown nobody:nogroup "$TMP/nobody/x.key"; chmod 600 "$TMP/nobody/x.key"
sed -e "s|$TMP/x.key|$TMP/nobody/x.key|" -e "s|$TMP/x.sock|$TMP/nobody/x.sock|" "$TMP/x.conf" >"$TMP/nobody/x.conf"
chmod 755 "$TMP"
OVPND_WRAPPER="$(tun_open_to_all) setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=+net_admin --ambient-caps=+net_admin" \
	start_ovpnd X "$TMP/nobody/x.conf"; pn=$OVPND_PID
ping_ok X 10.77.0.2 || fail "no traffic with ovpnd started as nobody with CAP_NET_ADMIN"
expect "$pn" CapEff 0000000000001000
expect "$pn" CapAmb 0000000000000000
expect "$pn" NoNewPrivs 1
stop_pid "$pn"
say "started as nobody with CAP_NET_ADMIN: runs, keeps only CAP_NET_ADMIN"

out=$(nsx X setpriv --reuid=nobody --regid=nogroup --clear-groups --inh-caps=-all \
	"$SRC/ovpnd" -f -c "$TMP/nobody/x.conf" 2>&1); rc=$?
[ "$rc" != 0 ] || fail "ovpnd without capabilities started"
echo "$out" | grep -q 'missing capability CAP_NET_ADMIN' || fail "unclear error without capabilities: $out"
nsx X ip link show ovpn-x >/dev/null 2>&1 && fail "tun left behind"
say "without CAP_NET_ADMIN: '$out'"

# user = "root" is allowed only spelled out, and then loudly.
sed 's/^log-level.*/user = "root"\ngroup = "root"/' "$TMP/x.conf" >"$TMP/root.conf"
start_ovpnd X "$TMP/root.conf"; pr=$OVPND_PID
grep -q 'WARNING: user = "root"' "$TMP/ovpnd-X.log" || fail "no loud warning for user = root"
expect "$pr" Uid "0 0 0 0"
expect "$pr" CapEff 0000000000001000
expect "$pr" CapBnd 0000000000001000
stop_pid "$pr"
say "user = root: runs as root with CAP_NET_ADMIN only, and says so loudly"

# Unknown user: an error naming it, at check time and at start, nothing left.
sed 's/^log-level.*/user = "no-such-user-ovpn"/' "$TMP/x.conf" >"$TMP/bad.conf"
out=$("$SRC/ovpnd" -t -c "$TMP/bad.conf" 2>&1); rc=$?
[ "$rc" = 78 ] || fail "ovpnd -t with an unknown user exited $rc"
echo "$out" | grep -q "no-such-user-ovpn" || fail "error does not name the user: $out"
out=$(nsx X "$SRC/ovpnd" -f -c "$TMP/bad.conf" 2>&1); rc=$?
[ "$rc" != 0 ] || fail "ovpnd started with an unknown user"
nsx X ip link show ovpn-x >/dev/null 2>&1 && fail "tun left behind after a bad config"
[ -z "$(nsx X ip route show proto 77)" ] || fail "routes left behind after a bad config"
say "unknown user: '$out'"
exit 0

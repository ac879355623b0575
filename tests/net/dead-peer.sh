#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A peer that lost its session is noticed by the protocol's own timer: Y
# removes x and adds it back (a reload each: Y forgets every key), so X
# goes on sealing on a session nobody knows. Data sent and nothing back for
# KEEPALIVE_TIMEOUT + REKEY_TIMEOUT (15 s; here 2 + 1 through
# OVPN_TEST_TIMERS) starts a new handshake: pings answer again within a few
# seconds, not at the next rekey (120 s, left as it is).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
two_hosts
chmod 755 "$TMP"	# the daemon re-reads its config as nobody
host_conf "$TMP/x.conf" x x 10.77.0.1/24 y y 192.0.2.2:51820 10.77.0.2/32
host_conf "$TMP/y.conf" y y 10.77.0.2/24 x x "" 10.77.0.1/32
sed '/^peer/,$d' "$TMP/y.conf" >"$TMP/y-alone.conf"
cp "$TMP/y.conf" "$TMP/y-full.conf"
chmod 644 "$TMP"/*.conf
TIMERS="keepalive-timeout=2,rekey-timeout=1"
OVPND_WRAPPER="env OVPN_TEST_TIMERS=$TIMERS" start_ovpnd X "$TMP/x.conf"
OVPND_WRAPPER="env OVPN_TEST_TIMERS=$TIMERS" start_ovpnd Y "$TMP/y.conf"
ping_ok X 10.77.0.2 || fail "no ping through the tunnel"

ctl_y() { nsx Y "$SRC/ovpnctl" -s "$TMP/y.sock" "$@"; }
cp "$TMP/y-alone.conf" "$TMP/y.conf"
ctl_y reload >/dev/null || fail "reload without x"
cp "$TMP/y-full.conf" "$TMP/y.conf"
ctl_y reload >/dev/null || fail "reload with x again"
hs_before=$(grep -c 'peer y: session established' "$TMP/ovpnd-X.log")

t0=$(date +%s%N)
ok=
for _ in $(seq 20); do
	nsx X ping -c 1 -w 1 -W 1 10.77.0.2 >/dev/null 2>&1 && { ok=1; break; }
done
secs=$(( ($(date +%s%N) - t0) / 1000000000 ))
[ -n "$ok" ] || fail "no answer within 20 s of Y forgetting x"
say "traffic resumed after $secs s"
[ "$secs" -le 6 ] || fail "traffic resumed only after $secs s (wanted about 3 + a handshake)"
[ "$(grep -c 'peer y: session established' "$TMP/ovpnd-X.log")" -gt "$hs_before" ] ||
	fail "X made no new handshake"
exit 0

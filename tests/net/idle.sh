#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# An idle tunnel costs nothing: after one ping, 12 s of silence take no CPU
# tick of either daemon and no wake-up beyond the protocol's own timers
# (the passive keepalive 10 s after data was received, with the route
# check before its send). The tun has no IPv6 link-local address: with
# one, the kernel sent router solicitations and MLD reports into the
# tunnel for ever (each a wake-up, and a packet no peer routes, counted
# as no-route).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
need_cmd jq
tunnel_pair -L info
for n in X Y; do
	ll=$(nsx $n ip -6 addr show dev "ovpn-${n,,}" scope link)
	[ -z "$ll" ] || fail "$n's tun has a link-local address: $ll"
done
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
wakeups() { awk '/ctxt_switches/ { s += $2 } END { print s }' "/proc/$1/task/$1/status"; }
sleep 1
tx=$(ticks "$PX") ty=$(ticks "$PY") wx=$(wakeups "$PX") wy=$(wakeups "$PY")
sleep 12
dtx=$(( $(ticks "$PX") - tx )) dty=$(( $(ticks "$PY") - ty ))
dwx=$(( $(wakeups "$PX") - wx )) dwy=$(( $(wakeups "$PY") - wy ))
nrx=$(nsx X "$SRC/ovpnctl" -s "$TMP/x.sock" show --json | jq '.counters.no_route')
nry=$(nsx Y "$SRC/ovpnctl" -s "$TMP/y.sock" show --json | jq '.counters.no_route')
say "12 s idle: X $dtx ticks, $dwx wake-ups, no-route $nrx; Y $dty ticks, $dwy wake-ups, no-route $nry"
[ "$dtx" -le 1 ] && [ "$dty" -le 1 ] || fail "CPU used while idle: X $dtx, Y $dty ticks"
# the passive keepalive of each side (10 s after its last receive), and
# a route notification from the start at most
[ "$dwx" -le 3 ] && [ "$dwy" -le 3 ] || fail "woken while idle: X $dwx, Y $dwy times"
[ "$nrx" = 0 ] && [ "$nry" = 0 ] || fail "packets from the kernel into an idle tun: no-route X $nrx, Y $nry"
say "ok"

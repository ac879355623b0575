#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Readiness for systemd's Type=notify, with a stand-in for systemd's socket:
# - ovpnd started with NOTIFY_SOCKET sends READY=1 exactly once, and when it
#   arrives the tun is up with its address and the sender is the account
#   it dropped to (nobody), with MAINPID its own pid;
# - a daemon whose set-up fails after its tun came up (its port is taken)
#   sends nothing and exits non-zero;
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
SINK=$TOOLS/notify-sink
[ -x "$SINK" ] || hard_error "build notify-sink first (make check)"
two_hosts
host_conf "$TMP/x.conf" x x 10.77.0.1/24 y y 192.0.2.2:51820 10.77.0.2/32
host_conf "$TMP/y.conf" y y 10.77.0.2/24 x x 192.0.2.1:51820 10.77.0.1/32

# The sink is in X's network namespace: an abstract name is per namespace.
sock="@ovpn-notify-$$"
nsbg X "$SINK" "$sock" ovpn-x 15 >"$TMP/sink.out"; sink=$BG_PID
sleep 0.3
NOTIFY_SOCKET=$sock start_ovpnd X "$TMP/x.conf"; px=$OVPND_PID
for _ in $(seq 150); do kill -0 "$sink" 2>/dev/null || break; sleep 0.1; done
wait "$sink" || fail "no READY=1: $(cat "$TMP/sink.out")"
out=$(cat "$TMP/sink.out")
say "notified: $out"
[ "$(grep -c . "$TMP/sink.out")" = 1 ] || fail "more than one datagram: $out"
nobody=$(id -u nobody)
case "$out" in
"uid=$nobody pid=$px tun=up addr=10.77.0.1 msg=READY=1|"*"|MAINPID=$px|") ;;
*) fail "READY=1 before the tun was up or the drop was done: $out" ;;
esac
echo "$out" | grep -q 'STATUS=interface ovpn-x up' || fail "no STATUS: $out"
start_ovpnd Y "$TMP/y.conf"
ping_ok X 10.77.0.2 || fail "no traffic after READY=1"

# Set-up fails after the tun exists: the port is X's. No READY=1.
sed -e 's/ovpn-x/ovpn-x2/' -e "s|$TMP/x.sock|$TMP/x2.sock|" "$TMP/x.conf" >"$TMP/x2.conf"
nsbg X "$SINK" "$sock-2" ovpn-x2 15 >"$TMP/sink2.out"; sink2=$BG_PID
sleep 0.3
NOTIFY_SOCKET=$sock-2 nsx X timeout 10 "$SRC/ovpnd" -f -c "$TMP/x2.conf" >"$TMP/x2.log" 2>&1
rc=$?
[ "$rc" != 0 ] || fail "ovpnd started on a port in use"
grep -q 'ovpn-x2' "$TMP/x2.log" || fail "the second daemon never got to its tun: $(cat "$TMP/x2.log")"
sleep 0.5
stop_pid "$sink2"
grep -q 'READY=1' "$TMP/sink2.out" && fail "READY=1 from a daemon whose set-up failed"
say "failed set-up (exit $rc): no READY=1"

stop_pid "$px" || fail "ovpnd did not stop"
say "ok"

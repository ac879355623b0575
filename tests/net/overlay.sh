#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Two hosts, overlay both ways: ping over IPv4 and IPv6 inside the tunnel,
# first over an IPv4 underlay, then over an IPv6 underlay; and a 50 MiB TCP
# transfer through the tunnel whose sha256 matches at both ends.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
heavy_test

ns_add X; ns_add Y
veth_pair X 192.0.2.1/24 Y 192.0.2.2/24
nsx X ip addr add fd77::1:1/120 dev eth-Y nodad
nsx Y ip addr add fd77::1:2/120 dev eth-X nodad
keygen x; keygen y


run_round() { # UNDERLAY-ENDPOINT-OF-Y UNDERLAY-ENDPOINT-OF-X LABEL
	dual_conf x x y "$1" 10.77.0.1 fd77::1 10.77.0.2 fd77::2
	dual_conf y y x "$2" 10.77.0.2 fd77::2 10.77.0.1 fd77::1
	start_ovpnd X "$TMP/x.conf"; px=$OVPND_PID
	start_ovpnd Y "$TMP/y.conf"; py=$OVPND_PID
	ping_ok X 10.77.0.2 || fail "$3: IPv4 ping X->Y through the tunnel"
	ping_ok Y 10.77.0.1 || fail "$3: IPv4 ping Y->X through the tunnel"
	ping_ok X fd77::2 || fail "$3: IPv6 ping X->Y through the tunnel"
	ping_ok Y fd77::1 || fail "$3: IPv6 ping Y->X through the tunnel"
	say "$3: pings both ways over IPv4 and IPv6 ok"
}

run_round 192.0.2.2:51820 192.0.2.1:51820 "IPv4 underlay"

# 50 MiB through the tunnel, checked end to end.
nsbg Y "$TOOLS/tcp-xfer" -l 5001 -t 120 >"$TMP/rx.out" 2>"$TMP/rx.err"
rx=$BG_PID
wait_for 5 grep -q listening "$TMP/rx.err" || fail "receiver did not start"
nsx X "$TOOLS/tcp-xfer" -c 10.77.0.2 5001 -n 50 -t 120 >"$TMP/tx.out" || fail "sender failed"
wait "$rx" || fail "receiver failed"
read -r txb txh <"$TMP/tx.out"; read -r rxb rxh <"$TMP/rx.out"
[ "$txb" = 52428800 ] && [ "$rxb" = "$txb" ] && [ "$rxh" = "$txh" ] ||
	fail "transfer mismatch: sent $txb $txh, received $rxb $rxh"
say "50 MiB transfer: sha256 $rxh at both ends"

stop_pid "$px" || fail "X did not exit cleanly on SIGTERM"
stop_pid "$py" || fail "Y did not exit cleanly on SIGTERM"
nsx X ip link show ovpn-x >/dev/null 2>&1 && fail "ovpn-x left behind"

# Prove the second round really runs over IPv6: capture X's underlay.
nsbg X tcpdump -i eth-Y --immediate-mode -U -n -w "$TMP/u6.pcap" 'udp port 51820' 2>"$TMP/tcpdump.log"
wait_for 5 grep -q listening "$TMP/tcpdump.log" || fail "tcpdump did not start"
run_round "[fd77::1:2]:51820" "[fd77::1:1]:51820" "IPv6 underlay"
sleep 0.3
v6=$(tcpdump -r "$TMP/u6.pcap" -n ip6 2>/dev/null | wc -l)
v4=$(tcpdump -r "$TMP/u6.pcap" -n ip 2>/dev/null | wc -l)
[ "$v6" -gt 0 ] && [ "$v4" = 0 ] || fail "IPv6 underlay round: $v6 IPv6 and $v4 IPv4 datagrams"
say "IPv6 underlay carried $v6 datagrams, IPv4 none"

#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A tunnel over a hostile underlay: a chaos relay between the daemons loses
# 5%, duplicates 5%, reorders within 32, corrupts 1% and replays 1% of the
# datagrams. A 20 MiB TCP transfer through the tunnel still completes with
# matching sha256 (nothing corrupt reached a tun), and the daemons counted
# the replays and the bad tags.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
heavy_test
need_cmd jq
pair_setup -r -L info
# BBR does not read random loss as congestion, so the transfer ends in
# seconds rather than minutes; what is tested is that every byte arrives.
for h in X Y; do nsx $h sysctl -qw net.ipv4.tcp_congestion_control=bbr 2>/dev/null; done
nsbg R "$TOOLS/chaos-relay" -l 192.0.2.2:51000 -a 192.0.2.1:51820 \
	-L 198.51.100.1:51000 -b 198.51.100.2:51820 \
	--loss 5 --dup 5 --reorder 32 --corrupt 1 --replay 1 --reorder-hold 5 --seed 7 --duration 280 \
	>"$TMP/relay.out" 2>"$TMP/relay.log"
relay=$BG_PID
pair_start -n
ping_ok X 10.77.0.2 || fail "no traffic through the chaos relay"

nsbg Y "$TOOLS/tcp-xfer" -l 5001 -t 240 >"$TMP/rx.out" 2>"$TMP/rx.err"
rx=$BG_PID
wait_for 5 grep -q listening "$TMP/rx.err" || fail "receiver did not start"
t0=$(date +%s%N)
nsx X "$TOOLS/tcp-xfer" -c 10.77.0.2 5001 -n 20 -t 240 >"$TMP/tx.out" || fail "sender failed"
wait "$rx" || fail "receiver failed"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
read -r txb txh <"$TMP/tx.out"; read -r rxb rxh <"$TMP/rx.out"
[ "$txb" = 20971520 ] && [ "$rxb" = "$txb" ] && [ "$rxh" = "$txh" ] ||
	fail "transfer mismatch: sent $txb $txh, received $rxb $rxh"
say "20 MiB through the chaos relay in $ms ms, sha256 matches"

kill "$relay"; wait "$relay" 2>/dev/null
sed 's/^/  relay: /' "$TMP/relay.out"
drops() { nsx "$1" "$SRC/ovpnctl" -s "$TMP/$2.sock" show --json | jq -r ".peers[0].drops.$3"; }
rx_replay=$(( $(drops X x replay) + $(drops Y y replay) ))
rx_badtag=$(( $(drops X x bad_tag) + $(drops Y y bad_tag) ))
say "daemons counted replay $rx_replay, bad tag $rx_badtag"
[ "$rx_replay" -gt 0 ] || fail "no replay counted"
[ "$rx_badtag" -gt 0 ] || fail "no bad tag counted"
exit 0

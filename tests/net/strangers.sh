#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Strangers get silence: a well-formed initiation from an unknown key, one
# with a wrong mac1, a replayed (stale) initiation, and a data packet for an
# index of no session are each dropped, counted, and never answered.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
need_cmd jq tcpdump
pair_setup -l
start_ovpnd Y "$TMP/y.conf"
# Capture X's first initiation to replay it once a newer one was accepted.
nsbg X tcpdump -i eth-Y --immediate-mode -U -n -c 1 -w "$TMP/init.pcap" 'udp and dst port 51820 and udp[8] = 1' 2>"$TMP/tcpdump.log"
cap=$BG_PID
wait_for 5 grep -q listening "$TMP/tcpdump.log" || fail "tcpdump did not start"
start_ovpnd X "$TMP/x.conf"; px=$OVPND_PID
ping_ok X 10.77.0.2 || fail "no traffic through the tunnel"
wait "$cap" 2>/dev/null
# A restart makes X send a newer initiation; the captured one is now stale.
stop_pid "$px"; start_ovpnd X "$TMP/x.conf"
ping_ok X 10.77.0.2 || fail "no traffic after X's restart"

drops() { nsx Y "$SRC/ovpnctl" -s "$TMP/y.sock" show --json | jq -r "$1"; }
silent() { # LABEL OUTPUT
	[ "$2" = "no reply" ] || fail "$1 was answered: $2"
}
u0=$(drops '.drops.handshake_unknown_peer')
silent "unknown key" "$(nsx X "$TOOLS/hs-craft" unknown-key 192.0.2.2 51820 "$(pubkey y)")"
[ "$(drops '.drops.handshake_unknown_peer')" = $((u0 + 1)) ] || fail "unknown key not counted"

m0=$(drops '.drops.handshake_bad_mac1')
silent "wrong mac1" "$(nsx X "$TOOLS/hs-craft" bad-mac1 192.0.2.2 51820 "$(pubkey y)")"
[ "$(drops '.drops.handshake_bad_mac1')" = $((m0 + 1)) ] || fail "wrong mac1 not counted"

i0=$(drops '.drops.unknown_index')
silent "unknown index" "$(nsx X "$TOOLS/hs-craft" unknown-index 192.0.2.2 51820)"
[ "$(drops '.drops.unknown_index')" = $((i0 + 1)) ] || fail "unknown index not counted"

caplen=$(od -An -tu4 -j32 -N4 "$TMP/init.pcap" | tr -d ' ')
[ "$caplen" = $((42 + 148)) ] || fail "no initiation captured ($caplen)"
dd if="$TMP/init.pcap" of="$TMP/init.bin" bs=1 skip=82 count=148 2>/dev/null
r0=$(drops '.peers[0].drops.handshake_replay')
# Any handshake response Y sends from now on would answer the replay.
nsbg Y tcpdump -i eth-X --immediate-mode -U -n -w "$TMP/answers.pcap" 'udp and src host 192.0.2.2 and udp[8] = 2' 2>"$TMP/tcpdump2.log"
wait_for 5 grep -q listening "$TMP/tcpdump2.log" || fail "tcpdump did not start"
nsx X bash -c "cat '$TMP/init.bin' > /dev/udp/192.0.2.2/51820"
sleep 1
[ "$(drops '.peers[0].drops.handshake_replay')" = $((r0 + 1)) ] || fail "stale initiation not counted as a replay"
answers=$(tcpdump -r "$TMP/answers.pcap" -n 2>/dev/null | wc -l)
[ "$answers" = 0 ] || fail "the stale initiation was answered ($answers responses)"
say "unknown key, wrong mac1, unknown index and a stale initiation: all silent and counted"
nsx X ping -c 2 -i 0.2 -W 1 10.77.0.2 >/dev/null || fail "the real session suffered"
exit 0

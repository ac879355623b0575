#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Replay state outlives reload: X's first initiation is captured on Y; Y
# forgets peer x by reload and learns it again; the captured initiation,
# replayed from another port, is refused (handshake-replay, no response)
# and does not move x's endpoint.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
need_cmd jq tcpdump
pair_setup
chmod 755 "$TMP"	# the daemon re-reads its config as nobody
chmod 644 "$TMP"/*.conf
nsbg Y tcpdump -i eth-X --immediate-mode -U -n -c 1 -w "$TMP/init.pcap" 'udp and dst port 51820 and udp[8] = 1' 2>"$TMP/tcpdump.log"
cap=$BG_PID
wait_for 5 grep -q listening "$TMP/tcpdump.log" || fail "tcpdump did not start"
pair_start
wait "$cap" 2>/dev/null
caplen=$(od -An -tu4 -j32 -N4 "$TMP/init.pcap" | tr -d ' ')
[ "$caplen" = $((42 + 148)) ] || fail "no initiation captured ($caplen)"
dd if="$TMP/init.pcap" of="$TMP/init.bin" bs=1 skip=82 count=148 2>/dev/null

ctl() { nsx Y "$SRC/ovpnctl" -s "$TMP/y.sock" "$@"; }
show() { ctl show --json | jq -r "$1"; }
cp "$TMP/y.conf" "$TMP/y.good"
sed -i '/^peer "x"/,$d' "$TMP/y.conf"
out=$(ctl reload) || fail "reload without x failed: $out"
[ "$(show '.peers | length')" = 0 ] || fail "x still configured after its removal"
cp "$TMP/y.good" "$TMP/y.conf"
out=$(ctl reload) || fail "reload with x again failed: $out"
[ "$(show '.peers[0].name')" = x ] || fail "x not added again"
ep0=$(show '.peers[0].endpoint')
r0=$(show '.peers[0].drops.handshake_replay')

nsbg Y tcpdump -i eth-X --immediate-mode -U -n -w "$TMP/answers.pcap" 'udp and src host 192.0.2.2 and udp[8] = 2' 2>"$TMP/tcpdump2.log"
wait_for 5 grep -q listening "$TMP/tcpdump2.log" || fail "tcpdump did not start"
nsx X bash -c "cat '$TMP/init.bin' > /dev/udp/192.0.2.2/51820"
sleep 1
answers=$(tcpdump -r "$TMP/answers.pcap" -n 2>/dev/null | wc -l)
[ "$answers" = 0 ] || fail "the replayed initiation was answered ($answers responses)"
[ "$(show '.peers[0].drops.handshake_replay')" = $((r0 + 1)) ] || fail "replay not counted"
[ "$(show '.peers[0].endpoint')" = "$ep0" ] || fail "endpoint moved: $ep0 -> $(show '.peers[0].endpoint')"
say "after remove and re-add by reload, the captured initiation is refused and counted; endpoint stays $ep0"
ping_ok Y 10.77.0.1 || fail "no handshake with x after the reloads"
exit 0

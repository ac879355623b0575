#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# ovpnctl and the control socket on running daemons:
# - show and show --json after traffic: the peer, its learned endpoint,
#   non-zero rx/tx, and a replayed data packet raising the replay counter;
# - garbage on the socket (random bytes, an over-long line, NULs, too many
#   clients) gets an error or a close, and the tunnel keeps forwarding.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
need_cmd jq tcpdump
pair_setup -l
pair_start -n	# the first traffic is captured below
ctl() { ns=$1; shift; nsx "$ns" "$SRC/ovpnctl" "$@"; }

# Capture one data packet X sends to Y, to replay it later.
nsbg X tcpdump -i eth-Y --immediate-mode -U -n -c 3 -w "$TMP/data.pcap" 'udp and dst port 51820 and udp[8] = 4' 2>"$TMP/tcpdump.log"
cap=$BG_PID
wait_for 5 grep -q listening "$TMP/tcpdump.log" || fail "tcpdump did not start"
ping_ok X 10.77.0.2 || fail "no traffic through the tunnel"
nsx X ping -c 5 -i 0.05 10.77.0.2 >/dev/null || fail "pings lost"
wait "$cap" 2>/dev/null

text=$(ctl Y -s "$TMP/y.sock" show) || fail "ovpnctl show failed"
echo "$text" | sed 's/^/    /'
echo "$text" | grep -q '^peer: x$' || fail "show lacks peer x"
echo "$text" | grep -q '^  endpoint: 192\.0\.2\.1:51820$' || fail "show lacks the learned endpoint"
echo "$text" | grep -Eq '^  latest handshake: [0-9]+ seconds ago$' || fail "show lacks the handshake"
echo "$text" | grep -Eq '^  transfer: .* received \([1-9][0-9]* packets\), .* sent \([1-9][0-9]* packets\)$' ||
	fail "show lacks traffic"

json=$(ctl Y -s "$TMP/y.sock" show --json) || fail "ovpnctl show --json failed"
echo "$json" | jq -e . >/dev/null || fail "show --json is not JSON: $json"
jqp() { echo "$json" | jq -er ".peers[0].$1"; }
[ "$(jqp name)" = x ] || fail "json name"
[ "$(jqp public_key)" = "$(pubkey x)" ] || fail "json public_key"
[ "$(jqp endpoint)" = 192.0.2.1:51820 ] || fail "json endpoint"
[ "$(jqp 'allowed_ips[0]')" = 10.77.0.1/32 ] || fail "json allowed_ips"
[ "$(jqp rx_packets)" -gt 0 ] && [ "$(jqp tx_packets)" -gt 0 ] || fail "json packets"
[ "$(jqp rx_bytes)" -gt 0 ] && [ "$(jqp tx_bytes)" -gt 0 ] || fail "json bytes"
[ "$(jqp latest_handshake)" -ge 0 ] || fail "json latest_handshake"
replay0=$(jqp drops.replay)
echo "$json" | grep -q 'private' && fail "a private key field crossed the socket"

# Replay the captured datagram (its UDP payload) at Y.
caplen=$(od -An -tu4 -j32 -N4 "$TMP/data.pcap" | tr -d ' ')
[ -n "$caplen" ] && [ "$caplen" -gt 74 ] || fail "no data packet captured"
dd if="$TMP/data.pcap" of="$TMP/replay.bin" bs=1 skip=82 count=$((caplen - 42)) 2>/dev/null
[ "$(head -c 1 "$TMP/replay.bin" | od -An -tx1 | tr -d ' ')" = 04 ] || fail "captured payload is not a data packet"
for _ in 1 2 3; do nsx X bash -c "cat '$TMP/replay.bin' > /dev/udp/192.0.2.2/51820"; done
sleep 0.3
replay1=$(ctl Y -s "$TMP/y.sock" show --json | jq -r '.peers[0].drops.replay')
[ "$replay1" -ge $((replay0 + 3)) ] || fail "replayed packets not counted: replay $replay0 -> $replay1"
say "show/json ok; 3 replays counted ($replay0 -> $replay1)"

# Cryptokey routing on the way in: X sends from an address outside its
# allowed-ips at Y; Y opens the packets, then drops them by source.
nsx X ip addr add 10.77.0.99/32 dev ovpn-x
nsx X ping -c 3 -i 0.1 -W 1 -I 10.77.0.99 10.77.0.2 >/dev/null 2>&1 && fail "Y answered a source outside X's allowed-ips"
bad=$(ctl Y -s "$TMP/y.sock" show --json | jq -r '.peers[0].drops.source_not_allowed')
[ "$bad" -ge 3 ] || fail "source-not-allowed drops not counted: $bad"
say "packets from outside X's allowed-ips dropped and counted ($bad)"

# Hostile clients.
G="$TOOLS/ctl-garbage"
out=$(nsx Y "$G" "$TMP/y.sock" random 300); say "random bytes -> $(echo "$out" | head -n 1)"
echo "$out" | grep -Eq '^(error: |closed|write failed)' || fail "random bytes: unexpected answer: $out"
out=$(nsx Y "$G" "$TMP/y.sock" long 100000); say "100000-byte line -> $out"
echo "$out" | grep -Eq '^(error: request longer|closed|write failed)' || fail "long line: unexpected answer: $out"
out=$(nsx Y "$G" "$TMP/y.sock" line 'show\x00json'); say "NUL in request -> $out"
echo "$out" | grep -q '^error: ' || fail "NUL: unexpected answer: $out"
out=$(nsx Y "$G" "$TMP/y.sock" line 'frobnicate'); say "unknown request -> $out"
echo "$out" | grep -q '^error: unknown request' || fail "unknown request: $out"
nsx Y "$G" "$TMP/y.sock" hold 20 3 >/dev/null &
holder=$!
sleep 0.5
nsx X ping -c 3 -i 0.1 -W 1 10.77.0.2 >/dev/null || fail "tunnel stalled while clients hog the socket"
wait "$holder"
# Idle clients are dropped after their deadline; the socket serves again.
wait_for 10 nsx Y "$SRC/ovpnctl" -s "$TMP/y.sock" show || fail "control socket unusable after the flood"
nsx X ping -c 3 -i 0.1 -W 1 10.77.0.2 >/dev/null || fail "tunnel broken after garbage"
say "garbage answered or closed; the tunnel kept forwarding"
exit 0

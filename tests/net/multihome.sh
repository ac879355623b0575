#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Replies leave from the address they were asked on. The responder Y has two
# addresses, 192.0.2.2 on its link and 198.51.100.1 on lo, and sits behind a
# stateful firewall F (nftables, conntrack: only replies to flows that X
# opened may pass back). X sends its initiation to 198.51.100.1: Y must
# answer from 198.51.100.1 (IP_PKTINFO), the firewall lets it through, the
# handshake completes, pings pass, and X keeps its endpoint unmoved; then
# the same through Y's other address, and the data path (batched and GSO
# sends) with a bulk transfer.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
need_cmd nft
ns_add X; ns_add F; ns_add Y
veth_pair X 203.0.113.2/24 F 203.0.113.1/24
veth_pair F 192.0.2.1/24 Y 192.0.2.2/24
nsx Y ip addr add 198.51.100.1/32 dev lo
nsx X ip route add default via 203.0.113.1
nsx Y ip route add default via 192.0.2.1
nsx F ip route add 198.51.100.1/32 via 192.0.2.2
nsx F sysctl -qw net.ipv4.ip_forward=1
nsx F nft -f - <<'NFT' || hard_error "nft"
table inet fw {
	chain forward {
		type filter hook forward priority 0; policy drop;
		ct state established,related accept
		iifname "eth-X" ct state new accept
		counter
	}
}
NFT
keygen x; keygen y
host_conf "$TMP/x.conf" x x 10.77.0.1/24 y y 198.51.100.1:51820 10.77.0.2/32
host_conf "$TMP/y.conf" y y 10.77.0.2/24 x x "" 10.77.0.1/32
start_ovpnd Y "$TMP/y.conf"
start_ovpnd X "$TMP/x.conf"
ping_ok X 10.77.0.2 || fail "no handshake through the stateful firewall (replies from the wrong address?)"
ep=$(nsx X "$SRC/ovpnctl" -s "$TMP/x.sock" show | sed -n 's/^  endpoint: //p')
[ "$ep" = 198.51.100.1:51820 ] || fail "X's endpoint moved to $ep"
dropped=$(nsx F nft list chain inet fw forward | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
say "handshake through the firewall; X's endpoint stays $ep; firewall dropped ${dropped:-?} packets"
nsbg Y "$TOOLS/tcp-xfer" -l 5001 -t 60 >"$TMP/rx.out" 2>"$TMP/rx.err"
rx=$BG_PID
wait_for 5 grep -q listening "$TMP/rx.err" || fail "receiver did not start"
nsx X "$TOOLS/tcp-xfer" -c 10.77.0.2 5001 -n 20 -t 60 >"$TMP/tx.out" || fail "transfer X->Y failed"
wait "$rx" || fail "receiver failed"
read -r txb txh <"$TMP/tx.out"; read -r rxb rxh <"$TMP/rx.out"
[ "$rxb" = "$txb" ] && [ "$rxh" = "$txh" ] || fail "transfer mismatch"
nsbg X "$TOOLS/tcp-xfer" -l 5002 -t 60 >"$TMP/rx2.out" 2>"$TMP/rx2.err"
rx=$BG_PID
wait_for 5 grep -q listening "$TMP/rx2.err" || fail "receiver did not start"
nsx Y "$TOOLS/tcp-xfer" -c 10.77.0.1 5002 -n 20 -t 60 >"$TMP/tx2.out" || fail "transfer Y->X failed"
wait "$rx" || fail "receiver failed"
read -r txb txh <"$TMP/tx2.out"; read -r rxb rxh <"$TMP/rx2.out"
[ "$rxb" = "$txb" ] && [ "$rxh" = "$txh" ] || fail "transfer Y->X mismatch"
ep=$(nsx X "$SRC/ovpnctl" -s "$TMP/x.sock" show | sed -n 's/^  endpoint: //p')
[ "$ep" = 198.51.100.1:51820 ] || fail "X's endpoint moved to $ep during the transfers"
say "20 MiB each way through the firewall, sha256 equal; endpoint unmoved"

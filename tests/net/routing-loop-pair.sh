#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A routing loop between two daemons on one host: A's peer endpoint is
# routed through B's tun and B's through A's. Neither sees its own tun in
# the route, so the self-loop check (routing-loop.sh) cannot catch it; every
# sealed packet comes back out of the other tun as an inner packet, grows by
# the tunnel's overhead each time round and, fragmented, multiplies. The
# guard: a tunnel datagram (WireGuard/ovpn message) read from our tun that,
# sealed, would not fit the other tun it is routed into is dropped and
# counted as routing-loop instead of fragmented; so each packet goes round
# a bounded number of times and the loop stops when the pings do.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
need_cmd jq
ns_add H; ns_add P
veth_pair H 192.0.2.1/24 P 192.0.2.2/24
keygen a; keygen b; keygen pa; keygen pb
chmod 755 "$TMP"
# conf NAME KEY PORT ADDR PEER PEERKEY ENDPOINT ALLOWED...
conf() {
	n=$1 k=$2 port=$3 addr=$4 peer=$5 pk=$6 ep=$7; shift 7
	allowed=$(printf '"%s", ' "$@"); allowed=${allowed%, }
	cat >"$TMP/$n.conf" <<CONF
interface        = "ovpn-$n"
private-key-file = "$TMP/$k.key"
listen-port      = $port
address          = {"$addr/24"}
control-socket   = "$TMP/$n.sock"
user             = "nobody"
group            = "nogroup"
peer "$peer" {
    public-key  = "$(pubkey "$pk")"
    ${ep:+endpoint    = \"$ep\"}
    allowed-ips = {$allowed}
    routes      = false
}
CONF
	chmod 644 "$TMP/$n.conf"
}
show() { nsx "$1" "$SRC/ovpnctl" -s "$TMP/$2.sock" show --json; }
tx() { show "$1" "$2" | jq '.peers[0].tx_bytes'; }
loops() { show "$1" "$2" | jq '.counters.routing_loop'; }

# Two tunnels from H to P over the veth, each up with a ping.
conf a a 51820 10.77.1.1 pa pa 192.0.2.2:51821 10.77.1.2/32 198.51.100.2/32
conf b b 51830 10.77.2.1 pb pb 192.0.2.2:51822 10.77.2.2/32 198.51.100.1/32
conf pa pa 51821 10.77.1.2 a a "" 10.77.1.1/32
conf pb pb 51822 10.77.2.2 b b "" 10.77.2.1/32
start_ovpnd P "$TMP/pa.conf"; start_ovpnd P "$TMP/pb.conf"
start_ovpnd H "$TMP/a.conf"; start_ovpnd H "$TMP/b.conf"
nsx H ip route add 10.77.1.2/32 dev ovpn-a
nsx H ip route add 10.77.2.2/32 dev ovpn-b
ping_ok H 10.77.1.2 || fail "no ping through tunnel a"
ping_ok H 10.77.2.2 || fail "no ping through tunnel b"

# The loop: A's endpoint for pa (198.51.100.1) is routed into B's tun, and
# B's allowed-ips send it on to its endpoint for pb (198.51.100.2), which is
# routed into A's tun, whose allowed-ips send it back to 198.51.100.1.
nsx H ip route add 198.51.100.1/32 dev ovpn-b || hard_error "route into b"
nsx H ip route add 198.51.100.2/32 dev ovpn-a || hard_error "route into a"
conf a a 51820 10.77.1.1 pa pa 198.51.100.1:51821 10.77.1.2/32 198.51.100.2/32
conf b b 51830 10.77.2.1 pb pb 198.51.100.2:51822 10.77.2.2/32 198.51.100.1/32
nsx H "$SRC/ovpnctl" -s "$TMP/a.sock" reload >/dev/null || fail "reload a"
nsx H "$SRC/ovpnctl" -s "$TMP/b.sock" reload >/dev/null || fail "reload b"
t0=$(( $(tx H a) + $(tx H b) ))
nsx H ping -c 5 -i 0.2 -w 2 10.77.1.2 >/dev/null 2>&1
nsx H ping -c 3 -i 0.2 -s 1300 -w 2 10.77.1.2 >/dev/null 2>&1
sleep 1
t1=$(( $(tx H a) + $(tx H b) )); sleep 2; t2=$(( $(tx H a) + $(tx H b) ))
say "sealed $((t1 - t0)) bytes in the loop, then $((t2 - t1)) bytes in 2 s; routing-loop a=$(loops H a) b=$(loops H b)"
[ $((t2 - t1)) -le 2000 ] || fail "the loop still runs: $((t2 - t1)) bytes sealed in 2 s after the pings"
[ $((t1 - t0)) -le 2000000 ] || fail "the loop sealed $((t1 - t0)) bytes before it ended"
[ $(( $(loops H a) + $(loops H b) )) -gt 0 ] || fail "no routing-loop counted"
n=$(grep -c "routing loop" "$TMP/ovpnd-H.log")
[ "$n" -ge 1 ] && [ "$n" -le 2 ] || fail "the loop was logged $n times (once per daemon at most)"
grep "routing loop" "$TMP/ovpnd-H.log" | head -2
# Undone: with the loop routes gone, tunnel a carries pings again.
nsx H ip route del 198.51.100.1/32 dev ovpn-b
nsx H ip route del 198.51.100.2/32 dev ovpn-a
conf a a 51820 10.77.1.1 pa pa 192.0.2.2:51821 10.77.1.2/32 198.51.100.2/32
conf b b 51830 10.77.2.1 pb pb 192.0.2.2:51822 10.77.2.2/32 198.51.100.1/32
nsx H "$SRC/ovpnctl" -s "$TMP/a.sock" reload >/dev/null || fail "reload a"
nsx H "$SRC/ovpnctl" -s "$TMP/b.sock" reload >/dev/null || fail "reload b"
ping_ok H 10.77.1.2 || fail "no ping through tunnel a after the loop"
ping_ok H 10.77.2.2 || fail "no ping through tunnel b after the loop"

# Not a loop: tunnel a nested in tunnel b (a's endpoint is pa's address on
# the far side of b), both of MTU 1420. a's full-size datagrams are
# fragmented into b as before; b's route out is the veth, so nothing is
# refused, and pings of every size get through.
conf a a 51820 10.77.1.1 pa pa 10.77.2.2:51821 10.77.1.2/32
nsx H "$SRC/ovpnctl" -s "$TMP/a.sock" reload >/dev/null || fail "reload a"
l0=$(( $(loops H a) + $(loops H b) ))
for size in 56 1000 1392; do
	nsx H ping -c 10 -i 0.05 -W 1 -s "$size" 10.77.1.2 >/dev/null 2>&1 ||
		fail "nested tunnels: pings of $size bytes lost"
done
[ "$(show H a | jq -r '.peers[0].endpoint')" = 10.77.2.2:51821 ] || fail "a's endpoint is not inside b"
l1=$(( $(loops H a) + $(loops H b) ))
[ "$l1" = "$l0" ] || fail "nested tunnels: $((l1 - l0)) packets refused as a routing loop"
say "nested tunnels: pings of 56, 1000 and 1392 bytes through a inside b, none refused"
say "ok"

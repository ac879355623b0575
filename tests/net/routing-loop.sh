#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Routing loops end at once. (1) A peer's endpoint inside its own
# allowed-ips (moved there by a reload): sealed packets would be routed
# back into the daemon's own tun, sealed again, for ever. (2) Both daemons
# routing everything through the tunnel, the other's underlay address
# included (a full tunnel without an exception for the endpoint), with
# pings both ways. Each time the daemon refuses to send along the route,
# counts routing-loop, logs it once, and the bytes sealed stay bounded.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
need_cmd jq
two_hosts
chmod 755 "$TMP"	# the daemon re-reads its config as nobody
# conf NAME KEY PEER ENDPOINT ADDR ALLOWED...
conf() {
	n=$1 k=$2 peer=$3 ep=$4 addr=$5; shift 5
	allowed=$(printf '"%s", ' "$@"); allowed=${allowed%, }
	cat >"$TMP/$n.conf" <<CONF
interface        = "ovpn-$n"
private-key-file = "$TMP/$k.key"
listen-port      = 51820
address          = {"$addr/24"}
control-socket   = "$TMP/$n.sock"
user             = "nobody"
group            = "nogroup"
peer "$peer" {
    public-key  = "$(pubkey "$peer")"
    ${ep:+endpoint    = \"$ep\"}
    allowed-ips = {$allowed}
    ${ROUTES:+routes      = $ROUTES}
}
CONF
	chmod 644 "$TMP/$n.conf"
}
show() { nsx "$1" "$SRC/ovpnctl" -s "$TMP/$2.sock" show --json; }
tx() { show "$1" "$2" | jq '.peers[0].tx_bytes'; }
loops() { show "$1" "$2" | jq '.counters.routing_loop'; }

# bounded LABEL NS NAME: after the pings, what was sealed stops growing.
bounded() {
	sleep 1
	a=$(tx "$2" "$3"); sleep 2; b=$(tx "$2" "$3")
	say "$1: $3 sealed $((b - a)) bytes in 2 s after the loop, $(loops "$2" "$3") sends refused"
	[ $((b - a)) -le 2000 ] || fail "$1: $3 still sealing: $((b - a)) bytes in 2 s"
	[ "$(loops "$2" "$3")" -gt 0 ] || fail "$1: $3 counted no routing-loop"
	n=$(grep -c "routing loop" "$TMP/ovpnd-$2.log")
	[ "$n" = 1 ] || fail "$1: $3 logged the loop $n times"
}

# (1) endpoint inside the peer's own allowed-ips
conf x x y 192.0.2.2:51820 10.77.0.1 10.77.0.2/32
conf y y x "" 10.77.0.2 10.77.0.1/32
start_ovpnd X "$TMP/x.conf"; px=$OVPND_PID
start_ovpnd Y "$TMP/y.conf"; py=$OVPND_PID
ping_ok X 10.77.0.2 || fail "no ping through the tunnel"
conf x x y 10.77.0.2:51820 10.77.0.1 10.77.0.2/32
nsx X "$SRC/ovpnctl" -s "$TMP/x.sock" reload >/dev/null || fail "reload"
t0=$(tx X x)
nsx X ping -c 5 -i 0.2 -w 2 10.77.0.2 >/dev/null 2>&1
bounded "endpoint in allowed-ips" X x
t1=$(tx X x)
[ $((t1 - t0)) -le 20000 ] || fail "the loop sealed $((t1 - t0)) bytes before it was stopped"
stop_pid "$px" || fail "X did not exit cleanly"
stop_pid "$py" || fail "Y did not exit cleanly"
: >"$TMP/ovpnd-X.log"; : >"$TMP/ovpnd-Y.log"

# (2) both sides send the other's underlay address into their tunnel
# (routes = false: a route to the underlay's prefix exists on the veth, and
# the daemon refuses to add one that does; the loop routes come below.)
ROUTES=false conf x x y 192.0.2.2:51820 10.77.0.1 10.77.0.2/32 192.0.2.0/24
ROUTES=false conf y y x "" 10.77.0.2 10.77.0.1/32 192.0.2.0/24
start_ovpnd X "$TMP/x.conf"; px=$OVPND_PID
start_ovpnd Y "$TMP/y.conf"; py=$OVPND_PID
ping_ok X 10.77.0.2 || fail "no ping through the tunnel"
nsx X ip route add 192.0.2.2/32 dev ovpn-x || hard_error "route on X"
nsx Y ip route add 192.0.2.1/32 dev ovpn-y || hard_error "route on Y"
t0=$(( $(tx X x) + $(tx Y y) ))
nsx X ping -c 5 -i 0.2 -w 2 10.77.0.2 >/dev/null 2>&1 &
nsx Y ping -c 5 -i 0.2 -w 2 10.77.0.1 >/dev/null 2>&1
wait $!
bounded "full tunnels, X" X x
bounded "full tunnels, Y" Y y
t1=$(( $(tx X x) + $(tx Y y) ))
[ $((t1 - t0)) -le 40000 ] || fail "the loops sealed $((t1 - t0)) bytes before they were stopped"
# Fixed, the routes are used again.
nsx X ip route del 192.0.2.2/32 dev ovpn-x; nsx Y ip route del 192.0.2.1/32 dev ovpn-y
ping_ok X 10.77.0.2 || fail "no ping once the loop routes are gone"
grep -q "no longer routed through" "$TMP/ovpnd-X.log" || fail "X did not notice the loop end"
exit 0

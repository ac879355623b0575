#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A full tunnel (allowed-ips 0.0.0.0/0 and ::/0) on a host with default
# routes, done with policy routing as wg-quick does:
# - everything but the sealed traffic enters the tun (ip route get of an
#   outside address), and pings to it pass through the tunnel, none in clear;
# - the sealed traffic (fwmark 51820) still leaves by the main table;
# - SIGTERM, a reload that drops the default route, and a restart after
#   SIGKILL leave no rule of ours behind;
# - a route that already exists and is not ours is an error naming the
#   file, line, option and value, for ovpnd -t and at start.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
need_cmd tcpdump
ns_add X; ns_add Y
veth_pair X 192.0.2.1/24 Y 192.0.2.2/24
nsx X ip addr add fd77::1:1/120 dev eth-Y nodad
nsx Y ip addr add fd77::1:2/120 dev eth-X nodad
nsx X ip route add default via 192.0.2.2
nsx X ip -6 route add default via fd77::1:2
nsx Y ip addr add 203.0.113.5/32 dev lo
nsx Y ip addr add fd77::ff:5/128 dev lo
keygen x; keygen y
chmod 755 "$TMP"	# the daemon re-reads its config as nobody

x_conf() { # ALLOWED-IPS
	cat >"$TMP/x.conf" <<CONF
interface        = "ovpn-x"
private-key-file = "$TMP/x.key"
address          = {"10.77.0.1/24", "fd77::100:1/120"}
control-socket   = "$TMP/x.sock"
user             = "nobody"
group            = "nogroup"
peer "y" {
    public-key  = "$(pubkey y)"
    endpoint    = "192.0.2.2:51820"
    allowed-ips = {$1}
}
CONF
}
cat >"$TMP/y.conf" <<CONF
interface        = "ovpn-y"
private-key-file = "$TMP/y.key"
address          = {"10.77.0.2/24", "fd77::100:2/120"}
control-socket   = "$TMP/y.sock"
user             = "nobody"
group            = "nogroup"
peer "x" {
    public-key  = "$(pubkey x)"
    allowed-ips = {"10.77.0.1/32", "fd77::100:1/128"}
}
CONF
ours() { nsx X ip "$1" rule show | grep -c 'proto 77' ; }
dev_for() { nsx X ip "$@" | sed -n 's/.* dev \([^ ]*\).*/\1/p' | head -n 1; }

x_conf '"0.0.0.0/0", "::/0", "198.51.100.0/24"'
start_ovpnd Y "$TMP/y.conf"
start_ovpnd X "$TMP/x.conf"; px=$OVPND_PID
wait_for 5 grep -q "full tunnel (IPv6)" "$TMP/ovpnd-X.log" || fail "no full tunnel in the log"
[ "$(dev_for route get 203.0.113.5)" = ovpn-x ] || fail "203.0.113.5 does not go into the tun: $(nsx X ip route get 203.0.113.5)"
[ "$(dev_for -6 route get fd77::ff:5)" = ovpn-x ] || fail "fd77::ff:5 does not go into the tun"
[ "$(dev_for route get 192.0.2.2 mark 51820)" = eth-Y ] || fail "sealed traffic would not leave by eth-Y"
[ "$(ours -4)" = 2 ] && [ "$(ours -6)" = 2 ] || fail "rules: $(nsx X ip rule show; nsx X ip -6 rule show)"
grep -q "added 3 routes" "$TMP/ovpnd-X.log" || fail "route count: $(grep routes "$TMP/ovpnd-X.log")"
say "full tunnel: outside addresses route into ovpn-x, sealed traffic (mark 51820) by eth-Y"

nsbg X tcpdump -i eth-Y --immediate-mode -U -n -w "$TMP/clear.pcap" 'icmp or icmp6' 2>"$TMP/tcpdump.log"
cap=$BG_PID
wait_for 5 grep -q listening "$TMP/tcpdump.log" || fail "tcpdump did not start"
ping_ok X 203.0.113.5 || fail "no answer from 203.0.113.5 through the tunnel"
ping_ok X fd77::ff:5 || fail "no answer from fd77::ff:5 through the tunnel"
nsx X ping -c 5 -i 0.05 -W 1 203.0.113.5 >/dev/null || fail "pings to 203.0.113.5 lost"
sleep 0.3; kill "$cap"; wait "$cap" 2>/dev/null
clear=$(tcpdump -r "$TMP/clear.pcap" -n 2>/dev/null | grep -c 'echo request')
[ "$clear" = 0 ] || fail "$clear echo requests went out of eth-Y in clear"
say "pings to outside addresses answered through the tunnel, none in clear on eth-Y"

# a second daemon whose allowed-ips collide with the first's route
cat >"$TMP/z.conf" <<CONF
interface        = "ovpn-z"
private-key-file = "$TMP/x.key"
listen-port      = 51821
control-socket   = "$TMP/z.sock"
user             = "nobody"
group            = "nogroup"
peer "y" {
    public-key  = "$(pubkey y)"
    allowed-ips = {"198.51.100.0/24"}
}
CONF
want="$TMP/z.conf:9: allowed-ips: a route to this prefix exists in table 254 (dev ovpn-x), not this daemon's '198.51.100.0/24'"
nsx X "$SRC/ovpnd" -t -c "$TMP/z.conf" >"$TMP/zt.out" 2>&1 && fail "-t passed a route that exists"
grep -qF "$want" "$TMP/zt.out" || fail "-t said: $(cat "$TMP/zt.out")"
nsx X "$SRC/ovpnd" -f -c "$TMP/z.conf" >"$TMP/zrun.out" 2>&1 && fail "a colliding daemon started"
grep -qF "$want" "$TMP/zrun.out" || fail "start said: $(cat "$TMP/zrun.out")"
nsx X ip link show ovpn-z >/dev/null 2>&1 && fail "ovpn-z left behind"
[ "$(dev_for route get 198.51.100.7)" = ovpn-x ] || fail "the first daemon's route was touched"
say "a colliding route is one error line naming file, line, option and value (-t and start)"

# reload without the default routes: the rules go
x_conf '"10.77.0.2/32"'
nsx X "$SRC/ovpnctl" -s "$TMP/x.sock" reload >/dev/null || fail "reload failed"
wait_for 5 test "$(ours -4)$(ours -6)" = 00 || fail "rules left after a reload dropped ::/0 and 0.0.0.0/0"
[ "$(dev_for route get 203.0.113.5)" = eth-Y ] || fail "after reload 203.0.113.5 still goes into the tun"
x_conf '"0.0.0.0/0", "::/0"'
nsx X "$SRC/ovpnctl" -s "$TMP/x.sock" reload >/dev/null || fail "reload failed"
wait_for 5 test "$(ours -4)$(ours -6)" = 22 || fail "rules not back after a reload"
ping_ok X 203.0.113.5 || fail "no ping after the full tunnel came back by reload"
stop_pid "$px" || fail "X did not exit cleanly"
[ "$(ours -4)$(ours -6)" = 00 ] || fail "rules left after SIGTERM: $(nsx X ip rule show)"
[ "$(dev_for route get 203.0.113.5)" = eth-Y ] || fail "default route lost after exit"
say "reload and SIGTERM take the rules away; the host's default route is untouched"

# SIGKILL leaves the rules; the next start removes them first
start_ovpnd X "$TMP/x.conf"; px=$OVPND_PID
wait_for 5 grep -q "full tunnel (IPv6)" "$TMP/ovpnd-X.log" || fail "no full tunnel after restart"
kill -9 "$px"; wait "$px" 2>/dev/null
[ "$(ours -4)$(ours -6)" = 22 ] || fail "expected the killed daemon's rules to stay"
: >"$TMP/ovpnd-X.log"
start_ovpnd X "$TMP/x.conf"; px=$OVPND_PID
wait_for 5 grep -q "full tunnel (IPv6)" "$TMP/ovpnd-X.log" || fail "no full tunnel after restart"
grep -q "left by an earlier daemon" "$TMP/ovpnd-X.log" || fail "stale rules not reported"
[ "$(ours -4)$(ours -6)" = 22 ] || fail "rules doubled after restart: $(nsx X ip rule show)"
ping_ok X 203.0.113.5 || fail "no ping after restart"
stop_pid "$px" || fail "X did not exit cleanly"
[ "$(ours -4)$(ours -6)" = 00 ] || fail "rules left after restart and SIGTERM"
say "after SIGKILL the next start removed the stale rules; none left at exit"

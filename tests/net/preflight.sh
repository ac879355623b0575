#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# ovpnd -t tells the whole truth: each config below passed -t before and then
# failed at start; now -t finds it, as one line naming file, line, option
# and value, without changing the system, and
# start-up names the interface and never blames the offloads.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
two_hosts
nsx X ip route add 198.51.100.0/24 via 192.0.2.2

# The group is last, so the line numbers the checks name stay put: the
# build tree has no ovpn group, the default.
conf() { # FILE INTERFACE SOCKET ADDRESSES ALLOWED
	cat >"$1" <<CONF
interface        = "$2"
private-key-file = "$TMP/x.key"
user             = "root"
control-socket   = "$3"
address          = {$4}
peer "y" {
    public-key  = "$(pubkey y)"
    allowed-ips = {$5}
}
group            = "root"
CONF
}
# check NAME WANT: -t in X fails with exactly the line WANT
check() {
	nsx X "$SRC/ovpnd" -t -c "$TMP/$1.conf" >"$TMP/$1.out" 2>&1 && fail "$1: -t passed"
	grep -qxF "ovpnd: $2" "$TMP/$1.out" || fail "$1: -t said: $(cat "$TMP/$1.out")"
	say "$1: -t: $2"
}

conf "$TMP/dup.conf" ovpn-x "$TMP/x.sock" '"10.77.0.1/24",
                    "10.77.0.1/16"' '"10.77.0.2/32"'
check dup "$TMP/dup.conf:6: address: the same address twice '10.77.0.1/16'"

conf "$TMP/eth.conf" eth-Y "$TMP/x.sock" '"10.77.0.1/24"' '"10.77.0.2/32"'
check eth "$TMP/eth.conf:1: interface: exists and is not a tun device 'eth-Y'"
nsx X "$SRC/ovpnd" -f -c "$TMP/eth.conf" >"$TMP/eth.run" 2>&1 && fail "started on eth-Y"
grep -q "interface eth-Y: cannot create the tun: an interface of that name exists and is not a tun" "$TMP/eth.run" ||
	fail "start on eth-Y said: $(cat "$TMP/eth.run")"
grep -qi offload "$TMP/eth.run" && fail "start on eth-Y blamed the offloads: $(cat "$TMP/eth.run")"

conf "$TMP/nodir.conf" ovpn-x "$TMP/no/such/x.sock" '"10.77.0.1/24"' '"10.77.0.2/32"'
check nodir "$TMP/nodir.conf:4: control-socket: its directory does not exist '$TMP/no/such/x.sock'"

conf "$TMP/route.conf" ovpn-x "$TMP/x.sock" '"10.77.0.1/24"' '"10.77.0.2/32", "198.51.100.0/24"'
check route "$TMP/route.conf:8: allowed-ips: a route to this prefix exists in table 254 (dev eth-Y), not this daemon's '198.51.100.0/24'"

conf "$TMP/good.conf" ovpn-x "$TMP/x.sock" '"10.77.0.1/24"' '"10.77.0.2/32"'
nsx X "$SRC/ovpnd" -t -c "$TMP/good.conf" >/dev/null || fail "good config refused"
start_ovpnd X "$TMP/good.conf"
conf "$TMP/busy.conf" ovpn-x "$TMP/x2.sock" '"10.77.0.3/24"' '"10.77.0.4/32"'
check busy "$TMP/busy.conf:1: interface: is a tun in use by another program 'ovpn-x'"
nsx X "$SRC/ovpnd" -f -c "$TMP/busy.conf" >"$TMP/busy.run" 2>&1 && fail "started on a busy tun"
grep -q "interface ovpn-x: cannot create the tun: a tun of that name is in use" "$TMP/busy.run" ||
	fail "start on a busy tun said: $(cat "$TMP/busy.run")"
say "start-up errors name the interface and the cause"

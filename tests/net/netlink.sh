#!/bin/bash
# SPDX-License-Identifier: ISC
# tun + netlink: in a fresh namespace, nltool opens a tun, sets its MTU,
# addresses and routes; check each with ip(8), then that errors are clean
# and the device goes away with the process.
. "$top_srcdir/tests/net/lib.sh"
need_root
need_cmd ip

NLTOOL=$TOOLS/nltool
[ -x "$NLTOOL" ] || hard_error "$NLTOOL not built"
ns_add a
NS=$(ns_name a)
TUN=ovt0

# run NAME CMD...: run in the namespace, output to $TMP/NAME.log; status kept.
run() { log=$TMP/$1.log; shift; ip netns exec "$NS" "$NLTOOL" "$@" >"$log" 2>&1; }
# A clean failure: status 1 (not a signal, not success), message given.
fails_cleanly() {
	name=$1 want=$2; shift 2
	run "$name" "$@"; rc=$?
	[ "$rc" = 1 ] || fail "$name: exit status $rc, expected 1: $(cat "$TMP/$name.log")"
	grep -q -- "$want" "$TMP/$name.log" ||
		fail "$name: message lacks '$want': $(cat "$TMP/$name.log")"
}

ip netns exec "$NS" "$NLTOOL" hold $TUN 1380 \
	-a 10.77.0.1/24 -a fd77::1/64 \
	-r 10.77.5.0/24 -r 10.77.9.9/24 -r fd77:0:0:1::/64 \
	>"$TMP/hold.log" 2>&1 &
pid=$!
track_pid $pid
wait_for 5 grep -q '^ready' "$TMP/hold.log" || {
	kill -0 $pid 2>/dev/null || fail "nltool hold exited: $(cat "$TMP/hold.log")"
	fail "nltool hold not ready: $(cat "$TMP/hold.log")"
}
grep -q "^ready $TUN [0-9]* nonblock cloexec uid 0$" "$TMP/hold.log" ||
	fail "tun fd flags: $(cat "$TMP/hold.log")"

link=$(ip -n "$NS" link show dev $TUN) || fail "no $TUN"
echo "$link" | grep -q " mtu 1380 " || fail "mtu: $link"
echo "$link" | grep -q "[<,]UP[,>]" || fail "not up: $link"
ip -n "$NS" -d link show dev $TUN | grep -q "tun type tun pi off" ||
	fail "not a tun without PI: $(ip -n "$NS" -d link show dev $TUN)"

a4=$(ip -n "$NS" -4 addr show dev $TUN)
echo "$a4" | grep -q "inet 10.77.0.1/24 " || fail "v4 address: $a4"
a6=$(ip -n "$NS" -6 addr show dev $TUN)
echo "$a6" | grep -q "inet6 fd77::1/64 " || fail "v6 address: $a6"
echo "$a6" | grep "fd77::1/64" | grep -q tentative && fail "v6 address tentative (DAD): $a6"

r4=$(ip -n "$NS" -4 route show proto 77)
echo "$r4" | grep -qx "10.77.5.0/24 dev $TUN scope link *" || fail "v4 route: $r4"
echo "$r4" | grep -qx "10.77.9.0/24 dev $TUN scope link *" || fail "v4 route, host bits: $r4"
r6=$(ip -n "$NS" -6 route show proto 77)
echo "$r6" | grep -q "^fd77:0:0:1::/64 dev $TUN " || fail "v6 route: $r6"
# the kernel really routes through the tun
ip -n "$NS" route get 10.77.5.3 | grep -q "dev $TUN" || fail "route get 10.77.5.3"
ip -n "$NS" -6 route get fd77:0:0:1::3 | grep -q "dev $TUN" || fail "route get fd77:0:0:1::3"

# a route that is already there is refused (EEXIST: the daemon names the
# config line), never silently "kept"
run again route-add $TUN 10.77.5.0/24 && fail "re-adding an existing route succeeded"
[ "$(ip -n "$NS" -4 route show 10.77.5.0/24 | wc -l)" = 1 ] || fail "duplicate route"
# add then delete one of ours, v4 and v6
run add4 route-add $TUN 10.77.7.0/24 || fail "route-add: $(cat "$TMP/add4.log")"
ip -n "$NS" route show 10.77.7.0/24 | grep -q "dev $TUN" || fail "10.77.7.0/24 not added"
run del4 route-del $TUN 10.77.7.0/24 || fail "route-del: $(cat "$TMP/del4.log")"
[ -z "$(ip -n "$NS" route show 10.77.7.0/24)" ] || fail "10.77.7.0/24 not deleted"
run add6 route-add $TUN fd77:0:0:7::/64 || fail "route-add v6: $(cat "$TMP/add6.log")"
run del6 route-del $TUN fd77:0:0:7::/64 || fail "route-del v6: $(cat "$TMP/del6.log")"
[ -z "$(ip -n "$NS" -6 route show fd77:0:0:7::/64)" ] || fail "v6 route not deleted"
# MTU change and address delete
run mtu mtu $TUN 1300 || fail "mtu: $(cat "$TMP/mtu.log")"
ip -n "$NS" link show dev $TUN | grep -q " mtu 1300 " || fail "mtu not 1300"
run adda addr-add $TUN 10.77.3.1/32 || fail "addr-add: $(cat "$TMP/adda.log")"
run dela addr-del $TUN 10.77.3.1/32 || fail "addr-del: $(cat "$TMP/dela.log")"
ip -n "$NS" -4 addr show dev $TUN | grep -q 10.77.3.1 && fail "address not deleted"

# errors: non-zero status and a message naming what failed, no crash
fails_cleanly noroute "delete route 10.77.8.0/24 dev $TUN: No such process" \
	route-del $TUN 10.77.8.0/24
ip -n "$NS" route add 10.77.6.0/24 dev $TUN
fails_cleanly foreign "delete route 10.77.6.0/24" route-del $TUN 10.77.6.0/24
ip -n "$NS" route show 10.77.6.0/24 | grep -q "dev $TUN" ||
	fail "a route ovpn did not add was deleted"
fails_cleanly noif "interface nosuch0: No such device" index nosuch0
fails_cleanly noif2 "nosuch0" route-add nosuch0 10.77.8.0/24
fails_cleanly longname "thisnameistoolong" index thisnameistoolong
fails_cleanly dupaddr "add address 10.77.0.1/24 on $TUN: File exists" \
	addr-add $TUN 10.77.0.1/24
fails_cleanly badplen "prefix length too long" route-add $TUN 10.77.8.0/33
fails_cleanly badmtu "set mtu 20 on $TUN" mtu $TUN 20
fails_cleanly tunname "tun thisnameistoolong" hold thisnameistoolong 1400
fails_cleanly tunbusy "tun $TUN: TUNSETIFF" hold $TUN 1400
ip netns exec "$NS" "$NLTOOL" index lo >/dev/null || fail "index lo"

# SIGTERM: routes deleted by the program, then the device goes with the fd
kill -TERM $pid
for _ in $(seq 50); do kill -0 $pid 2>/dev/null || break; sleep 0.1; done
kill -0 $pid 2>/dev/null && fail "nltool hold ignored SIGTERM"
wait $pid; rc=$?
[ "$rc" = 0 ] || fail "nltool hold exit status $rc: $(cat "$TMP/hold.log")"
grep -q "^routes deleted$" "$TMP/hold.log" || fail "routes: $(cat "$TMP/hold.log")"
wait_for 5 sh -c "! ip -n $NS link show dev $TUN" || fail "$TUN still there after exit"

# The same netlink socket works after dropping to nobody with only
# CAP_NET_ADMIN: the routes are deleted on exit by the unprivileged process.
ip netns exec "$NS" "$NLTOOL" hold ovt2 1420 -d -r 10.77.20.0/24 -r fd77:0:0:20::/64 \
	>"$TMP/drop.log" 2>&1 &
dpid=$!
track_pid $dpid
wait_for 5 grep -q '^ready' "$TMP/drop.log" || fail "drop: $(cat "$TMP/drop.log")"
grep -q "^ready ovt2 [0-9]* nonblock cloexec uid 65534$" "$TMP/drop.log" ||
	fail "not dropped: $(cat "$TMP/drop.log")"
grep -q "^CapEff:	0000000000001000$" /proc/$dpid/status ||
	fail "capabilities: $(grep ^Cap /proc/$dpid/status)"
ip -n "$NS" route show 10.77.20.0/24 | grep -q "dev ovt2" || fail "drop: route not added"
kill -TERM $dpid
wait $dpid; rc=$?
[ "$rc" = 0 ] || fail "dropped hold exit status $rc: $(cat "$TMP/drop.log")"
grep -q "^routes deleted$" "$TMP/drop.log" || fail "drop: $(cat "$TMP/drop.log")"

# vnet_hdr: only the flag for now
ip netns exec "$NS" "$NLTOOL" hold ovt1 1420 -v >"$TMP/vnet.log" 2>&1 &
vpid=$!
track_pid $vpid
wait_for 5 grep -q '^ready' "$TMP/vnet.log" || fail "vnet tun: $(cat "$TMP/vnet.log")"
ip -n "$NS" -d link show dev ovt1 | grep -q "vnet_hdr on" ||
	fail "vnet_hdr: $(ip -n "$NS" -d link show dev ovt1)"
kill -TERM $vpid
wait $vpid || fail "vnet hold exit status"
say "ok"

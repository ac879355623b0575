#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A confirming packet that is dropped still releases the queue: Y holds a
# ping for X while it has no session (its initiations go to a wrong port);
# X handshakes with Y, and its first data packet, which confirms Y's new
# session, has a source outside Y's allowed-ips for x and is dropped
# (source-not-allowed). Y's queued ping must leave at once all the same.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
need_cmd jq
pair_setup
sed -i 's/192\.0\.2\.1:51820/192.0.2.1:51999/' "$TMP/y.conf"
grep -q '192.0.2.1:51999' "$TMP/y.conf" || hard_error "y.conf endpoint not rewritten"
pair_start -n
show() { nsx Y "$SRC/ovpnctl" -s "$TMP/y.sock" show --json | jq -r "$1"; }

wait_for 5 sh -c "ip netns exec $(ns_name Y) ip route get 10.77.0.1 | grep -q ovpn-y" || fail "no route to x on Y"
nsbg Y ping -n -c 1 -W 8 10.77.0.1 >"$TMP/yping.out" 2>&1
yping=$BG_PID
wait_for 5 sh -c "ip netns exec $(ns_name Y) '$SRC/ovpnctl' -s '$TMP/y.sock' show --json | jq -e '.peers[0].pending_packets == 1' >/dev/null" ||
	fail "Y did not queue its ping"
nsx X ip addr add 10.77.0.99/32 dev ovpn-x
t0=$(date +%s%N)
nsx X ping -n -c 1 -W 1 -I 10.77.0.99 10.77.0.2 >/dev/null 2>&1 && fail "a source outside allowed-ips got through"
wait "$yping"; rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$(show '.peers[0].drops.source_not_allowed')" -ge 1 ] || fail "the confirming packet was not dropped as source-not-allowed"
[ "$rc" = 0 ] || fail "Y's queued ping never left after the dropped confirming packet: $(cat "$TMP/yping.out")"
say "confirming packet dropped (source-not-allowed), Y's queued ping answered within ${ms} ms (X's 1 s ping wait included)"
exit 0

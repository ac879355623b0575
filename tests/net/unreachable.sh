#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# No route, an answer: a packet into the tun for an address no peer has
# gets ICMP host unreachable (IPv4) or ICMPv6 address unreachable back at
# once, so ping says so and TCP gives up at once instead of retrying SYNs;
# a flood of them gets only ICMP_PER_SECOND (10) answers a second. So does
# a packet for a peer whose endpoint is not known yet. Peers' addresses
# are not affected. With tun offloads and without.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
need_cmd jq
two_hosts
dual_conf x x y 192.0.2.2:51820 10.77.0.1 fd77::1 10.77.0.2 fd77::2
dual_conf y y x "" 10.77.0.2 fd77::2 10.77.0.1 fd77::1
counter() { nsx X "$SRC/ovpnctl" -s "$TMP/x.sock" show --json | jq ".counters.$1"; }

for offload in none tun; do
	OVPND_WRAPPER="env OVPN_TEST_NO_OFFLOAD=$offload" start_ovpnd X "$TMP/x.conf"; px=$OVPND_PID
	OVPND_WRAPPER="env OVPN_TEST_NO_OFFLOAD=$offload" start_ovpnd Y "$TMP/y.conf"; py=$OVPND_PID
	# Y knows no endpoint of x until x writes: nowhere to send, it says so.
	out=$(nsx Y ping -n -c 1 -w 2 10.77.0.1 2>&1)
	echo "$out" | grep -q "From 10.77.0.1 .*Destination Host Unreachable" ||
		fail "offloads refused: $offload: ping from Y to x without an endpoint said: $out"
	ping_ok X 10.77.0.2 || fail "no ping to the peer"
	out=$(nsx X ping -n -c 1 -w 2 10.77.0.9 2>&1)
	echo "$out" | grep -q "From 10.77.0.9 .*Destination Host Unreachable" ||
		fail "offloads refused: $offload: ping 10.77.0.9 said: $out"
	out=$(nsx X ping -n -c 1 -w 2 fd77::9 2>&1)
	echo "$out" | grep -q "From fd77::9 .*Destination unreachable: Address unreachable" ||
		fail "offloads refused: $offload: ping fd77::9 said: $out"
	# TCP: the connect fails with "No route to host" at once, not after
	# its SYN retries (over a minute).
	for a in 10.77.0.9 fd77::9; do
		t0=$(date +%s%N)
		out=$(nsx X timeout 10 bash -c "exec 3<>/dev/tcp/$a/5001" 2>&1) &&
			fail "a TCP connection to $a opened"
		ms=$(( ($(date +%s%N) - t0) / 1000000 ))
		echo "$out" | grep -q "No route to host" || fail "connect to $a: $out"
		[ "$ms" -lt 3000 ] || fail "connect to $a failed only after $ms ms"
	done
	# The rate limit: 200 datagrams in well under a second get a second's
	# worth of answers (10) and what the time taken earned.
	sleep 1.2
	before=$(counter unreachable_sent); nr0=$(counter no_route)
	nsx X bash -c 'for i in $(seq 200); do echo x 2>/dev/null >/dev/udp/10.77.0.9/9; done'
	sent=$(( $(counter unreachable_sent) - before )); nr=$(( $(counter no_route) - nr0 ))
	say "offloads refused: $offload: flood of $nr packets to nobody: $sent answers"
	[ "$nr" -ge 200 ] || fail "only $nr no-route packets counted"
	[ "$sent" -ge 10 ] && [ "$sent" -le 16 ] || fail "$sent answers to a flood of 200"
	ping_ok X 10.77.0.2 || fail "the peer no longer answers"
	stop_pid "$px" || fail "X did not exit cleanly"
	stop_pid "$py" || fail "Y did not exit cleanly"
done
exit 0

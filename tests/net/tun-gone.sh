#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The interface deleted under a running daemon (ip link del), with traffic
# flowing or idle: ovpnd ends within a second or two with a non-zero status
# and one line saying why, leaves no route behind, and never spins logging
# a line per packet.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
two_hosts
for round in none,traffic tun,traffic none,idle; do
	offload=${round%,*}
	host_conf "$TMP/x.conf" x x 10.77.0.1/24 y y 192.0.2.2:51820 10.77.0.2/32 "routes = true"
	host_conf "$TMP/y.conf" y y 10.77.0.2/24 x x "" 10.77.0.1/32
	sed -i 's/log-level .*/log-level = "info"/' "$TMP/x.conf"
	: >"$TMP/ovpnd-X.log"
	OVPND_WRAPPER="env OVPN_TEST_NO_OFFLOAD=$offload" start_ovpnd X "$TMP/x.conf"; px=$OVPND_PID
	OVPND_WRAPPER="env OVPN_TEST_NO_OFFLOAD=$offload" start_ovpnd Y "$TMP/y.conf"; py=$OVPND_PID
	ping_ok X 10.77.0.2 || fail "no ping through the tunnel"
	# Packets keep arriving for the tun from Y while it goes away.
	if [ "${round#*,}" = traffic ]; then
		nsbg Y ping -q -i 0.002 -w 4 10.77.0.1 >/dev/null 2>&1
		sleep 0.5
	fi
	nsx X ip link del ovpn-x || hard_error "ip link del"
	for _ in $(seq 30); do kill -0 "$px" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$px" 2>/dev/null && fail "$round: ovpnd still running 3 s after its interface went ($(wc -l <"$TMP/ovpnd-X.log") log lines)"
	wait "$px"; rc=$?
	[ "$rc" != 0 ] || fail "ovpnd exited 0 after losing its interface"
	n=$(grep -c "interface gone" "$TMP/ovpnd-X.log")
	[ "$n" = 1 ] || fail "$n 'interface gone' lines, wanted 1"
	lines=$(wc -l <"$TMP/ovpnd-X.log")
	[ "$lines" -le 12 ] || fail "$lines log lines: $(sort "$TMP/ovpnd-X.log" | uniq -c | sort -rn | head -3)"
	nsx X ip route show proto 77 | grep -q . && fail "routes left behind: $(nsx X ip route show proto 77)"
	say "$round: exit $rc, $lines log lines, $(grep 'interface gone' "$TMP/ovpnd-X.log")"
	stop_pid "$py" || fail "Y did not exit cleanly"
done
exit 0

#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Restart of one side: traffic resumes within 10 s. Roaming: the initiator's
# underlay address changes mid-stream and traffic resumes without restarting
# the responder, which now sends to the new address.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
tunnel_pair -k 1; py=$PY

# Restart Y while X keeps its old session.
stop_pid "$py" || fail "Y did not exit on SIGTERM"
nsx X ping -c 1 -W 1 10.77.0.2 >/dev/null 2>&1 && fail "ping answered while Y was down"
t0=$(date +%s%N)
start_ovpnd Y "$TMP/y.conf"
wait_for 10 nsx X ping -c 1 -W 1 10.77.0.2 || fail "traffic did not resume within 10 s of Y's restart"
say "after Y's restart traffic resumed in $(( ($(date +%s%N) - t0) / 1000000 )) ms"

# Roaming: X moves to 192.0.2.11 mid-stream; Y is not restarted and has
# 192.0.2.1 in its config, so only roaming can bring the replies to X.
nsbg Y tcpdump -i eth-X --immediate-mode -U -n -w "$TMP/y.pcap" 'udp and dst host 192.0.2.11' 2>"$TMP/tcpdump.log"
wait_for 5 grep -q listening "$TMP/tcpdump.log" || fail "tcpdump did not start"
nsbg X ping -n -i 0.1 -W 1 -w 30 10.77.0.2 >"$TMP/ping.out" 2>&1
pp=$BG_PID
sleep 1
# promote_secondaries: deleting the old address keeps the new one.
nsx X sysctl -qw net.ipv4.conf.eth-Y.promote_secondaries=1
nsx X ip addr add 192.0.2.11/24 dev eth-Y
nsx X ip addr del 192.0.2.1/24 dev eth-Y
t0=$(date +%s%N)
wait_for 10 nsx X ping -c 1 -W 1 10.77.0.2 || fail "traffic did not resume after X moved to 192.0.2.11"
say "after roaming traffic resumed in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
sleep 0.5
to_new=$(tcpdump -r "$TMP/y.pcap" -n 2>/dev/null | wc -l)
[ "$to_new" -gt 0 ] || fail "Y never sent to X's new address"
say "Y sent $to_new datagrams to X's new address 192.0.2.11"
exit 0

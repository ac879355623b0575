#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Observability on a running pair: ovpnctl show --dump (wg show dump's
# columns, handshake as a Unix time), show --json's latest_handshake_unix,
# show IFACE and show all over the run directory, and ovpnctl metrics in
# the Prometheus text format, checked by promtool; bad arguments refused.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
need_cmd jq promtool
pair_setup -l
pair_start -n
ctl() { ns=$1; shift; nsx "$ns" "$SRC/ovpnctl" "$@"; }

# Before any traffic: Y has never shaken hands.
d0=$(ctl Y -s "$TMP/y.sock" show --dump) || fail "show --dump failed"
[ "$(echo "$d0" | sed -n 2p | cut -f5)" = 0 ] || fail "handshake of a silent peer is not 0: $d0"

ping_ok X 10.77.0.2 || fail "no traffic through the tunnel"
nsx X ping -c 5 -i 0.05 10.77.0.2 >/dev/null || fail "pings lost"
t=$(date +%s)

dump=$(ctl Y -s "$TMP/y.sock" show --dump) || fail "show --dump failed"
echo "$dump" | sed 's/^/    /'
[ "$(echo "$dump" | wc -l)" = 2 ] || fail "dump: not one interface and one peer line"
IFS=$'\t' read -r priv pub port fwmark <<<"$(echo "$dump" | sed -n 1p)"
[ "$priv" = "(hidden)" ] && [ "$pub" = "$(pubkey y)" ] && [ "$port" = 51820 ] && [ "$fwmark" = off ] ||
	fail "dump interface line: $(echo "$dump" | sed -n 1p)"
IFS=$'\t' read -r pk psk ep aips hs rx tx ka name <<<"$(echo "$dump" | sed -n 2p)"
[ "$pk" = "$(pubkey x)" ] && [ "$psk" = "(none)" ] && [ "$ep" = 192.0.2.1:51820 ] &&
	[ "$aips" = 10.77.0.1/32 ] && [ "$ka" = off ] && [ "$name" = x ] || fail "dump peer line: $(echo "$dump" | sed -n 2p)"
[ "$hs" -le "$t" ] && [ "$hs" -ge $((t - 15)) ] || fail "dump handshake $hs is not a recent Unix time (now $t)"
[ "$rx" -gt 0 ] && [ "$tx" -gt 0 ] || fail "dump transfer $rx $tx"
echo "$dump" | grep -qF "$(head -n 1 "$TMP/y.key")" && fail "dump carries the private key"

json=$(ctl Y -s "$TMP/y.sock" show --json) || fail "show --json failed"
hsu=$(echo "$json" | jq -er '.peers[0].latest_handshake_unix') || fail "json lacks latest_handshake_unix"
age=$(echo "$json" | jq -er '.peers[0].latest_handshake')
[ $((hsu + age)) -ge $((t - 2)) ] && [ $((hsu + age)) -le $(($(date +%s) + 1)) ] ||
	fail "latest_handshake_unix $hsu + age $age is not now ($t)"
say "dump and json: handshake at $hsu, rx $rx tx $tx"

# show IFACE and show all over the run directory (here $TMP: x.sock, y.sock).
export OVPN_RUN_DIR=$TMP
ctl Y show y | grep -q '^interface: ovpn-y$' || fail "show y did not reach y.sock"
all=$(ctl Y show all --dump) || fail "show all --dump failed"
[ "$(echo "$all" | cut -f1 | sort | uniq -c | awk '{print $1 $2}' | tr '\n' ' ')" = "2ovpn-x 2ovpn-y " ] ||
	fail "show all --dump: $all"
[ "$(ctl Y show all --json | jq -r '.[].interface' | tr '\n' ' ')" = "ovpn-x ovpn-y " ] ||
	fail "show all --json is not an array of both daemons"
[ "$(ctl Y show all | grep -c '^interface: ')" = 2 ] || fail "show all (text)"
err=$(ctl Y show nosuch 2>&1) && fail "show of a missing interface succeeded"
echo "$err" | grep -q "nosuch.sock" || fail "show nosuch: $err"
err=$(OVPN_RUN_DIR=$TMP/empty ctl Y show all 2>&1) && fail "show all with no sockets succeeded"
say "show all with no run directory -> $err"
for bad in "show --dump --json" "show a b" "show --frob" "-s $TMP/y.sock show y" "show ../y"; do
	# shellcheck disable=SC2086
	ctl Y $bad >/dev/null 2>&1; rc=$?
	[ "$rc" = 2 ] || fail "ovpnctl $bad: exit $rc, not a usage error"
done
unset OVPN_RUN_DIR
say "show IFACE, show all (text, json, dump) and bad arguments ok"

# Metrics: promtool's linter, and the values agree with the dump.
m=$(ctl Y -s "$TMP/y.sock" metrics) || fail "ovpnctl metrics failed"
echo "$m" >"$TMP/metrics.txt"
lint=$(promtool check metrics <"$TMP/metrics.txt" 2>&1) || fail "promtool check metrics: $lint"
[ -z "$lint" ] || fail "promtool check metrics complains: $lint"
val() { echo "$m" | awk -v k="$1" '$1 == k { print $2 }'; }
rx2=$(val 'ovpn_peer_rx_bytes_total{interface="ovpn-y",peer="x"}')
[ -n "$rx2" ] && [ "$rx2" -ge "$rx" ] || fail "metrics rx bytes '$rx2' < dump's $rx"
[ "$(val 'ovpn_interface_rx_bytes_total{interface="ovpn-y"}')" = "$rx2" ] || fail "interface rx total differs"
[ "$(val 'ovpn_peer_sessions_established_total{interface="ovpn-y",peer="x"}')" -ge 1 ] || fail "no session counted"
mhs=$(val 'ovpn_peer_latest_handshake_timestamp_seconds{interface="ovpn-y",peer="x"}')
[ "$mhs" -ge $((hs - 1)) ] && [ "$mhs" -le $((hs + 1)) ] ||
	fail "metrics handshake time differs from the dump's $hs"
[ "$(echo "$m" | grep -c '^ovpn_peer_drops_total{interface="ovpn-y",peer="x",reason="')" -ge 10 ] ||
	fail "drops are not one family with a reason label"
for f in ovpn_interface_cookies_sent_total ovpn_interface_rate_limited_total \
	ovpn_interface_under_load ovpn_interface_queue_packets ovpn_peer_queue_packets; do
	echo "$m" | grep -q "^# TYPE $f " || fail "metrics lack $f"
done
echo "$m" | grep -E '^ovpn_(peer_(rx|tx)_bytes|interface_cookies|interface_under)' | sed 's/^/    /'
for bad in "metrics x" "metrics --json" "showconf x"; do
	# shellcheck disable=SC2086
	ctl Y -s "$TMP/y.sock" $bad >/dev/null 2>&1; rc=$?
	[ "$rc" = 2 ] || fail "ovpnctl $bad: exit $rc, not a usage error"
done
out=$(nsx Y "$TOOLS/ctl-garbage" "$TMP/y.sock" line 'metrics json')
echo "$out" | grep -q '^error: unknown request' || fail "'metrics json' request: $out"
say "metrics: promtool clean, rx bytes $rx2"
exit 0

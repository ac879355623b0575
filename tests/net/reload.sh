#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Reload without restart: `ovpnctl reload` adds a peer that then carries
# traffic while the existing peer's session (handshake, counters) is left
# untouched; SIGHUP with a broken config keeps the old one running; a peer
# removed by reload loses its routes.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
need_cmd jq
pair_setup -l
ns_add Z; veth_pair X 198.51.100.1/24 Z 198.51.100.2/24; keygen z
chmod 755 "$TMP"	# the daemon re-reads its config as nobody
host_conf "$TMP/z.conf" z z 10.77.0.3/24 x x "" 10.77.0.1/32
chmod 644 "$TMP"/*.conf
pair_start -n; px=$PX
start_ovpnd Z "$TMP/z.conf"
ctl() { nsx X "$SRC/ovpnctl" -s "$TMP/x.sock" "$@"; }
ping_ok X 10.77.0.2 || fail "no traffic to y"
nsx X ping -c 1 -W 1 10.77.0.3 >/dev/null 2>&1 && fail "z reachable before it was configured"

before=$(ctl show --json) || fail "show"
hs_before=$(grep -c 'peer y: session established' "$TMP/ovpnd-X.log")
cat >>"$TMP/x.conf" <<CONF
peer "z" {
    public-key  = "$(pubkey z)"
    endpoint    = "198.51.100.2:51820"
    allowed-ips = {"10.77.0.3/32", "10.77.3.0/24"}
}
CONF
out=$(ctl reload) || fail "ovpnctl reload failed: $out"
say "reload -> $out"
ping_ok X 10.77.0.3 || fail "the added peer carries no traffic"
nsx X ip route show 10.77.3.0/24 | grep -q ovpn-x || fail "route of the added peer missing"
after=$(ctl show --json)
y_rx0=$(echo "$before" | jq '.peers[] | select(.name == "y") | .rx_packets')
y_rx1=$(echo "$after" | jq '.peers[] | select(.name == "y") | .rx_packets')
[ "$y_rx1" -ge "$y_rx0" ] && [ "$y_rx0" -gt 0 ] || fail "y's counters were reset: $y_rx0 -> $y_rx1"
[ "$(grep -c 'peer y: session established' "$TMP/ovpnd-X.log")" = "$hs_before" ] ||
	fail "y's session was replaced by the reload"
nsx X ping -c 3 -i 0.1 -W 1 10.77.0.2 >/dev/null || fail "y's traffic broke after reload"
[ "$(grep -c 'peer y: session established' "$TMP/ovpnd-X.log")" = "$hs_before" ] ||
	fail "y needed a new handshake after the reload"
say "peer z added and reachable; y kept its session and counters ($y_rx0 -> $y_rx1 packets)"

# A broken config: errors logged and returned, the old config keeps running.
cp "$TMP/x.conf" "$TMP/x.good"
printf 'mtu = 12\nbogus-option = 1\n' >>"$TMP/x.conf"
out=$(ctl reload 2>&1) && fail "reload of a broken config succeeded"
say "broken reload -> $(echo "$out" | head -n 2 | tr '\n' ' ')"
echo "$out" | grep -q "x.conf:[0-9]*: " || fail "reload errors lack FILE:LINE: $out"
kill -HUP "$px"; sleep 0.5
kill -0 "$px" || fail "ovpnd died on SIGHUP with a broken config"
grep -q 'still running the previous configuration' "$TMP/ovpnd-X.log" || fail "no log of the refused reload"
nsx X ping -c 2 -i 0.1 -W 1 10.77.0.3 >/dev/null || fail "z unreachable after a refused reload"
nsx X ping -c 2 -i 0.1 -W 1 10.77.0.2 >/dev/null || fail "y unreachable after a refused reload"

# Remove z again with SIGHUP: its routes go, y stays.
cp "$TMP/x.good" "$TMP/x.conf"
sed -i '/^peer "z"/,$d' "$TMP/x.conf"
kill -HUP "$px"
wait_for 5 sh -c "! ip netns exec $(ns_name X) ip route show 10.77.3.0/24 | grep -q ovpn" ||
	fail "route of the removed peer still there"
nsx X ping -c 1 -W 1 10.77.0.3 >/dev/null 2>&1 && fail "removed peer still reachable"
nsx X ping -c 2 -i 0.1 -W 1 10.77.0.2 >/dev/null || fail "y unreachable after removing z"
[ "$(ctl show --json | jq '.peers | length')" = 1 ] || fail "z still listed"
say "SIGHUP removed z and its routes; y still up"
exit 0

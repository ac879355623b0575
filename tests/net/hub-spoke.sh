#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Hub and spokes: three spokes on one LAN reach each other only through the
# hub, which forwards between its peers (ip_forward=1).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
bridge_ns lan
ns_add H; attach H 192.0.2.1/24; keygen h
nsx H sysctl -qw net.ipv4.ip_forward=1
for i in 1 2 3; do ns_add "S$i"; attach "S$i" "192.0.2.1$i/24"; keygen "s$i"; done

{
	cat <<CONF
interface        = "ovpn-h"
private-key-file = "$TMP/h.key"
listen-port      = 51820
address          = {"10.77.0.1/24"}
control-socket   = "$TMP/h.sock"
user             = "nobody"
group            = "nogroup"
CONF
	for i in 1 2 3; do
		printf 'peer "s%s" {\n  public-key = "%s"\n  allowed-ips = {"10.77.0.1%s/32"}\n  routes = false\n}\n' \
			"$i" "$(pubkey "s$i")" "$i"
	done
} >"$TMP/h.conf"
for i in 1 2 3; do
	host_conf "$TMP/s$i.conf" "s$i" "s$i" "10.77.0.1$i/24" hub h 192.0.2.1:51820 10.77.0.0/24 \
		"persistent-keepalive = 1"
	sed -i 's/routes *=.*//' "$TMP/s$i.conf"
done
start_ovpnd H "$TMP/h.conf"
for i in 1 2 3; do start_ovpnd "S$i" "$TMP/s$i.conf"; done

for i in 1 2 3; do
	for j in 1 2 3; do
		[ "$i" = "$j" ] && continue
		ping_ok "S$i" "10.77.0.1$j" || fail "spoke $i cannot reach spoke $j through the hub"
	done
	ping_ok "S$i" 10.77.0.1 || fail "spoke $i cannot reach the hub"
done
# The spokes share a LAN, but no spoke talked to another directly.
say "all six spoke-to-spoke paths and three spoke-to-hub paths work"
exit 0

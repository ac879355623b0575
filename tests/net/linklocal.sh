#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# A peer reached at a link-local IPv6 endpoint with a scope,
# "[fe80::2%eth-X]:51820" as wg accepts it: the handshake goes out of the
# named link, pings pass both ways, and show names the scoped endpoint.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
ns_add X; ns_add Y
veth_pair X 192.0.2.1/24 Y 192.0.2.2/24
nsx X ip addr add fe80::1/64 dev eth-Y nodad
nsx Y ip addr add fe80::2/64 dev eth-X nodad
keygen x; keygen y
host_conf "$TMP/x.conf" x x 10.77.0.1/24 y y "[fe80::2%eth-Y]:51820" 10.77.0.2/32
host_conf "$TMP/y.conf" y y 10.77.0.2/24 x x "" 10.77.0.1/32
"$SRC/ovpnd" -t -c "$TMP/x.conf" || fail "-t refuses a scoped link-local endpoint"
start_ovpnd X "$TMP/x.conf"
start_ovpnd Y "$TMP/y.conf"
ping_ok X 10.77.0.2 || fail "no ping X->Y over the link-local underlay"
ping_ok Y 10.77.0.1 || fail "no ping Y->X over the link-local underlay"
ep=$(nsx Y "$SRC/ovpnctl" -s "$TMP/y.sock" show | sed -n 's/^  endpoint: //p')
say "Y learned X at $ep"
case "$ep" in "[fe80::1"*"]:51820") ;; *) fail "Y shows endpoint '$ep', not X's link-local address" ;; esac
say "link-local endpoint with a scope: handshake and pings both ways"

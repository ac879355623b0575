#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Peers changed at runtime on a running pair: ovpnctl set peer adds and
# changes peers, remove peer removes them, in place (x keeps its session:
# no new handshake), routes follow; bad values get the config file's
# message on one line and change nothing; showconf prints the running
# configuration so that `ovpnctl showconf > f && ovpnd -t -c f` passes,
# before and after the changes; ovpnctl save writes them to the file.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
need_cmd jq
pair_setup -l -k 0
keygen z
pair_start -n
ctl() { nsx Y "$SRC/ovpnctl" -s "$TMP/y.sock" "$@"; }
sessions() { ctl metrics | awk -v k="ovpn_peer_sessions_established_total{interface=\"ovpn-y\",peer=\"$1\"}" '$1 == k { print $2 }'; }
routes() { nsx Y ip -4 route show dev ovpn-y | grep -v 'proto kernel' | awk '{print $1}' | sort | tr '\n' ' '; }
roundtrip() {
	ctl showconf >"$TMP/$1.conf" || fail "showconf failed"
	grep -qF "$(head -n 1 "$TMP/y.key")" "$TMP/$1.conf" && fail "showconf printed the private key"
	out=$("$SRC/ovpnd" -t -c "$TMP/$1.conf" 2>&1) || fail "showconf > f && ovpnd -t -c f: $out"
}

roundtrip show0
grep -q "^private-key-file *= \"$TMP/y.key\"$" "$TMP/show0.conf" || fail "showconf lacks the key file"
grep -q "^table *= \"main\"$" "$TMP/show0.conf" && grep -q "^fwmark *= \"off\"$" "$TMP/show0.conf" ||
	fail "showconf lacks table or fwmark: $(cat "$TMP/show0.conf")"
ping_ok X 10.77.0.2 || fail "no traffic through the tunnel"
s0=$(sessions x)
[ "$s0" -ge 1 ] || fail "no session with x"

# Add z, with routes.
Z=$(pubkey z)
out=$(ctl set peer z public-key "$Z" endpoint 192.0.2.3:51820 allowed-ips 10.77.0.3/32,198.51.100.0/24 \
	persistent-keepalive 0 routes on) || fail "set peer z: $out"
say "$out"
[ "$out" = "peer z added: 2 peers" ] || fail "set peer z replied '$out'"
[ "$(routes)" = "10.77.0.1 10.77.0.3 198.51.100.0/24 " ] || fail "routes after adding z: $(routes)"
dump=$(ctl show --dump)
echo "$dump" | grep -q "^$Z	(none)	192.0.2.3:51820	10.77.0.3/32,198.51.100.0/24	0	0	0	off	z$" ||
	fail "z not in the dump: $dump"

# Change x (same key): more allowed-ips and a keepalive; its session stays.
out=$(ctl set peer x public-key "$(pubkey x)" allowed-ips 10.77.0.1/32,10.77.1.0/24 persistent-keepalive 25) ||
	fail "set peer x: $out"
[ "$out" = "peer x changed: 2 peers" ] || fail "set peer x replied '$out'"
[ "$(routes)" = "10.77.0.1 10.77.0.3 10.77.1.0/24 198.51.100.0/24 " ] || fail "routes after changing x: $(routes)"
nsx X ping -c 3 -i 0.1 -W 1 10.77.0.2 >/dev/null || fail "x lost the tunnel when changed"
[ "$(sessions x)" = "$s0" ] || fail "changing x made a new session ($s0 -> $(sessions x))"
[ "$(ctl show --json | jq -r '.peers[] | select(.name == "x") | .persistent_keepalive')" = 25 ] ||
	fail "x's keepalive not applied"
roundtrip show1
grep -q '^peer "z" {$' "$TMP/show1.conf" && grep -q '10.77.1.0/24' "$TMP/show1.conf" ||
	fail "showconf lacks the changes: $(cat "$TMP/show1.conf")"

# z without routes: its routes go; then z goes.
ctl set peer z public-key "$Z" routes off >/dev/null || fail "set peer z routes off"
[ "$(routes)" = "10.77.0.1 10.77.1.0/24 " ] || fail "routes after routes off: $(routes)"
[ "$(ctl show --dump | grep -c "	z$")" = 1 ] || fail "z's settings lost by routes off"
ctl show --dump | grep -q "	10.77.0.3/32,198.51.100.0/24	" || fail "routes off changed z's allowed-ips"

# Bad input: one line each, the config file's message, nothing changed.
before=$(ctl showconf)
bad() {
	want=$1; shift
	err=$(ctl "$@" 2>&1 >/dev/null) && fail "accepted: $*"
	[ "$(echo "$err" | wc -l)" = 1 ] || fail "$* -> more than one line: $err"
	echo "$err" | grep -qF -- "$want" || fail "$* -> '$err', wanted '$want'"
	say "  $* -> $err"
}
bad "public-key: not a key: wrong length (a key is 44 base64 characters) 'abc'" set peer w public-key abc
bad "endpoint: no port (host:port or [IPv6]:port) '192.0.2.9'" set peer w public-key "$Z" endpoint 192.0.2.9
bad "allowed-ips: prefix length is not 0 to 32 '10.77.0.0/33'" set peer w public-key "$Z" allowed-ips 10.77.0.0/33
bad "persistent-keepalive: not 0 (off) to 65535 seconds '99999999'" set peer z public-key "$Z" persistent-keepalive 99999999
bad "persistent-keepalive: not a number 'soon'" set peer z public-key "$Z" persistent-keepalive soon
bad "routes: not on or off 'maybe'" set peer z public-key "$Z" routes maybe
bad "unknown setting 'mtu'" set peer z public-key "$Z" mtu 1400
bad "public-key is required" set peer z endpoint 192.0.2.3:1
bad "endpoint given twice" set peer z public-key "$Z" endpoint 192.0.2.3:1 endpoint 192.0.2.3:2
bad "are not allowed" set peer 'z"}' public-key "$Z"
bad "are not allowed" set peer z public-key "$Z" endpoint '1.2.3.4:5"}peer"q"{'
bad "public-key: peer \"w\" has the key of peer \"z\" '$Z'" set peer w public-key "$Z"
bad "no peer named 'nosuch'" remove peer nosuch
for u in "set" "set peer" "set peer z public-key" "set host z" "remove peer" "remove peer a b"; do
	# shellcheck disable=SC2086
	ctl $u >/dev/null 2>&1; rc=$?
	[ "$rc" = 2 ] || fail "ovpnctl $u: exit $rc, not a usage error"
done
[ "$(ctl showconf)" = "$before" ] || fail "a refused change changed the configuration"
nsx X ping -c 2 -i 0.1 -W 1 10.77.0.2 >/dev/null || fail "tunnel broken by refused changes"

out=$(ctl remove peer z) || fail "remove peer z: $out"
[ "$out" = "peer z removed: 1 peers" ] || fail "remove replied '$out'"
ctl show --dump | grep -q "	z$" && fail "z still there"
[ "$(sessions x)" = "$s0" ] || fail "removing z made x handshake again"
roundtrip show2
# A reload reads the file again: the runtime changes go.
chmod 755 "$TMP"; chmod 644 "$TMP/y.conf"	# read again as nobody
ctl reload >/dev/null || fail "reload"
[ "$(ctl show --json | jq -r '.peers[0].allowed_ips | join(",")')" = 10.77.0.1/32 ] ||
	fail "reload did not return to the file's settings"
[ "$(routes)" = "10.77.0.1 " ] || fail "routes after reload: $(routes)"
# ovpnctl save writes them into the file (atomically): a reload keeps them.
ctl set peer z public-key "$Z" allowed-ips 10.77.0.3/32 >/dev/null || fail "set peer z again"
out=$(ctl save "$TMP/y.conf") || fail "save: $out"
[ "$out" = "saved the running configuration to $TMP/y.conf" ] || fail "save said '$out'"
[ "$(stat -c %a "$TMP/y.conf")" = 644 ] || fail "save changed the file's mode"
ls "$TMP"/y.conf.* >/dev/null 2>&1 && fail "save left a temporary file"
"$SRC/ovpnd" -t -c "$TMP/y.conf" >/dev/null || fail "the saved file does not check"
ctl reload >/dev/null || fail "reload of the saved file"
ctl show --dump | grep -q "	10.77.0.3/32	0	0	0	off	z$" || fail "z lost by a reload after save"
[ "$(routes)" = "10.77.0.1 10.77.0.3 " ] || fail "routes after save and reload: $(routes)"
err=$(ctl save "$TMP/nodir/y.conf" 2>&1) && fail "save into a missing directory succeeded"
[ "$err" = "ovpnctl: cannot write $TMP/nodir/y.conf: No such file or directory" ] || fail "save error: $err"
ctl save >/dev/null 2>&1; [ $? = 2 ] || fail "save without FILE is not a usage error"
say "set/remove peer in place (x kept session $s0), routes followed, showconf round-trips, save keeps them"
exit 0

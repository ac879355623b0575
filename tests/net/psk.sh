#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Pre-shared keys (protocol version 2): X talks to Y with a key made by
# `wg genpsk` and to Z with none, both carry traffic and ovpnctl says which
# has one (never the key). Keys that differ never complete a handshake: the
# initiator counts handshake-psk-mismatch. Both ends recover as soon as the
# keys match again after a reload; Z keeps its session through every reload.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
need_cmd jq wg
two_hosts
ns_add Z; veth_pair X 198.51.100.1/24 Z 198.51.100.2/24; keygen z
chmod 755 "$TMP"	# the daemons re-read their configs and keys as nobody

# psk_file NAME [KEY]: $TMP/NAME.psk holding KEY (default: a new wg genpsk),
# 0600 and owned by nobody, who reads it again on reload.
psk_file() {
	if [ -n "${2:-}" ]; then printf '%s\n' "$2" >"$TMP/$1.psk"
	else (umask 077; wg genpsk >"$TMP/$1.psk"); fi
	chmod 600 "$TMP/$1.psk"; chown nobody "$TMP/$1.psk"
}
psk_file xy
psk_file yx "$(cat "$TMP/xy.psk")"

cat >"$TMP/x.conf" <<CONF
interface        = "ovpn-x"
private-key-file = "$TMP/x.key"
listen-port      = 51820
address          = {"10.77.0.1/24"}
control-socket   = "$TMP/x.sock"
user             = "nobody"
group            = "nogroup"
log-level        = "debug"
peer "y" {
    public-key         = "$(pubkey y)"
    preshared-key-file = "$TMP/xy.psk"
    endpoint           = "192.0.2.2:51820"
    allowed-ips        = {"10.77.0.2/32"}
}
peer "z" {
    public-key  = "$(pubkey z)"
    endpoint    = "198.51.100.2:51820"
    allowed-ips = {"10.77.0.3/32"}
}
CONF
host_conf "$TMP/y.conf" y y 10.77.0.2/24 x x "" 10.77.0.1/32 \
	"preshared-key-file = \"$TMP/yx.psk\""
host_conf "$TMP/z.conf" z z 10.77.0.3/24 x x "" 10.77.0.1/32
chmod 644 "$TMP"/*.conf
start_ovpnd X "$TMP/x.conf"
start_ovpnd Y "$TMP/y.conf"
start_ovpnd Z "$TMP/z.conf"
ctlx() { nsx X "$SRC/ovpnctl" -s "$TMP/x.sock" "$@"; }
ctly() { nsx Y "$SRC/ovpnctl" -s "$TMP/y.sock" "$@"; }
# field CTL PEER JQ: one value of a peer in `ovpnctl show --json`.
field() { "$1" show --json | jq -r ".peers[] | select(.name == \"$2\") | $3"; }
mismatches() { field ctly x .drops.handshake_psk_mismatch; }
mismatches_over() { [ "$(mismatches)" -gt "$1" ]; }
z_handshakes() { grep -c 'peer z: session established' "$TMP/ovpnd-X.log"; }

ping_ok X 10.77.0.2 || fail "no traffic to y (with a pre-shared key)"
ping_ok X 10.77.0.3 || fail "no traffic to z (without one)"
[ "$(field ctlx y .preshared_key)" = true ] || fail "show --json: y has no preshared_key"
[ "$(field ctlx z .preshared_key)" = false ] || fail "show --json: z has a preshared_key"
ctlx show | grep -A2 '^peer: y' | grep -q 'preshared key: (hidden)' || fail "show: y's psk not mentioned"
for k in "$(cat "$TMP/xy.psk")" "$(cut -c1-16 "$TMP/xy.psk")"; do
	ctlx show --json | grep -qF "$k" && fail "show --json prints the pre-shared key"
	ctlx show | grep -qF "$k" && fail "show prints the pre-shared key"
	grep -qF "$k" "$TMP"/ovpnd-*.log && fail "a log holds the pre-shared key"
done
say "y (psk from wg genpsk) and z (none) both carry traffic"
z0=$(z_handshakes)

# Two different keys: Y's changes, Y starts over and cannot open X's answers.
psk_file yx
ctly reload >/dev/null || fail "reload of y failed"
grep -q 'peer x: pre-shared key changed' "$TMP/ovpnd-Y.log" || fail "y did not restart its sessions"
wait_for 10 mismatches_over 0 || fail "no handshake-psk-mismatch counted by y"
nsx X ping -c 2 -i 0.2 -W 1 10.77.0.2 >/dev/null 2>&1 && fail "traffic to y with different keys"
say "different keys: y counted $(mismatches) psk mismatches, no traffic"

# Keys match again after X's reload: both recover at once; Z untouched.
psk_file xy "$(cat "$TMP/yx.psk")"
ctlx reload >/dev/null || fail "reload of x failed"
ping_ok X 10.77.0.2 || fail "y did not recover once the keys matched"
ping_ok Y 10.77.0.1 || fail "x unreachable from y after the recovery"
grep -q 'peer z: pre-shared key changed' "$TMP/ovpnd-X.log" && fail "z's sessions were restarted"
nsx X ping -c 2 -i 0.2 -W 1 10.77.0.3 >/dev/null || fail "z's traffic broke"
[ "$(z_handshakes)" = "$z0" ] || fail "z needed a new handshake after the reloads"
say "the same key again: x and y recovered; z kept its session"

# A key on one side only: Y drops its key, then X does too.
m0=$(mismatches)
sed -i '/preshared-key-file/d' "$TMP/y.conf"
ctly reload >/dev/null || fail "reload of y without a psk failed"
wait_for 10 mismatches_over "$m0" || fail "no psk mismatch with a key on x only"
nsx X ping -c 2 -i 0.2 -W 1 10.77.0.2 >/dev/null 2>&1 && fail "traffic with a key on one side only"
sed -i '/preshared-key-file/d' "$TMP/x.conf"
ctlx reload >/dev/null || fail "reload of x without a psk failed"
ping_ok X 10.77.0.2 || fail "y did not recover once neither side had a key"
[ "$(field ctlx y .preshared_key)" = false ] || fail "show --json: y still has a preshared_key"
[ "$(z_handshakes)" = "$z0" ] || fail "z needed a new handshake"
say "a key on one side only: no traffic; none on either side: traffic again"
exit 0

#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Offloads on one side, refused on the other (OVPN_TEST_NO_OFFLOAD acts as a
# kernel that says no), then mixed the other way: TCP transfers both ways
# over IPv4 and IPv6 inside the tunnel arrive whole (sha256), so the
# segmentation, UDP GSO/GRO, coalescing and every fallback interoperate.
# The first round seals with libsodium on X and libcrypto on Y (when built
# in; OVPN_TEST_AEAD), so the two AEAD implementations interoperate too.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
need_cmd jq
two_hosts
MB=${OFFLOAD_MB:-30}
DEFAULT_AEAD=libsodium
grep -q '^#define HAVE_OPENSSL 1' "${top_builddir:-$(dirname "$0")/..}/config.h" && DEFAULT_AEAD=libcrypto

dual_conf x x y 192.0.2.2:51820 10.77.0.1 fd77::1 10.77.0.2 fd77::2
dual_conf y y x "" 10.77.0.2 fd77::2 10.77.0.1 fd77::1

# transfer FROM TO ADDR LABEL: MB MiB through the tunnel, checked end to end.
transfer() {
	nsbg "$2" "$TOOLS/tcp-xfer" -l 5001 -t 60 >"$TMP/rx.out" 2>"$TMP/rx.err"
	rx=$BG_PID
	wait_for 5 grep -q listening "$TMP/rx.err" || fail "$4: receiver did not start"
	nsx "$1" "$TOOLS/tcp-xfer" -c "$3" 5001 -n "$MB" -t 60 >"$TMP/tx.out" || fail "$4: sender failed"
	wait "$rx" || fail "$4: receiver failed"
	read -r txb txh <"$TMP/tx.out"; read -r rxb rxh <"$TMP/rx.out"
	[ "$txb" = $((MB * 1048576)) ] && [ "$rxb" = "$txb" ] && [ "$rxh" = "$txh" ] ||
		fail "$4: sent $txb $txh, received $rxb $rxh"
}

# round X_REFUSES Y_REFUSES Y_STATUS: start both, check what each says it uses, move data.
round() {
	ystatus=$3
	: >"$TMP/ovpnd-X.log"; : >"$TMP/ovpnd-Y.log"
	OVPND_WRAPPER="env OVPN_TEST_NO_OFFLOAD=$1 ${X_AEAD:+OVPN_TEST_AEAD=$X_AEAD}" \
		start_ovpnd X "$TMP/x.conf"; px=$OVPND_PID
	OVPND_WRAPPER="env OVPN_TEST_NO_OFFLOAD=$2" start_ovpnd Y "$TMP/y.conf"; py=$OVPND_PID
	for side in "X $1" "Y $2"; do
		set -- $side
		want="tun offloads $(case $2 in *tun*) echo off ;; *) echo on ;; esac)"
		want="$want, UDP GSO $(case $2 in *gso*) echo off ;; *) echo on ;; esac)"
		want="$want, GRO $(case $2 in *gro*) echo off ;; *) echo on ;; esac)"
		grep -q "$want" "$TMP/ovpnd-$1.log" ||
			fail "$1 refusing '$2': wanted '$want' in $(cat "$TMP/ovpnd-$1.log")"
	done
	${AFTER_START:-}
	got=$(nsx Y "$SRC/ovpnctl" -s "$TMP/y.sock" show --json | jq -c .offloads)
	[ "$got" = "$ystatus" ] || fail "Y's status shows offloads $got, wanted $ystatus"
	for side in "x ${X_AEAD:-$DEFAULT_AEAD}" "y $DEFAULT_AEAD"; do
		set -- $side
		got=$(nsx "${1^^}" "$SRC/ovpnctl" -s "$TMP/$1.sock" show --json | jq -r .aead)
		[ "$got" = "$2" ] || fail "$1's status shows the AEAD from '$got', wanted $2"
		nsx "${1^^}" "$SRC/ovpnctl" -s "$TMP/$1.sock" show | grep -q "aead: chacha20-poly1305 from $2" ||
			fail "$1's text status does not name the AEAD $2"
	done
	ping_ok X 10.77.0.2 || fail "no IPv4 ping through the tunnel"
	ping_ok X fd77::2 || fail "no IPv6 ping through the tunnel"
	transfer X Y 10.77.0.2 "X->Y IPv4"
	transfer Y X fd77::1 "Y->X IPv6"
	transfer X Y fd77::2 "X->Y IPv6"
	transfer Y X 10.77.0.1 "Y->X IPv4"
	grep -q "bad\|malformed" "$TMP/ovpnd-X.log" "$TMP/ovpnd-Y.log" &&
		fail "complaints in the logs"
	for side in x y; do
		n=$(nsx "${side^^}" "$SRC/ovpnctl" -s "$TMP/$side.sock" show --json | jq .counters.tun_malformed)
		[ "$n" = 0 ] || fail "$side counted $n malformed tun packets"
	done
	stop_pid "$px" || fail "X did not exit cleanly"
	stop_pid "$py" || fail "Y did not exit cleanly"
}

X_AEAD=libsodium round none tun,gso,gro '{"tun":false,"udp_gso":false,"udp_gro":false}'
say "offloads on X, none on Y, X's AEAD libsodium, Y's $DEFAULT_AEAD: 4 x $MB MiB, IPv4 and IPv6, both ways, intact"
round tun gro '{"tun":true,"udp_gso":true,"udp_gro":false}'
say "X: GSO and GRO only, Y: tun offloads and GSO only: 4 x $MB MiB intact"
# Routes advertising a small MSS: many small segments per super-packet (the
# cut of one into several batches is in test_offload; iperf3 -M 300 shows it).
small_mss() {
	nsx X ip route replace 10.77.0.2/32 dev ovpn-x advmss 300 &&
	nsx Y ip route replace 10.77.0.1/32 dev ovpn-y advmss 300 &&
	nsx X ip -6 route replace fd77::2/128 dev ovpn-x advmss 300 &&
	nsx Y ip -6 route replace fd77::1/128 dev ovpn-y advmss 300 || fail "advmss"
}
AFTER_START=small_mss round none none '{"tun":true,"udp_gso":true,"udp_gro":true}'
say "MSS 300, all offloads on both sides: 4 x $MB MiB intact"
exit 0

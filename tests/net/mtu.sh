#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# TCP through the tunnel at every kind of MTU the config accepts, with the
# offloads and without: 576 (IPv4 only), 1280, 1420 and 9000 over an
# underlay that fits, and
# outer links smaller than the tunnel needs (1420 over 1280 as on PPPoE or
# inside another tunnel, 9000 over 1500), for which the kernel fragments
# the outer datagrams. Each transfer must arrive whole (sha256) and at
# a speed that rules out a collapse (MTU_MIN_MBIT, default 40 Mbit/s: the
# broken cases moved 1 to 20), with no tun packet counted malformed and
# next to no send dropped.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
need_cmd jq
heavy_test
two_hosts
MB=${MTU_MB:-8}
# Under the sanitizers (ASAN_OPTIONS set by .ci/run) everything is slower;
# the send-drop count still tells a collapse apart.
MIN_MBIT=${MTU_MIN_MBIT:-$([ -n "${ASAN_OPTIONS:-}" ] && echo 15 || echo 40)}

# transfer FROM TO ADDR LABEL: MB MiB through the tunnel, checked end to end.
transfer() {
	nsbg "$2" "$TOOLS/tcp-xfer" -l 5001 -t 30 >"$TMP/rx.out" 2>"$TMP/rx.err"
	rx=$BG_PID
	wait_for 5 grep -q listening "$TMP/rx.err" || fail "$4: receiver did not start"
	t0=$(date +%s%N)
	nsx "$1" "$TOOLS/tcp-xfer" -c "$3" 5001 -n "$MB" -t 30 >"$TMP/tx.out" || fail "$4: sender failed"
	wait "$rx" || fail "$4: receiver failed"
	t1=$(date +%s%N)
	read -r txb txh <"$TMP/tx.out"; read -r rxb rxh <"$TMP/rx.out"
	[ "$txb" = $((MB * 1048576)) ] && [ "$rxb" = "$txb" ] && [ "$rxh" = "$txh" ] ||
		fail "$4: sent $txb $txh, received $rxb $rxh"
	mbit=$(( MB * 8388608 / ((t1 - t0) / 1000 + 1) ))
	say "$4: $MB MiB at $mbit Mbit/s"
	[ "$mbit" -ge "$MIN_MBIT" ] || {
		nsx X "$SRC/ovpnctl" -s "$TMP/x.sock" show; nsx Y "$SRC/ovpnctl" -s "$TMP/y.sock" show
		fail "$4: $mbit Mbit/s, wanted at least $MIN_MBIT"
	}
}

counter() { nsx "$1" "$SRC/ovpnctl" -s "$TMP/$2.sock" show --json | jq ".counters.$3"; }

# round TUN_MTU LINK_MTU REFUSE: both daemons at TUN_MTU over veths of
# LINK_MTU, OVPN_TEST_NO_OFFLOAD=REFUSE on both; IPv4 one way, IPv6 back.
round() {
	label="mtu $1 over link $2, refused: $3"
	nsx X ip link set eth-Y mtu "$2"; nsx Y ip link set eth-X mtu "$2"
	dual_conf x x y 192.0.2.2:51820 10.77.0.1 fd77::1 10.77.0.2 fd77::2
	dual_conf y y x "" 10.77.0.2 fd77::2 10.77.0.1 fd77::1
	sed -i "s/^mtu .*/mtu = $1/" "$TMP/x.conf" "$TMP/y.conf"
	# Below 1280 the overlay carries no IPv6 (RFC 8200): IPv4 both ways.
	v6=fd77::1
	if [ "$1" -lt 1280 ]; then
		sed -i 's|, "fd77::[0-9]/[0-9]*"||' "$TMP/x.conf" "$TMP/y.conf"
		v6=10.77.0.1
	fi
	: >"$TMP/ovpnd-X.log"; : >"$TMP/ovpnd-Y.log"
	OVPND_WRAPPER="env OVPN_TEST_NO_OFFLOAD=$3" start_ovpnd X "$TMP/x.conf"; px=$OVPND_PID
	OVPND_WRAPPER="env OVPN_TEST_NO_OFFLOAD=$3" start_ovpnd Y "$TMP/y.conf"; py=$OVPND_PID
	ping_ok X 10.77.0.2 || fail "$label: no IPv4 ping through the tunnel"
	[ "$v6" = 10.77.0.1 ] || ping_ok X fd77::2 || fail "$label: no IPv6 ping through the tunnel"
	transfer X Y 10.77.0.2 "$label, X->Y IPv4"
	transfer Y X "$v6" "$label, Y->X $([ "$v6" = 10.77.0.1 ] && echo IPv4 || echo IPv6)"
	for side in x y; do
		n=$(counter "${side^^}" $side tun_malformed)
		[ "$n" = 0 ] || fail "$label: $side counted $n malformed tun packets"
		n=$(counter "${side^^}" $side udp_send_dropped)
		[ "$n" -le 10 ] || fail "$label: $side dropped $n sends"
	done
	stop_pid "$px" || fail "$label: X did not exit cleanly"
	stop_pid "$py" || fail "$label: Y did not exit cleanly"
}

for refuse in ${MTU_REFUSE:-none tun,gso,gro}; do
	for r in ${MTU_ROUNDS:-576/1500 1280/1500 1420/1500 9000/9100 1420/1280 9000/1500}; do
		round "${r%/*}" "${r#*/}" "$refuse"
	done
done
exit 0

#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# bench/footprint.sh - what ovpnd costs when it carries little: memory with
# 1, 100 and 10,000 peers, and CPU and wake-ups of an idle tunnel.
#
#   bench/footprint.sh [-p "1 100 10000"] [-i SECS]    (as root)
#
# Memory: ovpnd started in a namespace of its own with N peers (random
# public keys, one /32 each, no endpoints: nothing to handshake), read
# from /proc after start-up: peak RSS (VmHWM), RSS split into anonymous
# (the daemon's own) and file-backed (shared library pages, shared with
# every process that maps them), and the kernel's proportional share (Pss).
# Idle: two daemons with a session (one ping), then SECS (30) of nothing:
# CPU ticks and context switches of each daemon in that time. The protocol
# sends nothing on an idle session (no persistent-keepalive), so both
# should be 0.
# Addresses: 203.0.113.1/.2 underlay, 10.77.0.0/16 overlay, only inside the
# namespaces this script makes and deletes.
set -u -o pipefail
umask 077
export LC_ALL=C
HERE=$(cd "$(dirname "$0")" && pwd)
PEERS="1 100 10000"
IDLE=30
while getopts p:i: o; do
	case $o in
	p) PEERS=$OPTARG ;;
	i) IDLE=$OPTARG ;;
	*) echo "usage: $0 [-p PEERS] [-i SECS]" >&2; exit 2 ;;
	esac
done
if [[ -z ${OVPN_BUILD:-} ]]; then
	OVPN_BUILD=$HERE/../src
	[[ -x $HERE/../build/src/ovpnd ]] && OVPN_BUILD=$HERE/../build/src
fi
[[ $(id -u) = 0 ]] || { echo "$0: needs root (network namespaces)" >&2; exit 77; }
WORK=$(mktemp -d /tmp/ovpn-footprint.XXXXXX)
chmod 755 "$WORK"
TAG=$(($$ % 100000))
NS_A=ofA$TAG NS_B=ofB$TAG
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do for _ in {1..50}; do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done; done
	ip netns del "$NS_A" 2>/dev/null; ip netns del "$NS_B" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
ip netns add "$NS_A" && ip netns add "$NS_B" || exit 99
ip -n "$NS_A" link set lo up; ip -n "$NS_B" link set lo up
ip link add "ofa$TAG" netns "$NS_A" type veth peer name "ofb$TAG" netns "$NS_B" || exit 99
ip -n "$NS_A" addr add 203.0.113.1/24 dev "ofa$TAG"; ip -n "$NS_A" link set "ofa$TAG" up
ip -n "$NS_B" addr add 203.0.113.2/24 dev "ofb$TAG"; ip -n "$NS_B" link set "ofb$TAG" up
for s in a b; do "$OVPN_BUILD/ovpn-keygen" -o "$WORK/$s.key" >/dev/null || exit 99; done

# header NAME ADDR: the interface part of a config.
header() {
	cat <<CONF
interface        = "$1"
private-key-file = "$WORK/${1#fp}.key"
listen-port      = 51820
address          = {"$2/16"}
control-socket   = "$WORK/$1.sock"
user             = "nobody"
group            = "nogroup"
log-level        = "warning"
CONF
}
# peer_keys N: N random public keys (the tests' generator).
peer_keys() { bash "$HERE/../tests/tools/random-pubkeys.sh" "$1"; }
started() { # NS CONF: start ovpnd, wait for its interface; PID in $PID
	ip netns exec "$1" "$OVPN_BUILD/ovpnd" -f -c "$2" >>"$WORK/log" 2>&1 &
	PID=$!; PIDS+=("$PID")
	for _ in {1..300}; do
		ip netns exec "$1" "$OVPN_BUILD/ovpnctl" -s "$WORK/$3.sock" show >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "ovpnd did not start: $(tail -n 3 "$WORK/log")" >&2; exit 1
}
# stopped PID: SIGTERM, and the seconds it took to exit (routes removed).
stopped() {
	local t0=$(date +%s%N)
	kill "$1"
	for _ in {1..1200}; do kill -0 "$1" 2>/dev/null || break; sleep 0.05; done
	STOP_S=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
}
kib() { awk -v k="$2" '$1 == k":" { print $2 }' "/proc/$1/${3:-status}"; }

echo "ovpnd: $OVPN_BUILD/ovpnd ($(git -C "$HERE" describe --always --dirty 2>/dev/null))"
echo
echo "| peers | config bytes | start s | peak RSS MiB | RSS anon MiB | RSS file MiB | PSS MiB | anon KiB per peer | exit s |"
echo "|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
base_anon=
for n in $PEERS; do
	conf=$WORK/fpa.conf
	header fpa 10.77.0.1 >"$conf"
	i=0
	while read -r key; do
		i=$((i + 1))
		printf 'peer "p%d" {\n    public-key  = "%s"\n    allowed-ips = {"10.77.%d.%d/32"}\n}\n' \
			"$i" "$key" $(((i + 1) / 256)) $(((i + 1) % 256)) >>"$conf"
	done < <(peer_keys "$n")
	chmod 644 "$conf"
	t0=$(date +%s%N)
	started "$NS_A" "$conf" fpa
	start_s=$(awk -v a="$t0" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
	sleep 1
	hwm=$(kib "$PID" VmHWM) anon=$(kib "$PID" RssAnon) file=$(kib "$PID" RssFile)
	pss=$(kib "$PID" Pss smaps_rollup)
	[[ -z $base_anon ]] && base_anon=$anon base_n=$n
	per=$(awk -v a="$anon" -v b="$base_anon" -v n="$n" -v m="$base_n" \
		'BEGIN { if (n > m) printf "%.2f", (a - b) / (n - m); else print "-" }')
	size=$(stat -c %s "$conf")
	stopped "$PID"
	awk -v n="$n" -v c="$size" -v st="$start_s" -v h="$hwm" -v a="$anon" -v f="$file" -v p="$pss" \
		-v per="$per" -v ex="$STOP_S" \
		'BEGIN { printf "| %d | %d | %s | %.1f | %.1f | %.1f | %.1f | %s | %s |\n", n, c, st, h / 1024, a / 1024, f / 1024, p / 1024, per, ex }'
done

# Idle: a session, then nothing.
header fpa 10.77.0.1 >"$WORK/fpa.conf"
printf 'peer "b" {\n    public-key  = "%s"\n    endpoint    = "203.0.113.2:51820"\n    allowed-ips = {"10.77.0.2/32"}\n}\n' \
	"$(cat "$WORK/b.key.pub")" >>"$WORK/fpa.conf"
header fpb 10.77.0.2 >"$WORK/fpb.conf"
printf 'peer "a" {\n    public-key  = "%s"\n    endpoint    = "203.0.113.1:51820"\n    allowed-ips = {"10.77.0.1/32"}\n}\n' \
	"$(cat "$WORK/a.key.pub")" >>"$WORK/fpb.conf"
chmod 644 "$WORK/fpa.conf" "$WORK/fpb.conf"
started "$NS_B" "$WORK/fpb.conf" fpb; PB=$PID
started "$NS_A" "$WORK/fpa.conf" fpa; PA=$PID
ip netns exec "$NS_A" ping -c 3 -W 2 10.77.0.2 >/dev/null || { echo "no session"; exit 1; }
sleep 1
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
switches() { awk '/ctxt_switches/ { s += $2 } END { print s }' "/proc/$1/status"; }
ta=$(ticks "$PA") tb=$(ticks "$PB") sa=$(switches "$PA") sb=$(switches "$PB")
sleep "$IDLE"
echo
echo "Idle tunnel with a session, $IDLE s: A used $(( $(ticks "$PA") - ta )) CPU ticks and $(( $(switches "$PA") - sa )) context switches (wake-ups); B $(( $(ticks "$PB") - tb )) and $(( $(switches "$PB") - sb ))."

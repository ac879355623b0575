# SPDX-License-Identifier: ISC
# Shared helpers for the integration tests (sourced by tests/net/*.sh).
# Exit codes follow automake: 0 pass, 1 fail, 77 skip, 99 hard error.
# In CI (CI=true) or with OVPN_NO_SKIP=1 a skip is a hard error: a namespace
# test that did not run must not look like one that passed.

set -u

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
SRC=$top_builddir/src
TOOLS=$top_builddir/tests/tools

TEST_NAME=$(basename "$0" .sh)
# Namespace names are prefixed per test run so parallel tests never collide.
NS_PREFIX="ov$$"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ovpn-$TEST_NAME.XXXXXX")

_cleanup_pids=""
_ovpnd_pids=""
# seconds since boot at the start, to read only this test's kernel log
_t0=$(cut -d' ' -f1 /proc/uptime)
_cleanup_ns=""
_cleanup_cmds=""
_daemons=""	# "NS PID SOCKET" of each daemon start_ovpnd started, one a line

say()  { printf '%s: %s\n' "$TEST_NAME" "$*"; }
fail() { say "FAIL: $*"; exit 1; }
hard_error() { say "ERROR: $*"; exit 99; }
skip() {
	if [ "${CI:-}" = true ] || [ "${OVPN_NO_SKIP:-}" = 1 ]; then
		say "would skip ($*), but skips are errors here"; exit 99
	fi
	say "SKIP: $*"; exit 77
}

need_root() {
	[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
	ip netns list >/dev/null 2>&1 || skip "no network namespace support"
	[ -c /dev/net/tun ] || skip "no /dev/net/tun"
}
# heavy_test: tests that load both cores (floods, bulk transfers, fuzzing)
# take turns, so one does not measure the other; light tests still run in
# parallel with them. The lock goes when the test exits.
heavy_test() {
	exec 9>"${TMPDIR:-/tmp}/ovpn-tests-heavy.lock"
	flock 9 || hard_error "cannot take the heavy-test lock"
}

need_cmd() {
	for c in "$@"; do command -v "$c" >/dev/null 2>&1 || skip "needs $c"; done
}

# Remember a PID to kill (and wait for) at exit.
track_pid() { _cleanup_pids="$_cleanup_pids $1"; }
# Run a command at exit (before namespaces are removed).
on_exit() { _cleanup_cmds="$_cleanup_cmds
$*"; }

# A daemon its sandbox killed (the kernel logs a seccomp kill as audit
# type 1326) fails the test, even when the kill came at exit. sandbox.sh
# provokes kills and sets OVPN_SANDBOX_KILLS_EXPECTED.
sandbox_kills_check() {
	[ -n "${OVPN_SANDBOX_KILLS_EXPECTED:-}" ] || [ -z "$_ovpnd_pids" ] && return 0
	_log=$(dmesg 2>/dev/null) || return 0
	for p in $_ovpnd_pids; do
		echo "$_log" | awk -v t0="$_t0" -v pid="$p" '
			/type=1326/ && $0 ~ (" pid=" pid " ") && /code=0x80000000/ {
				t = $0; sub(/^\[ */, "", t); sub(/\].*/, "", t)
				if (t + 0 >= t0 + 0) { print; found = 1 } }
			END { exit !found }' || continue
		say "FAIL: ovpnd $p was killed by its sandbox (a system call outside the allowlist; see syscall= above)"
		rc=1
	done
}

# show_daemons: `ovpnctl show` of each daemon still running (on failure,
# before anything is stopped: the peers, endpoints, handshakes and drops
# of the moment it failed).
show_daemons() {
	echo "$_daemons" | while read -r _ns _pid _sock; do
		[ -n "$_pid" ] && kill -0 "$_pid" 2>/dev/null || continue
		echo "--- ovpnctl show, ovpnd $_pid in $_ns"
		timeout 5 ip netns exec "$(ns_name "$_ns")" "$SRC/ovpnctl" ${_sock:+-s "$_sock"} show 2>&1
	done
}

cleanup() {
	rc=$?
	set +e
	[ "$rc" != 0 ] && [ "$rc" != 77 ] && show_daemons
	eval "$_cleanup_cmds"
	for p in $_cleanup_pids; do kill "$p" 2>/dev/null; done
	for p in $_cleanup_pids; do
		# bounded wait: 5 s, then SIGKILL
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$p" 2>/dev/null
	done
	sandbox_kills_check
	for n in $_cleanup_ns; do ip netns del "$n" 2>/dev/null; done
	if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
		say "exit $rc; logs kept in $TMP"
		for f in "$TMP"/*.log; do [ -f "$f" ] && { echo "--- $f"; tail -n 40 "$f"; }; done
	else
		rm -rf "$TMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ns NAME: create namespace $NS_PREFIX-NAME with lo up; prints nothing.
ns_name() { printf '%s-%s' "$NS_PREFIX" "$1"; }
ns_add() {
	n=$(ns_name "$1")
	ip netns add "$n" || hard_error "ip netns add $n"
	_cleanup_ns="$_cleanup_ns $n"
	ip -n "$n" link set lo up
}
nsx() { n=$(ns_name "$1"); shift; ip netns exec "$n" "$@"; }
# nsbg NS CMD...: start CMD in NS in the background; BG_PID is its PID (ip
# netns exec execs CMD, so killing BG_PID stops CMD itself), tracked for exit.
nsbg() {
	n=$(ns_name "$1"); shift
	ip netns exec "$n" "$@" &
	BG_PID=$!
	track_pid $BG_PID
}

# veth_pair NS1 ADDR1/PLEN NS2 ADDR2/PLEN: a veth between two namespaces,
# named eth-NS2 inside NS1 and eth-NS1 inside NS2.
_veth_seq=0
veth_pair() {
	_veth_seq=$((_veth_seq + 1))
	t1="ov$$x$_veth_seq"; t2="ov$$y$_veth_seq"
	ip link add "$t1" type veth peer name "$t2" || hard_error "veth"
	ip link set "$t1" netns "$(ns_name "$1")" name "eth-$3"
	ip link set "$t2" netns "$(ns_name "$3")" name "eth-$1"
	nsx "$1" ip addr add "$2" dev "eth-$3"
	nsx "$3" ip addr add "$4" dev "eth-$1"
	nsx "$1" ip link set "eth-$3" up
	nsx "$3" ip link set "eth-$1" up
}

# bridge_ns NAME: a namespace holding a bridge br0 that others attach to.
# attach NS ADDR/PLEN: connect NS to the bridge in $BRIDGE_NS with a veth.
attach() {
	_veth_seq=$((_veth_seq + 1))
	n=$(ns_name "$1"); br=$(ns_name "$BRIDGE_NS")
	t1="ov$$x$_veth_seq"; t2="ov$$p$_veth_seq"
	ip link add "$t1" type veth peer name "$t2" || hard_error "veth for $1"
	ip link set "$t1" netns "$n" name eth0
	ip link set "$t2" netns "$br"
	ip -n "$br" link set "$t2" master br0 up
	ip -n "$n" addr add "$2" dev eth0
	ip -n "$n" link set eth0 up
}
bridge_ns() {
	BRIDGE_NS=$1
	ns_add "$1"
	ip -n "$(ns_name "$1")" link add br0 type bridge || hard_error "bridge"
	ip -n "$(ns_name "$1")" link set br0 up
}

# wait_for SECONDS CMD...: retry CMD every 0.1 s until it succeeds or time runs out.
wait_for() {
	t=$1; shift
	end=$(( $(date +%s%N) / 1000000 + t * 1000 ))
	while [ "$(( $(date +%s%N) / 1000000 ))" -lt "$end" ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# keygen NAME: make $TMP/NAME.key (0600) and $TMP/NAME.key.pub.
keygen() {
	"$SRC/ovpn-keygen" -o "$TMP/$1.key" >/dev/null || hard_error "ovpn-keygen"
}
pubkey() { cat "$TMP/$1.key.pub"; }

# conf_value FILE OPTION: the first quoted value of a top-level OPTION.
conf_value() {
	sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*\"\([^\"]*\)\".*/\1/p" "$1" | head -n 1
}

# start_ovpnd NS CONF [EXTRA ARGS...]: run ovpnd -f in NS, logging to
# $TMP/ovpnd-NS.log; waits up to 5 s for the config's interface to appear.
# Sets OVPND_PID. OVPND_WRAPPER (e.g. valgrind ...) is put in front.
start_ovpnd() {
	_ns=$1; _conf=$2; shift 2
	_ifname=$(conf_value "$_conf" interface)
	# shellcheck disable=SC2086
	nsbg "$_ns" ${OVPND_WRAPPER:-} "$SRC/ovpnd" -f -c "$_conf" "$@" >>"$TMP/ovpnd-$_ns.log" 2>&1
	OVPND_PID=$BG_PID
	_ovpnd_pids="$_ovpnd_pids $OVPND_PID"
	_daemons="$_daemons
$_ns $OVPND_PID $(conf_value "$_conf" control-socket)"
	wait_for "${OVPND_START_TIMEOUT:-5}" nsx "$_ns" ip link show "${_ifname:-ovpn0}" ||
		fail "ovpnd in $_ns did not bring up ${_ifname:-ovpn0} (log: $(tail -n 3 "$TMP/ovpnd-$_ns.log"))"
}

# stop_pid PID: SIGTERM and wait (bounded) for it to exit; returns its exit
# status when it is our child, else 0 once it is gone; 1 if it would not stop.
stop_pid() {
	kill "$1" 2>/dev/null
	for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill -0 "$1" 2>/dev/null && { kill -9 "$1"; return 1; }
	case " $(jobs -p | tr '\n' ' ') " in
	*" $1 "*) wait "$1" 2>/dev/null ;;
	*) return 0 ;;
	esac
}

# tun_open_to_all: a command prefix that runs its command in a private mount
# namespace where /dev/net/tun is a node of mode 0666, as udev makes it on
# Debian; some containers have it 0600, which only root can open. The real
# node is never touched. (For daemons started unprivileged.)
tun_open_to_all() {
	if [ ! -x "$TMP/with-tun" ]; then
		mknod "$TMP/tun" c 10 200 && chmod 666 "$TMP/tun" || hard_error "mknod tun"
		cat >"$TMP/with-tun" <<'SH'
#!/bin/sh
mount --bind "$OVPN_TUN_NODE" /dev/net/tun || exit 99
exec "$@"
SH
		chmod 755 "$TMP/with-tun"
	fi
	printf 'env OVPN_TUN_NODE=%s unshare --mount --propagation private %s' "$TMP/tun" "$TMP/with-tun"
}

# ping_ok NS ADDR: a ping gets an answer within 10 s (time for a handshake).
ping_ok() {
	wait_for 10 nsx "$1" ping -c 1 -W 1 "$2"
}

# two_hosts: namespaces X and Y joined by a veth (192.0.2.1 and .2), keys x, y.
two_hosts() {
	ns_add X; ns_add Y
	veth_pair X 192.0.2.1/24 Y 192.0.2.2/24
	keygen x; keygen y
}

# The configs name nobody: the build tree has no ovpn account.
# OVPN_TEST_WORKERS=N: the configs say workers = N (default: none, auto).
# host_conf FILE NAME KEY ADDR PEER PEERKEY PEER_ENDPOINT PEER_ALLOWED [EXTRA PEER LINES]
# A one-peer config; PEER_ENDPOINT may be empty.
host_conf() {
	cat >"$1" <<CONF
interface        = "ovpn-$2"
private-key-file = "$TMP/$3.key"
listen-port      = 51820
address          = {"$4"}
control-socket   = "$TMP/$2.sock"
user             = "nobody"
group            = "nogroup"
log-level        = "debug"
${OVPN_TEST_WORKERS:+workers          = $OVPN_TEST_WORKERS}
peer "$5" {
    public-key  = "$(pubkey "$6")"
    ${7:+endpoint    = \"$7\"}
    allowed-ips = {"$8"}
    ${9:-}
}
CONF
}

# dual_conf NAME KEY PEERKEY ENDPOINT V4 V6 PEERV4 PEERV6: a one-peer config
# with IPv4 and IPv6 overlay addresses; ENDPOINT may be empty.
dual_conf() {
	cat >"$TMP/$1.conf" <<CONF
interface        = "ovpn-$1"
private-key-file = "$TMP/$2.key"
listen-port      = 51820
mtu              = 1420
address          = {"$5/24", "$6/120"}
control-socket   = "$TMP/$1.sock"
user             = "nobody"
group            = "nogroup"
log-level        = "info"
${OVPN_TEST_WORKERS:+workers          = $OVPN_TEST_WORKERS}
peer "$3" {
    public-key  = "$(pubkey "$3")"
    ${4:+endpoint    = \"$4\"}
    allowed-ips = {"$7/32", "$8/128"}
}
CONF
}

# The two-daemon topology most tests start from: namespaces X and Y, keys
# x and y, configs $TMP/x.conf and $TMP/y.conf (overlay 10.77.0.1 and
# 10.77.0.2, control sockets $TMP/x.sock and $TMP/y.sock, one peer each:
# y at X, x at Y), both daemons started and a handshake done.
#
# pair_setup [-b] [-r] [-l] [-k SECS] [-a CIDR] [-L LEVEL]: namespaces, keys, configs
#   (default: a veth, X 192.0.2.1 and Y 192.0.2.2, port 51820 both sides)
#   -b        X and Y on a bridge in namespace lan (same addresses), for
#             more hosts to attach to
#   -r        through namespace R: X 192.0.2.1 - 192.0.2.2 R 198.51.100.1 -
#             198.51.100.2 Y; each side's endpoint is R, port 51000, where
#             the test runs a relay
#   -l        Y has no endpoint for X: it learns it from X's handshake
#   -k SECS   persistent-keepalive on both sides
#   -a CIDR   one more allowed-ips of y at X
#   -L LEVEL  log-level of both (default debug)
# pair_start [-n]: start X, then Y (PIDs in PX and PY); then, unless -n,
#   ping X->Y through the tunnel, which makes the handshake
# tunnel_pair OPTIONS: pair_setup OPTIONS and pair_start.
pair_setup() {
	_topo=veth; _learn=; _extra=; _allowed=; _level=debug
	OPTIND=1
	while getopts brlk:a:L: _o; do
		case $_o in
		b) _topo=bridge ;;
		r) _topo=relay ;;
		l) _learn=1 ;;
		k) _extra="persistent-keepalive = $OPTARG" ;;
		a) _allowed="\", \"$OPTARG" ;;
		L) _level=$OPTARG ;;
		*) hard_error "pair_setup: bad option" ;;
		esac
	done
	case $_topo in
	veth) two_hosts ;;
	bridge)
		bridge_ns lan
		ns_add X; attach X 192.0.2.1/24
		ns_add Y; attach Y 192.0.2.2/24
		keygen x; keygen y ;;
	relay)
		ns_add X; ns_add R; ns_add Y
		veth_pair X 192.0.2.1/24 R 192.0.2.2/24
		veth_pair R 198.51.100.1/24 Y 198.51.100.2/24
		keygen x; keygen y ;;
	esac
	if [ "$_topo" = relay ]; then
		_to_y=192.0.2.2:51000; _to_x=198.51.100.1:51000
	else
		_to_y=192.0.2.2:51820; _to_x=192.0.2.1:51820
	fi
	[ -n "$_learn" ] && _to_x=
	host_conf "$TMP/x.conf" x x 10.77.0.1/24 y y "$_to_y" "10.77.0.2/32$_allowed" "$_extra"
	host_conf "$TMP/y.conf" y y 10.77.0.2/24 x x "$_to_x" 10.77.0.1/32 "$_extra"
	sed -i "s/^log-level .*/log-level        = \"$_level\"/" "$TMP/x.conf" "$TMP/y.conf"
}
pair_start() {
	start_ovpnd X "$TMP/x.conf"; PX=$OVPND_PID
	start_ovpnd Y "$TMP/y.conf"; PY=$OVPND_PID
	[ "${1:-}" = -n ] && return 0
	ping_ok X 10.77.0.2 || fail "no handshake: X gets no ping through the tunnel to Y"
}
tunnel_pair() {
	pair_setup "$@"
	pair_start
}

# ping_stats NS ADDR COUNT INTERVAL: run ping, print "sent received".
ping_stats() {
	nsx "$1" ping -n -q -c "$3" -i "$4" -W 1 "$2" 2>/dev/null |
		sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p'
}

#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# bench/run.sh - ovpn side by side with wireguard-go 2025, fastd and a plain veth
# (the physical limit), between two network namespaces on this machine.
#
#   bench/run.sh [-t SECS] [-r ROUNDS] [-o FILE] [system...]   (as root)
#   bench/run.sh --summarize FILE      print the tables of a recorded run again
#
# systems: ovpn wg-go fastd veth (default: all four), ovpn-sodium (ovpn
# with the bulk AEAD from libsodium) and ovpn-ref (the build in
# OVPN_REF_BUILD, say an older commit's, for before and after). A round runs every system
# once, in an order rotated each round, so drift of the shared machine hits all
# alike; the tables give medians over rounds and ratios against wg-go and fastd.
# Per system and round: idle ping, iperf3 TCP 1 and 4 streams (with a ping
# during the single stream), iperf3 UDP unlimited and paced, each daemon's
# peak RSS, and daemon CPU seconds per GB carried through the tunnel.
#
#   -t SECS   iperf3 seconds per test, after OMIT (1) discarded (default 5)
#   -r N      rounds (default 3)
#   -o FILE   raw log and RESULT lines (default bench/results/YYYYmmdd-HHMMSS.txt)
# Environment: OVPN_BUILD (dir with ovpnd and ovpn-keygen; `make bench` sets it,
# default ../build/src, then ../src), WG_GO (the wireguard-go to run; default
# the 2025 build, ../../shared/bench/bin/wireguard-go-2025, with its offloads,
# else wireguard-go from PATH, Debian's 2022 release, said in the log),
# OVPN_AEAD (libsodium or libcrypto: the ovpnd bulk AEAD, via OVPN_TEST_AEAD;
# default what the build picks), WORKERS (ovpnd's workers = auto | 1..64;
# default none in the config: auto), MTU (1420), PACED (500M), OMIT (1),
# MAX_RUNTIME (1800 s: no system starts after it), KEEP=1 keeps the work dir.
#
# Addresses, only inside the two namespaces this script makes (and deletes):
# underlay 203.0.113.1 (A) <-> 203.0.113.2 (B); overlay 10.77.N.1 <-> 10.77.N.2,
# N = 1 ovpn, 2 wg-go, 3 fastd. `ours` refuses anything else.

set -u -o pipefail
umask 077
export LC_ALL=C

HERE=$(cd "$(dirname "$0")" && pwd)
ALL_SYSTEMS=(ovpn wg-go fastd veth)
DUR=5
ROUNDS=3
OUT=
MTU=${MTU:-1420}
UDP_LEN=$((MTU - 28))
PACED=${PACED:-500M}
OMIT=${OMIT:-1}
MAX_RUNTIME=${MAX_RUNTIME:-1800}
IPERF_PORT=5201
TAG=$(($$ % 100000))
NS_A=obA$TAG
NS_B=obB$TAG
UL_A=203.0.113.1
UL_B=203.0.113.2
if [[ -z ${WG_GO:-} ]]; then
	WG_GO=$HERE/../../shared/bench/bin/wireguard-go-2025
	[[ -x $WG_GO ]] || WG_GO=$(command -v wireguard-go || echo wireguard-go)
fi
if [[ -z ${OVPN_BUILD:-} ]]; then
	OVPN_BUILD=$HERE/../src
	[[ -x $HERE/../build/src/ovpnd ]] && OVPN_BUILD=$HERE/../build/src
fi

log() { printf '%s\n' "$*"; }
die() { printf 'run.sh: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

ours() {
	[[ $1 =~ ^203\.0\.113\.[0-9]{1,3}$ || $1 =~ ^10\.77\.[0-9]{1,3}\.[0-9]{1,3}$ ]] ||
		die "refusing address '$1' (only 203.0.113.0/24 and 10.77.0.0/16)"
}

# ------------------------------------------------------------ processes
PIDS=()
alive() { [[ -n ${1:-} ]] && [[ $(awk '/^State:/ { print $2 }' "/proc/$1/status" 2>/dev/null) =~ ^[RSDTt]$ ]]; }

# stop PID: one of ours; TERM, up to 3 s, then KILL, and reap it.
stop() {
	local pid=$1 keep=() p
	[[ -n $pid ]] || return 0
	if alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null
		for _ in {1..30}; do alive "$pid" || break; sleep 0.1; done
		alive "$pid" && kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	for p in "${PIDS[@]}"; do [[ $p == "$pid" ]] || keep+=("$p"); done
	PIDS=("${keep[@]}")
}

cleanup() {
	trap - EXIT INT TERM
	local p
	for p in "${PIDS[@]}"; do stop "$p"; done
	[[ ${NS_MADE:-0} == 1 ]] && { ip netns del "$NS_A"; ip netns del "$NS_B"; } 2>/dev/null
	if [[ ${KEEP:-0} == 1 ]]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}

ns_of() { if [[ $1 == A ]]; then echo "$NS_A"; else echo "$NS_B"; fi; }
# (never in the background: $! would be a subshell, not the program)
nsx() { local ns; ns=$(ns_of "$1"); shift; ip netns exec "$ns" "$@"; }

# start A|B CMD...: run CMD in that namespace (ip netns exec execs it, so the
# PID is the daemon's own), log to the work dir, set PID_A or PID_B.
start() {
	local side=$1
	shift
	log "  [$SYS] $side: $*"
	ip netns exec "$(ns_of "$side")" "$@" >>"$WORK/$SYS.$side.log" 2>&1 &
	PIDS+=("$!")
	if [[ $side == A ]]; then PID_A=$!; else PID_B=$!; fi
}

# wait_for SECS CMD...: bounded retry every 0.1 s; gives up early when a
# daemon of this system has exited.
wait_for() {
	local end=$(($(date +%s) + $1)) p
	shift
	while (($(date +%s) < end)); do
		"$@" >/dev/null 2>&1 && return 0
		for p in ${PID_A:-} ${PID_B:-}; do alive "$p" || { log "  [$SYS] a daemon exited"; return 1; }; done
		sleep 0.1
	done
	return 1
}

# ------------------------------------------------------------ systems
# up_<system> starts the tunnel and sets OVL_A OVL_B IF_A IF_B (and PID_A
# PID_B for daemons); down is common. net N picks the overlay 10.77.N.0/24.
net() { OVL_A=10.77.$1.1 OVL_B=10.77.$1.2; ours "$OVL_A"; ours "$OVL_B"; }

addr_up() {
	ip -n "$NS_A" addr add "$OVL_A/24" dev "$IF_A" &&
		ip -n "$NS_A" link set "$IF_A" mtu "$MTU" up &&
		ip -n "$NS_B" addr add "$OVL_B/24" dev "$IF_B" &&
		ip -n "$NS_B" link set "$IF_B" mtu "$MTU" up
}

up_veth() {
	DESC="plain veth, MTU 1500, no tunnel"
	OVL_A=$UL_A OVL_B=$UL_B IF_A=vA IF_B=vB
}

up_wg_go() {
	local d=$WORK/wg s
	DESC="wireguard-go $("$WG_GO" --version 2>/dev/null | awk '{ print $2; exit }') ($WG_GO), MTU $MTU"
	net 2
	IF_A=wgA$TAG IF_B=wgB$TAG	# the UAPI socket path is not per namespace
	mkdir -p "$d"
	for s in a b; do
		[[ -f $d/$s.pub ]] || { wg genkey >"$d/$s.key" && wg pubkey <"$d/$s.key" >"$d/$s.pub"; } || return 1
	done
	start A env WG_PROCESS_FOREGROUND=1 "$WG_GO" -f "$IF_A"
	start B env WG_PROCESS_FOREGROUND=1 "$WG_GO" -f "$IF_B"
	wait_for 5 test -S "/var/run/wireguard/$IF_A.sock" -a -S "/var/run/wireguard/$IF_B.sock" || return 1
	nsx A wg set "$IF_A" private-key "$d/a.key" listen-port 51820 \
		peer "$(cat "$d/b.pub")" endpoint "$UL_B:51820" allowed-ips "$OVL_B/32" &&
		nsx B wg set "$IF_B" private-key "$d/b.key" listen-port 51820 \
			peer "$(cat "$d/a.pub")" endpoint "$UL_A:51820" allowed-ips "$OVL_A/32" &&
		addr_up
}

# fastd: only A names a remote; with both initiating, fastd 22 can end up
# with crossed sessions after simultaneous handshakes.
fastd_conf() {	# IFNAME BIND SECRET PEERKEY [REMOTE]
	cat <<EOF
log level warn;
interface "$1";
mode tun;
bind $2:10000;
method "salsa2012+umac";
secret "$3";
mtu $MTU;
peer "other" {
	key "$4";
	${5:+remote $5:10000;}
}
EOF
}

fastd_key() { awk -v k="$2:" '$1 == k { print $2 }' "$1"; }

up_fastd() {
	local d=$WORK/fastd s
	DESC="fastd $(dpkg-query -W -f='${Version}' fastd 2>/dev/null), salsa2012+umac, MTU $MTU"
	net 3
	IF_A=fdA IF_B=fdB
	mkdir -p "$d"
	for s in a b; do [[ -f $d/$s.key ]] || fastd --generate-key >"$d/$s.key" 2>/dev/null || return 1; done
	fastd_conf "$IF_A" "$UL_A" "$(fastd_key "$d/a.key" Secret)" "$(fastd_key "$d/b.key" Public)" "$UL_B" >"$d/a.conf"
	fastd_conf "$IF_B" "$UL_B" "$(fastd_key "$d/b.key" Secret)" "$(fastd_key "$d/a.key" Public)" >"$d/b.conf"
	start B fastd -c "$d/b.conf"
	wait_for 5 ip -n "$NS_B" link show "$IF_B" || return 1
	start A fastd -c "$d/a.conf"
	wait_for 5 ip -n "$NS_A" link show "$IF_A" || return 1
	addr_up
}

ovpn_conf() {	# SIDE IFNAME OWN_OVERLAY PEER_SIDE PEER_UNDERLAY PEER_OVERLAY
	cat <<EOF
interface        = "$2"
private-key-file = "$WORK/ovpn/$1.key"
listen-port      = 51820
mtu              = $MTU
address          = {"$3/24"}
user             = "nobody"
group            = "nogroup"
control-socket   = "$WORK/ovpn/$1.sock"
log-level        = "warning"
${WORKERS:+workers          = $WORKERS}

peer "$4" {
    public-key  = "$(cat "$WORK/ovpn/$4.key.pub")"
    endpoint    = "$5:51820"
    allowed-ips = {"$6/32"}
}
EOF
}

# ovpn configures its own tun (address, MTU, up) from the config.
up_ovpn() {
	local d=$WORK/ovpn s
	DESC="ovpn $(git -C "$HERE" describe --always --dirty 2>/dev/null) ($OVPN_BUILD/ovpnd), MTU $MTU, workers ${WORKERS:-auto}"
	net 1
	IF_A=ovA IF_B=ovB
	mkdir -p "$d"
	for s in a b; do
		[[ -f $d/$s.key ]] || "$OVPN_BUILD/ovpn-keygen" -o "$d/$s.key" >/dev/null || return 1
	done
	ovpn_conf a "$IF_A" "$OVL_A" b "$UL_B" "$OVL_B" >"$d/a.conf"
	ovpn_conf b "$IF_B" "$OVL_B" a "$UL_A" "$OVL_A" >"$d/b.conf"
	start B env ${OVPN_AEAD:+OVPN_TEST_AEAD=$OVPN_AEAD} "$OVPN_BUILD/ovpnd" -f -c "$d/b.conf"
	start A env ${OVPN_AEAD:+OVPN_TEST_AEAD=$OVPN_AEAD} "$OVPN_BUILD/ovpnd" -f -c "$d/a.conf"
	wait_for 5 ip -n "$NS_A" link show "$IF_A" up &&
		wait_for 5 ip -n "$NS_B" link show "$IF_B" up
}

# the same build sealing with libsodium (not in the default list): the two
# bulk AEADs side by side in one run
up_ovpn_sodium() {
	local OVPN_AEAD=libsodium
	up_ovpn
	DESC="$DESC, AEAD from libsodium"
}

# another ovpn build (OVPN_REF_BUILD: its src dir, e.g. of an older commit),
# not in the default list: before and after in one run
up_ovpn_ref() {
	local OVPN_BUILD=$OVPN_REF_BUILD
	up_ovpn
	DESC="ovpn reference build $(git -C "$OVPN_REF_BUILD/.." describe --always --dirty 2>/dev/null) ($OVPN_REF_BUILD/ovpnd), MTU $MTU"
}

# have SYSTEM: its programs are there (else say what is missing).
have() {
	local c
	case $1 in
	wg-go) for c in "$WG_GO" wg; do command -v "$c" >/dev/null || { echo "no $c"; return 1; }; done ;;
	fastd) command -v fastd >/dev/null || { echo "no fastd"; return 1; } ;;
	ovpn | ovpn-sodium) for c in ovpnd ovpn-keygen; do [[ -x $OVPN_BUILD/$c ]] || { echo "no $OVPN_BUILD/$c"; return 1; }; done ;;
	ovpn-ref) [[ -n ${OVPN_REF_BUILD:-} && -x $OVPN_REF_BUILD/ovpnd ]] || { echo "no OVPN_REF_BUILD/ovpnd"; return 1; } ;;
	esac
}

down() {
	stop "${PID_A:-}"
	stop "${PID_B:-}"
	# the tunnels go with their daemons; a kernel interface left over is removed
	[[ $SYS != veth ]] && for s in A B; do
		local ifn=IF_$s
		ip -n "$(ns_of $s)" link del "${!ifn}" 2>/dev/null
	done
	return 0
}

# ------------------------------------------------------------ measurements
# ping_stats: from ping's output on stdin (one line per reply), "median_ms
# loss_pct" (NA if absent): the median, as issue 17 states the target, is
# what a user sees most of the time; one slow reply does not move it.
ping_stats() {
	awk '/packet loss/ { match($0, /[0-9.]+% packet loss/); l = substr($0, RSTART, RLENGTH - 13) }
		/ time=/ { sub(/.* time=/, ""); t[n++] = $1 + 0 }
		END {
			for (i = 1; i < n; i++) for (j = i; j > 0 && t[j - 1] > t[j]; j--) { x = t[j]; t[j] = t[j - 1]; t[j - 1] = x }
			m = n ? (n % 2 ? t[(n - 1) / 2] : (t[n / 2 - 1] + t[n / 2]) / 2) : ""
			print (m == "" ? "NA" : sprintf("%.3f", m)), (l == "" ? "NA" : l)
		}'
}

# iperf NAME ARGS...: one iperf3 test A -> B; the client's JSON (with the
# server's inside) goes to $WORK/$SYS.rROUND.NAME.json, path in JSON.
iperf() {
	local name=$1 spid
	shift
	JSON=$WORK/$SYS.r$ROUND.$name.json
	ip netns exec "$NS_B" iperf3 -s -1 -J -B "$OVL_B" -p "$IPERF_PORT" >/dev/null 2>&1 &
	spid=$!
	PIDS+=("$spid")
	wait_for 5 sh -c "ip netns exec $NS_B ss -Hltn 'sport = :$IPERF_PORT' | grep -q ."
	timeout $((DUR + OMIT + 20)) ip netns exec "$NS_A" iperf3 -c "$OVL_B" -B "$OVL_A" \
		-p "$IPERF_PORT" -t "$DUR" -O "$OMIT" -J --get-server-output --connect-timeout 3000 \
		"$@" >"$JSON" 2>/dev/null
	for _ in {1..30}; do alive "$spid" || break; sleep 0.1; done
	stop "$spid"
}

# jqv FILTER: from $JSON, "NA" when absent; with a scale, divided and rounded.
jqv() { jq -r "($1) // \"NA\"" "$JSON" 2>/dev/null || echo NA; }
mbit() { awk -v v="$1" 'BEGIN { if (v == "NA" || v == "") print "NA"; else printf "%.0f", v / 1e6 }'; }

# daemon CPU seconds (utime + stime, all threads) and the bytes the two tunnel
# interfaces delivered (rx of a tun = what its daemon wrote to it), read
# around the two TCP tests, where what is sent is what arrives
cpu() { [[ -n ${1:-} ]] && awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null || echo 0; }
rx() { nsx "$1" cat "/sys/class/net/$2/statistics/rx_bytes" 2>/dev/null || echo 0; }
hwm() { awk '/^VmHWM/ { print $2 }' "/proc/$1/status" 2>/dev/null || echo NA; }

record() {
	log "RESULT $*"
	printf 'RESULT %s\n' "$*" >>"$WORK/results"
}

run_one() {
	SYS=$1
	local t0 up idle load lr tcp1 tcp4 udp ul paced pl c0 c1 b0 b1 rss rb cpg st=OK
	PID_A="" PID_B="" DESC="" IF_A="" IF_B=""
	log "-- round $ROUND/$ROUNDS: $SYS"
	t0=$(now)
	if ! "up_${SYS//-/_}" || ! ours "$OVL_B" || ! wait_for 20 nsx A ping -n -c 1 -W 0.3 "$OVL_B"; then
		log "  [$SYS] $DESC: no tunnel"
		for s in A B; do [[ -s $WORK/$SYS.$s.log ]] && tail -n 5 "$WORK/$SYS.$s.log" | sed "s/^/  [$SYS $s] /"; done
		record "round=$ROUND sys=$SYS status=FAIL"
		down
		return
	fi
	up=$(since "$t0")
	log "  [$SYS] $DESC: up in ${up} s"

	idle=$(nsx A ping -n -c 20 -i 0.05 -W 1 "$OVL_B" 2>&1 | ping_stats)
	c0=$(awk -v a="$(cpu "$PID_A")" -v b="$(cpu "$PID_B")" 'BEGIN { print a + b }')
	b0=$(($(rx A "$IF_A") + $(rx B "$IF_B")))

	# TCP, one stream, with a ping (20/s) for its duration: RTT under load
	ip netns exec "$NS_A" ping -n -c $((DUR * 20)) -i 0.05 -W 1 "$OVL_B" >"$WORK/loadping" 2>&1 &
	local ppid=$!
	PIDS+=("$ppid")
	iperf tcp1
	tcp1=$(mbit "$(jqv .end.sum_received.bits_per_second)")
	for _ in {1..50}; do alive "$ppid" || break; sleep 0.1; done
	stop "$ppid"
	load=$(ping_stats <"$WORK/loadping")

	iperf tcp4 -P 4
	tcp4=$(mbit "$(jqv .end.sum_received.bits_per_second)")
	c1=$(awk -v a="$(cpu "$PID_A")" -v b="$(cpu "$PID_B")" 'BEGIN { print a + b }')
	b1=$(($(rx A "$IF_A") + $(rx B "$IF_B")))
	iperf udp -u -b 0 -l "$UDP_LEN"
	udp="$(mbit "$(jqv .server_output_json.end.sum_received.bits_per_second)") $(jqv .server_output_json.end.sum_received.lost_percent)"
	iperf paced -u -b "$PACED" -l "$UDP_LEN"
	paced="$(mbit "$(jqv .server_output_json.end.sum_received.bits_per_second)") $(jqv .server_output_json.end.sum_received.lost_percent)"

	if [[ -n $PID_A ]]; then
		alive "$PID_A" && alive "$PID_B" || st=DAEMON_DIED
		rss="$(hwm "$PID_A") $(hwm "$PID_B")"
		cpg=$(awk -v c0="$c0" -v c1="$c1" -v b=$((b1 - b0)) \
			'BEGIN { if (b > 0) printf "%.2f", (c1 - c0) / (b / 1e9); else print "NA" }')
	else
		rss="NA NA" cpg=NA
	fi
	[[ $tcp1 == NA || $udp == NA* ]] && st=PARTIAL
	read -r idle _ <<<"$idle"
	read -r load lr <<<"$load"
	read -r udp ul <<<"$udp"
	read -r paced pl <<<"$paced"
	read -r rss rb <<<"$rss"
	record "round=$ROUND sys=$SYS status=$st tcp1_mbps=$tcp1 tcp4_mbps=$tcp4" \
		"udp_rx_mbps=$udp udp_loss_pct=$ul paced_rx_mbps=$paced paced_loss_pct=$pl" \
		"rtt_idle_ms=$idle rtt_load_ms=$load load_ping_loss_pct=$lr" \
		"rss_a_kb=$rss rss_b_kb=$rb cpu_s=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.2f", b - a }')" \
		"tunnel_bytes=$((b1 - b0)) cpu_s_per_gb=$cpg up_s=$up"
	down
}

# ------------------------------------------------------------ tables
# summarize FILE: Markdown tables from the RESULT lines of the last run in FILE
summarize() {
	awk '/^# ovpn bench run/ { buf = "" } /^RESULT / { buf = buf $0 "\n" } END { printf "%s", buf }' "$1" |
		awk -v paced="$PACED" '
	function med(s, k,    n, a, i, j, t) {
		n = split(vals[s, k], a, " ")
		if (n == 0) return "NA"
		for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
		return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
	}
	function f(v, p) { return v == "NA" ? "–" : sprintf("%.*f", p, v) }
	function ratio(s, r, k) {
		x = M[s, k]; y = M[r, k]
		return (x == "NA" || y == "NA" || y == 0) ? "–" : sprintf("%.2f", x / y)
	}
	{
		delete kv
		for (i = 2; i <= NF; i++) { split($i, p, "="); kv[p[1]] = p[2] }
		s = kv["sys"]
		if (!(s in seen)) { seen[s] = 1; order[++ns] = s }
		runs[s]++
		if (kv["status"] == "FAIL") next
		ok[s]++
		kv["rss_kb"] = (kv["rss_a_kb"] == "NA") ? "NA" : kv["rss_a_kb"] + kv["rss_b_kb"]
		for (k in kv) if (kv[k] != "NA" && kv[k] ~ /^[0-9.]+$/) vals[s, k] = vals[s, k] " " kv[k]
	}
	END {
		nk = split("tcp1_mbps tcp4_mbps udp_rx_mbps udp_loss_pct paced_rx_mbps paced_loss_pct rtt_idle_ms rtt_load_ms load_ping_loss_pct rss_a_kb rss_b_kb rss_kb cpu_s_per_gb", K, " ")
		for (i = 1; i <= ns; i++) for (j = 1; j <= nk; j++) M[order[i], K[j]] = med(order[i], K[j])
		print "| system | ok | TCP 1 Mbit/s | TCP 4 Mbit/s | UDP max rx Mbit/s | loss % | UDP " paced " rx Mbit/s | loss % | RTT idle ms (median) | RTT load ms (median) | load ping loss % | RSS A/B MiB | CPU s/GB |"
		print "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"
		for (i = 1; i <= ns; i++) {
			s = order[i]
			if (!ok[s]) { printf "| %s | 0/%d | failed ||||||||||\n", s, runs[s]; continue }
			rss = (M[s, "rss_a_kb"] == "NA") ? "–" : sprintf("%.1f/%.1f", M[s, "rss_a_kb"] / 1024, M[s, "rss_b_kb"] / 1024)
			printf "| %s | %d/%d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", s, ok[s], runs[s],
				f(M[s, "tcp1_mbps"], 0), f(M[s, "tcp4_mbps"], 0), f(M[s, "udp_rx_mbps"], 0), f(M[s, "udp_loss_pct"], 1),
				f(M[s, "paced_rx_mbps"], 0), f(M[s, "paced_loss_pct"], 1), f(M[s, "rtt_idle_ms"], 3),
				f(M[s, "rtt_load_ms"], 3), f(M[s, "load_ping_loss_pct"], 1), rss, f(M[s, "cpu_s_per_gb"], 2)
		}
		nr = 0
		for (i = 1; i <= ns; i++) if ((order[i] == "wg-go" || order[i] == "fastd" || order[i] == "ovpn-ref") && ok[order[i]]) R[++nr] = order[i]
		if (!nr) exit
		print ""
		print "| ratio of medians | TCP 1 | TCP 4 | UDP max | UDP paced | RTT idle | RTT load | RSS A+B | CPU/GB |"
		print "|---|--:|--:|--:|--:|--:|--:|--:|--:|"
		for (r = 1; r <= nr; r++) refidx[R[r]] = r
		for (r = 1; r <= nr; r++) for (i = 1; i <= ns; i++) {
			s = order[i]
			if (s == R[r] || !ok[s] || refidx[s] && refidx[s] < r) continue
			printf "| %s / %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", s, R[r],
				ratio(s, R[r], "tcp1_mbps"), ratio(s, R[r], "tcp4_mbps"), ratio(s, R[r], "udp_rx_mbps"),
				ratio(s, R[r], "paced_rx_mbps"), ratio(s, R[r], "rtt_idle_ms"), ratio(s, R[r], "rtt_load_ms"),
				ratio(s, R[r], "rss_kb"), ratio(s, R[r], "cpu_s_per_gb")
		}
		print ""
		print "Throughput ratios above 1 and RTT, RSS, CPU ratios below 1 are better than the reference."
	}'
}

# ------------------------------------------------------------ main
SYSTEMS=()
while (($#)); do
	case $1 in
	-t) DUR=${2:-}; shift ;;
	-r) ROUNDS=${2:-}; shift ;;
	-o) OUT=${2:-}; shift ;;
	--summarize) [[ -r ${2:-} ]] || die "--summarize FILE"; summarize "$2"; exit 0 ;;
	-h | --help) sed -n '2,25p' "$0"; exit 0 ;;
	-*) die "unknown option $1 (see --help)" ;;
	*)
		[[ " ${ALL_SYSTEMS[*]} ovpn-sodium ovpn-ref " == *" $1 "* ]] || die "unknown system '$1' (${ALL_SYSTEMS[*]} ovpn-sodium ovpn-ref)"
		SYSTEMS+=("$1") ;;
	esac
	shift
done
[[ $DUR =~ ^[0-9]+$ ]] && ((DUR >= 2 && DUR <= 60)) || die "-t: 2..60 seconds"
[[ $ROUNDS =~ ^[0-9]+$ ]] && ((ROUNDS >= 1 && ROUNDS <= 20)) || die "-r: 1..20 rounds"
[[ $(id -u) == 0 ]] || die "needs root (network namespaces)"
for c in ip iperf3 ping jq ss timeout; do command -v $c >/dev/null || die "needs $c (tools/deps.sh --bench)"; done
ours "$UL_A"
ours "$UL_B"
((${#SYSTEMS[@]})) || SYSTEMS=("${ALL_SYSTEMS[@]}")
RUN=()
for s in "${SYSTEMS[@]}"; do
	if why=$(have "$s"); then RUN+=("$s"); else log "skipping $s: $why"; fi
done
((${#RUN[@]})) || die "nothing to run"

if [[ -z $OUT ]]; then
	mkdir -p "$HERE/results" 2>/dev/null && [[ -w $HERE/results ]] || die "cannot write $HERE/results (use -o FILE)"
	OUT=$HERE/results/$(date -u +%Y%m%d-%H%M%S).txt
fi
(umask 022 && touch "$OUT") || die "cannot write $OUT"
exec > >(tee -a "$OUT") 2>&1
WORK=$(mktemp -d /tmp/ovpn-bench.XXXXXX)
chmod 755 "$WORK"	# ovpnd runs as nobody after its setup
trap cleanup EXIT
trap 'log "interrupted"; exit 130' INT
trap 'log "terminated"; exit 143' TERM
START=$(now)

log "# ovpn bench run $(date -u +%Y-%m-%dT%H:%M:%SZ)"
log "host: $(uname -r), $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), load $(cut -d' ' -f1-3 /proc/loadavg)"
log "params: rounds=$ROUNDS test=${DUR}s omit=${OMIT}s mtu=$MTU udp_len=$UDP_LEN paced=$PACED systems=${RUN[*]}"

ip netns add "$NS_A" && NS_MADE=1 && ip netns add "$NS_B" || die "ip netns add"
ip link add vA netns "$NS_A" type veth peer name vB netns "$NS_B" || die "veth"
ip -n "$NS_A" addr add "$UL_A/24" dev vA
ip -n "$NS_B" addr add "$UL_B/24" dev vB
for ns in "$NS_A" "$NS_B"; do ip -n "$ns" link set lo up; done
ip -n "$NS_A" link set vA up
ip -n "$NS_B" link set vB up

N=${#RUN[@]}
for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
	for ((k = 0; k < N; k++)); do
		if (($(date +%s) - ${START%.*} > MAX_RUNTIME)); then
			log "MAX_RUNTIME ${MAX_RUNTIME}s reached: stopping early"
			break 2
		fi
		run_one "${RUN[$(((k + ROUND - 1) % N))]}"
	done
done

log ""
log "## medians over $ROUNDS rounds, ${DUR} s tests ($(since "$START") s in all; raw: $OUT)"
log ""
summarize "$WORK/results"

#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# workers = 2 on both sides (the tun's batches sealed on two threads), with
# offloads on and then refused (OVPN_TEST_NO_OFFLOAD): TCP transfers both
# ways, IPv4 and IPv6, arrive whole (sha256); in a transfer of 64 KiB
# bursts the receiver's TCP saw no more out-of-order segments (nstat
# TcpExtTCPOFOQueue) than the same transfer with workers = 1, so the wire
# order is kept; ovpnctl show names the count,
# the worker thread is there (one more task than with one worker) and
# every thread of the daemon runs under the seccomp filter (Seccomp: 2); a
# reload with another count says it needs a restart and keeps the count.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
need_cmd jq nstat
heavy_test
two_hosts
chmod 755 "$TMP"	# the daemon re-reads its config as nobody
MB=${WORKERS_MB:-40}

# mib NS NAME: the namespace's counter NAME since it was made (the MIBs
# nstat reads are per netns): TcpExtTCPOFOQueue, TcpRetransSegs.
mib() {
	nsx "$1" nstat -asz "$2" | awk -v n="$2" '$1 == n {print $2}'
}
ofo() { mib "$1" TcpExtTCPOFOQueue; }

# paced_ofo LABEL: out-of-order segments Y queued in a transfer of 64 KiB
# bursts from X, from the first of three tries the sender retransmitted
# nothing in (a loss anywhere reorders by itself; under load, or built
# with sanitizers, a try may lose a packet), else the fewest seen.
paced_ofo() {
	best=
	for try in 1 2 3; do
		y0=$(ofo Y); r0=$(mib X TcpRetransSegs)
		transfer X Y 10.77.0.2 "$1, paced (try $try)" 8 5
		n=$(( $(ofo Y) - y0 )); lost=$(( $(mib X TcpRetransSegs) - r0 ))
		[ -z "$best" ] || [ "$n" -lt "$best" ] && best=$n
		[ "$lost" = 0 ] && { best=$n; break; }
		say "$1: try $try retransmitted $lost segments ($n out of order): again" >&2
	done
	echo "$best"
}

# transfer FROM TO ADDR LABEL [MiB PAUSE_MS]: MB MiB (or MiB in 64 KiB
# bursts PAUSE_MS apart) through the tunnel, checked end to end.
transfer() {
	nsbg "$2" "$TOOLS/tcp-xfer" -l 5001 -t 60 >"$TMP/rx.out" 2>"$TMP/rx.err"
	rx=$BG_PID
	wait_for 5 grep -q listening "$TMP/rx.err" || fail "$4: receiver did not start"
	nsx "$1" "$TOOLS/tcp-xfer" -c "$3" 5001 -n "${5:-$MB}" ${6:+-p "$6"} -t 60 >"$TMP/tx.out" ||
		fail "$4: sender failed"
	wait "$rx" || fail "$4: receiver failed"
	read -r txb txh <"$TMP/tx.out"; read -r rxb rxh <"$TMP/rx.out"
	[ "$txb" = $((${5:-$MB} * 1048576)) ] && [ "$rxb" = "$txb" ] && [ "$rxh" = "$txh" ] ||
		fail "$4: sent $txb $txh, received $rxb $rxh"
}

# threads PID: the daemon's tasks; each must be in seccomp mode 2.
threads() {
	n=0
	for st in /proc/"$1"/task/*/status; do
		mode=$(awk '$1 == "Seccomp:" {print $2}' "$st")
		[ "$mode" = 2 ] || fail "$st: Seccomp: '$mode', not 2 (filter not on every thread)"
		n=$((n + 1))
	done
	echo "$n"
}

# round WORKERS REFUSED: both daemons with workers = WORKERS, offloads
# refused as OVPN_TEST_NO_OFFLOAD=REFUSED says; sets OFO (out-of-order
# segments queued by both receivers) and TASKS (X's threads).
round() {
	for h in x y; do
		sed -i '/^workers/d' "$TMP/$h.conf"
		sed -i "1i workers = $1" "$TMP/$h.conf"
	done
	: >"$TMP/ovpnd-X.log"; : >"$TMP/ovpnd-Y.log"
	OVPND_WRAPPER="env OVPN_TEST_NO_OFFLOAD=$2" start_ovpnd X "$TMP/x.conf"; px=$OVPND_PID
	OVPND_WRAPPER="env OVPN_TEST_NO_OFFLOAD=$2" start_ovpnd Y "$TMP/y.conf"; py=$OVPND_PID
	for h in x y; do
		got=$(nsx "${h^^}" "$SRC/ovpnctl" -s "$TMP/$h.sock" show --json | jq .workers)
		[ "$got" = "$1" ] || fail "$h: show --json says workers $got, not $1"
		nsx "${h^^}" "$SRC/ovpnctl" -s "$TMP/$h.sock" show | grep -q "^  workers: $1\$" ||
			fail "$h: the text status does not say 'workers: $1'"
	done
	grep -q "$1 worker" "$TMP/ovpnd-X.log" || fail "X's log does not name $1 worker(s)"
	ping_ok X 10.77.0.2 || fail "no ping through the tunnel"
	x0=$(ofo X); y0=$(ofo Y)
	transfer X Y 10.77.0.2 "workers $1, refused '$2', X->Y"
	transfer Y X fd77::1 "workers $1, refused '$2', Y->X"
	BULK_OFO=$(( $(ofo X) - x0 + $(ofo Y) - y0 ))
	# The order compared on bursts the path does not drop (at full
	# speed, drops in the tun and socket queues reorder by themselves):
	# 64 KiB written at once, one super-packet or 45 reads from the tun,
	# sealed as one batch.
	OFO=$(paced_ofo "workers $1, refused '$2', X->Y")
	TASKS=$(threads "$px")
	threads "$py" >/dev/null
	# Fixed at start: a reload says so and keeps the count.
	sed -i "s/^workers = $1\$/workers = $(( 3 - $1 ))/" "$TMP/x.conf"
	chmod 644 "$TMP/x.conf"
	kill -HUP "$px"
	wait_for 5 grep -q "reload: workers changed in $TMP/x.conf: restart ovpnd to apply" "$TMP/ovpnd-X.log" ||
		fail "a reload with another workers value does not say it needs a restart"
	got=$(nsx X "$SRC/ovpnctl" -s "$TMP/x.sock" show --json | jq .workers)
	[ "$got" = "$1" ] || fail "after the reload X says workers $got, not $1"
	stop_pid "$px" || fail "X did not exit cleanly (workers $1)"
	stop_pid "$py" || fail "Y did not exit cleanly (workers $1)"
	grep -qi "sanitizer\|leak" "$TMP/ovpnd-X.log" "$TMP/ovpnd-Y.log" &&
		fail "sanitizer reports in the logs"
	return 0
}

dual_conf x x y 192.0.2.2:51820 10.77.0.1 fd77::1 10.77.0.2 fd77::2
dual_conf y y x "" 10.77.0.2 fd77::2 10.77.0.1 fd77::1
for refused in none tun,gso,gro; do
	round 1 "$refused"; ofo1=$OFO; bulk1=$BULK_OFO; tasks1=$TASKS
	round 2 "$refused"; ofo2=$OFO; bulk2=$BULK_OFO; tasks2=$TASKS
	say "offloads refused: $refused; out-of-order segments queued in bursts: $ofo1 with 1 worker, $ofo2 with 2 (at full speed: $bulk1 and $bulk2); threads $tasks1 and $tasks2; 2 x $MB MiB + 8 MiB intact each"
	[ "$tasks2" = $((tasks1 + 1)) ] ||
		fail "workers = 2: $tasks2 threads, wanted one more than the $tasks1 of workers = 1"
	[ "$ofo2" -le "$ofo1" ] ||
		fail "offloads refused '$refused': $ofo2 out-of-order segments with 2 workers, $ofo1 with 1: the wire order is not kept"
done
exit 0

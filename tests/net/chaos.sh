#!/bin/bash
# SPDX-License-Identifier: ISC
# chaos-relay (issue 7) on loopback, no root: udp-probe traffic through the
# relay with each impairment alone, then together, both directions, IPv4
# and IPv6, one socket or two. Each check compares what the receiver saw
# with the relay's statistics line. Seeds are fixed, so every run makes the
# same random choices: the ranges below cannot flake. What the host itself
# drops (a receive buffer overflowing under load) is told apart through the
# kernel's per-socket drop count, which the relay and probes log: such a
# case is run again (3 tries) instead of failing.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"

RELAY=$TOOLS/chaos-relay
PROBE=$TOOLS/udp-probe
[ -x "$RELAY" ] && [ -x "$PROBE" ] || hard_error "build chaos-relay and udp-probe first"

N=2000
GAP=300		# microseconds between datagrams
# Ports below the ephemeral range, spread by PID so parallel runs differ.
BASE=$((20000 + ($$ % 1000) * 10))
RA=$BASE; RB=$((BASE + 1)); PA=$((BASE + 2)); PB=$((BASE + 3)); PC=$((BASE + 4))
checks=0

ok() { checks=$((checks + 1)); }
# expect DESCRIPTION TEST-ARGS...: a check that fails the test with context.
expect() {
	local what=$1; shift
	[ "$@" ] || fail "$CASE: $what (${*})"
	ok
}

# start_relay ARGS...: run chaos-relay with stats to $TMP/$CASE.stats;
# returns once it logged that it is relaying. Sets RELAY_PID.
start_relay() {
	"$RELAY" "$@" >"$TMP/$CASE.stats" 2>"$TMP/$CASE-relay.log" &
	RELAY_PID=$!
	track_pid $RELAY_PID
	wait_for 5 grep -q relaying "$TMP/$CASE-relay.log" ||
		hard_error "$CASE: relay did not start: $(cat "$TMP/$CASE-relay.log")"
}
stop_relay() {
	stop_pid "$RELAY_PID" || fail "$CASE: relay did not exit 0 on SIGTERM"
	[ "$(grep -c '^[ab]2[ab] ' "$TMP/$CASE.stats")" = 2 ] ||
		fail "$CASE: no statistics: $(cat "$TMP/$CASE.stats")"
}

# probe NAME ARGS...: udp-probe in the background, output $TMP/$CASE-NAME.out;
# returns once bound. Sets PROBE_PID.
probe() {
	local name=$1; shift
	"$PROBE" -t 30 "$@" >"$TMP/$CASE-$name.out" 2>"$TMP/$CASE-$name.log" &
	PROBE_PID=$!
	track_pid $PROBE_PID
	wait_for 5 grep -q bound "$TMP/$CASE-$name.log" ||
		hard_error "$CASE: probe $name did not bind: $(cat "$TMP/$CASE-$name.log")"
}
wait_probe() { wait "$1" || fail "$CASE: probe exited $?"; }

# attempt FN ARGS...: run a case's traffic; again if the host dropped any.
attempt() {
	for try in 1 2 3; do
		rm -f "$TMP/go-$CASE"
		"$@"
		grep -qE 'kernel dropped [1-9]' "$TMP/$CASE"-*.log || return 0
		say "$CASE: the host dropped datagrams (loaded?), try $try of 3"
	done
	hard_error "$CASE: receive buffers overflowed in 3 tries: host too loaded"
}

# one_way ADDR_A ADDR_B RELAY_ARGS...: two sockets, N datagrams A -> B.
one_way() {
	local a=$1 b=$2 rx; shift 2
	start_relay -l "$a:$RA" -L "$b:$RB" -a "$a:$PA" -b "$b:$PB" --duration 60 "$@"
	probe b -l "$b:$PB" -q 700
	rx=$PROBE_PID
	probe a -l "$a:$PA" -p "$a:$RA" -n $N -i $GAP -q 100
	wait_probe $PROBE_PID
	wait_probe $rx
	stop_relay
}

# stat DIR KEY: a number from the relay's statistics line of direction DIR.
stat() {
	awk -v d="$1" -v k="$2" '$1 == d { for (i = 2; i <= NF; i++) {
		split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$TMP/$CASE.stats"
}

# seen NAME: what probe NAME received, as shell variables: total good bad
# uniq (distinct good seqs) repeats missing (of 1..N) overtakers (arrived
# while an earlier seq was still missing) late (below the highest so far)
# far (largest distance back of a repeat) minlat maxlat (microseconds).
seen() {
	eval "$(awk -v n=$N '
		$1 == "bad" { bad++; next }
		{	good++; s = $1 + 0
			if (s in got) { rep++; if (hi - s > far) far = hi - s }
			else {
				got[s] = 1; uniq++
				if (s > contig + 1) over++
				while ((contig + 1) in got) contig++
			}
			if (s < hi) late++
			if (s > hi) hi = s
			if (min == "" || $2 < min) min = $2
			if ($2 > max) max = $2
		}
		END {
			printf "total=%d good=%d bad=%d uniq=%d repeats=%d missing=%d ",
				good + bad, good, bad, uniq, rep, n - uniq
			printf "overtakers=%d late=%d far=%d minlat=%d maxlat=%d\n",
				over, late, far, min, max
		}' "$TMP/$CASE-$1.out")"
}

CASE=plain-v4
attempt one_way 127.0.0.1 127.0.0.1 --seed 1
seen b
expect "all $N arrive, in order, intact" \
	"$total" = $N -a "$uniq" = $N -a "$late" = 0 -a "$bad" = 0
expect "stats count them" \
	"$(stat a2b received)" = $N -a "$(stat a2b forwarded)" = $N -a \
	"$(stat a2b lost)$(stat a2b duplicated)$(stat a2b reordered)$(stat a2b corrupted)$(stat a2b replayed)$(stat a2b delayed)$(stat a2b dropped)" = 0000000
expect "nothing went the other way" "$(stat b2a received)" = 0

CASE=loss
attempt one_way 127.0.0.1 127.0.0.1 --seed 7 --loss 20
seen b
lost=$(stat a2b lost)
expect "about 20% lost" "$lost" -ge 300 -a "$lost" -le 500
expect "missing = lost" "$missing" = "$lost"
expect "the rest arrive once, in order" \
	"$total" = "$(stat a2b forwarded)" -a "$repeats" = 0 -a "$late" = 0 -a "$bad" = 0

CASE=dup
attempt one_way 127.0.0.1 127.0.0.1 --seed 8 --dup 10
seen b
dups=$(stat a2b duplicated)
expect "about 10% duplicated" "$dups" -ge 120 -a "$dups" -le 280
expect "duplicates seen = duplicated" "$repeats" = "$dups"
expect "none missing" "$missing" = 0 -a "$total" = "$(stat a2b forwarded)"

CASE=reorder
attempt one_way 127.0.0.1 127.0.0.1 --seed 9 --reorder 8
seen b
reo=$(stat a2b reordered)
expect "reordered" "$reo" -ge 500 -a "$late" -gt 0
expect "overtakers seen = reordered" "$overtakers" = "$reo"
expect "none lost or repeated" "$missing" = 0 -a "$repeats" = 0 -a "$total" = $N

CASE=corrupt
attempt one_way 127.0.0.1 127.0.0.1 --seed 10 --corrupt 10
seen b
cor=$(stat a2b corrupted)
expect "about 10% corrupted" "$cor" -ge 120 -a "$cor" -le 280
expect "bad payloads = corrupted" "$bad" = "$cor"
expect "the others intact" "$good" = $((N - cor)) -a "$total" = $N

CASE=replay
attempt one_way 127.0.0.1 127.0.0.1 --seed 11 --replay 5 --history 1024
seen b
rep=$(stat a2b replayed)
expect "about 5% replayed" "$rep" -ge 50 -a "$rep" -le 150
expect "old datagrams seen again = replayed" "$repeats" = "$rep"
expect "from far back in the history" "$far" -gt 50 -a "$far" -le 1024
expect "none missing" "$missing" = 0 -a "$total" = "$(stat a2b forwarded)"

CASE=delay
attempt one_way 127.0.0.1 127.0.0.1 --seed 12 --delay 50 --jitter 10
seen b
expect "every datagram delayed" "$(stat a2b delayed)" = $N -a "$total" = $N
expect "by at least delay - jitter (${minlat}us)" "$minlat" -ge 40000
expect "but boundedly (${maxlat}us)" "$maxlat" -lt 1000000
expect "jitter does not reorder" "$late" = 0

# Both directions at once over IPv6, different impairments each way.
# two_way ADDR_A ADDR_B RELAY_ARGS...: two sockets, N datagrams each way
# at once (the probes start together when $TMP/go-$CASE appears).
two_way() {
	local a=$1 b=$2 pa pb; shift 2
	start_relay -l "$a:$RA" -L "$b:$RB" -a "$a:$PA" -b "$b:$PB" "$@"
	probe a -l "$a:$PA" -p "$a:$RA" -n $N -i $GAP -q 700 -g "$TMP/go-$CASE"
	pa=$PROBE_PID
	probe b -l "$b:$PB" -p "$b:$RB" -n $N -i $GAP -q 700 -g "$TMP/go-$CASE"
	pb=$PROBE_PID
	touch "$TMP/go-$CASE"
	wait_probe $pa; wait_probe $pb
	stop_relay
}

CASE=both-v6
attempt two_way "[::1]" "[::1]" --seed 13 --loss 30,0 --dup 0,10
seen b
lost=$(stat a2b lost)
expect "A->B: about 30% lost, no duplicates" \
	"$lost" -ge 450 -a "$lost" -le 750 -a "$missing" = "$lost" -a "$repeats" = 0
seen a
dups=$(stat b2a duplicated)
expect "B->A: none lost, about 10% duplicated" \
	"$missing" = 0 -a "$(stat b2a lost)" = 0 -a "$repeats" = "$dups" -a "$dups" -ge 120 -a "$dups" -le 280

# One socket for both sides: the source address tells them apart, and a
# third source is ignored.
one_socket() {
	start_relay -l "127.0.0.1:$RA" -a "127.0.0.1:$PA" -b "127.0.0.1:$PB" --seed 14
	probe a -l "127.0.0.1:$PA" -p "127.0.0.1:$RA" -n 500 -i $GAP -q 700 -g "$TMP/go-$CASE"
	pa=$PROBE_PID
	probe b -l "127.0.0.1:$PB" -p "127.0.0.1:$RA" -n 500 -i $GAP -q 700 -g "$TMP/go-$CASE"
	pb=$PROBE_PID
	probe c -l "127.0.0.1:$PC" -p "127.0.0.1:$RA" -n 50 -i $GAP -q 100 -g "$TMP/go-$CASE"
	pc=$PROBE_PID
	touch "$TMP/go-$CASE"
	wait_probe $pa; wait_probe $pb; wait_probe $pc
	stop_relay
}
CASE=one-socket
attempt one_socket
for side in a b; do
	seen $side
	expect "$side got exactly the other side's 500" "$total" = 500 -a "$uniq" = 500 -a "$late" = 0
done
expect "stats: 500 each way" "$(stat a2b forwarded)" = 500 -a "$(stat b2a forwarded)" = 500
expect "the stranger is ignored" -n "$(grep 'ignored 50 datagrams' "$TMP/$CASE-relay.log")"

# The books balance: received - lost + copies = forwarded + dropped.
# Everything at once, both directions, A on IPv4 and B on IPv6.
CASE=all
attempt two_way 127.0.0.1 "[::1]" \
	--seed 15 --loss 5 --dup 5 --corrupt 5 --replay 5 --reorder 4 --delay 5 --jitter 3
for d in a2b b2a; do
	in=$(($(stat $d received) - $(stat $d lost) + $(stat $d duplicated) + $(stat $d replayed)))
	expect "$d: received - lost + duplicated + replayed = forwarded + dropped" \
		"$in" = $(($(stat $d forwarded) + $(stat $d dropped)))
	expect "$d: each impairment happened" \
		"$(stat $d received)" = $N -a "$(stat $d lost)" -gt 0 -a "$(stat $d reordered)" -gt 0 -a \
		"$(stat $d corrupted)" -gt 0 -a "$(stat $d replayed)" -gt 0 -a "$(stat $d delayed)" -gt 0
done
seen b
expect "B received what a2b forwarded" "$total" = "$(stat a2b forwarded)" -a "$bad" -ge "$(stat a2b corrupted)"
seen a
expect "A received what b2a forwarded" "$total" = "$(stat b2a forwarded)" -a "$bad" -ge "$(stat b2a corrupted)"

# The same seed gives the same run; another seed another one.
i=0
for s in 42 42 43; do
	i=$((i + 1))
	CASE=seed$i-$s
	attempt one_way 127.0.0.1 127.0.0.1 --seed $s --loss 10 --dup 5 --corrupt 5 --replay 5
	cut -d' ' -f1 "$TMP/$CASE-b.out" >"$TMP/seq$i"
	cp "$TMP/$CASE.stats" "$TMP/stats$i"
done
CASE=seed
expect "seed 42 twice: same datagrams arrive" -z "$(cmp "$TMP/seq1" "$TMP/seq2" 2>&1)"
expect "seed 42 twice: same statistics" -z "$(cmp "$TMP/stats1" "$TMP/stats2" 2>&1)"
expect "seed 43: different statistics" -n "$(cmp "$TMP/stats1" "$TMP/stats3" 2>&1)"

# Caps: a burst into a long delay with room for 10 is dropped and counted,
# and the relay does not block.
caps() {
	start_relay -l "127.0.0.1:$RA" -L "127.0.0.1:$RB" -a "127.0.0.1:$PA" -b "127.0.0.1:$PB" \
		--seed 16 --delay 300 --max-held 10
	probe b -l "127.0.0.1:$PB" -q 700
	rx=$PROBE_PID
	probe a -l "127.0.0.1:$PA" -p "127.0.0.1:$RA" -n 100 -i 0 -q 100
	wait_probe $PROBE_PID; wait_probe $rx
	stop_relay
}
CASE=caps
attempt caps
seen b
expect "held at most 10, dropped the rest" \
	"$(stat a2b dropped)" -gt 0 -a "$(stat a2b forwarded)" -le 20 -a \
	$(($(stat a2b forwarded) + $(stat a2b dropped))) = "$(stat a2b received)"
expect "B got what was forwarded" "$total" = "$(stat a2b forwarded)" -a "$minlat" -ge 300000

# A burst: full send batches go out while a datagram's copies are made.
burst() {
	start_relay -l "127.0.0.1:$RA" -L "127.0.0.1:$RB" -a "127.0.0.1:$PA" -b "127.0.0.1:$PB" \
		--seed 17 --dup 50 --replay 30 --history 16
	probe b -l "127.0.0.1:$PB" -q 700
	rx=$PROBE_PID
	probe a -l "127.0.0.1:$PA" -p "127.0.0.1:$RA" -n 150 -i 0 -q 100
	wait_probe $PROBE_PID; wait_probe $rx
	stop_relay
}
CASE=burst
attempt burst
seen b
expect "all 150 and the copies arrive" "$uniq" = 150 -a "$total" = "$(stat a2b forwarded)" -a \
	"$total" = $((150 + $(stat a2b duplicated) + $(stat a2b replayed)))

# --duration: the relay exits by itself, status 0, statistics printed.
CASE=duration
t0=$(date +%s%N)
start_relay -l "127.0.0.1:$RA" -a "127.0.0.1:$PA" -b "127.0.0.1:$PB" --duration 1
wait_for 5 sh -c "! kill -0 $RELAY_PID" || fail "$CASE: relay still running after 5 s"
wait "$RELAY_PID"; rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
expect "exit 0 after about 1 s (${ms} ms)" "$rc" = 0 -a "$ms" -ge 900 -a "$ms" -lt 5000
expect "statistics printed" "$(grep -c '^[ab]2[ab] received=0 ' "$TMP/$CASE.stats")" = 2

# Bad command lines: one clear error, exit 2, nothing bound.
CASE=usage
bad() {
	local want=$1 out rc; shift
	out=$("$RELAY" "$@" 2>&1 >/dev/null); rc=$?
	expect "\`$*' exits 2" "$rc" = 2
	expect "\`$*' says $want" -n "$(printf '%s\n' "$out" | grep -F -- "$want")"
}
L="-l 127.0.0.1:$RA"
bad "-a is required" $L -b 127.0.0.1:$PB
bad "\`150' is not a number from 0 to 100" $L -a 127.0.0.1:$PA -b 127.0.0.1:$PB --loss 150
bad "\`5,x' is not" $L -a 127.0.0.1:$PA -b 127.0.0.1:$PB --dup 5,x
bad "\`::1:$PA' is not ADDR:PORT" $L -a ::1:$PA -b 127.0.0.1:$PB
bad "\`localhost:$PA' is not ADDR:PORT" $L -a localhost:$PA -b 127.0.0.1:$PB
bad "IPv4 and IPv6 mixed" $L -a "[::1]:$PA" -b 127.0.0.1:$PB
bad "-a and -b must differ" $L -a 127.0.0.1:$PA -b 127.0.0.1:$PA
bad "--reorder: \`2.5' is not a whole number" $L -a 127.0.0.1:$PA -b 127.0.0.1:$PB --reorder 2.5
bad "--duration: \`0'" $L -a 127.0.0.1:$PA -b 127.0.0.1:$PB --duration 0
bad "unexpected argument" $L -a 127.0.0.1:$PA -b 127.0.0.1:$PB extra
# A taken port is a run-time error: exit 1, naming the address.
probe x -l "127.0.0.1:$PC" -q 100 -t 2
out=$("$RELAY" -l "127.0.0.1:$PC" -a 127.0.0.1:$PA -b 127.0.0.1:$PB --duration 1 2>&1); rc=$?
expect "port in use: exit 1 naming it" "$rc" = 1 -a -n "$(printf '%s' "$out" | grep "127.0.0.1:$PC: Address already in use")"

say "PASS: $checks checks"

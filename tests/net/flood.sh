#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Floods at a daemon while a TCP stream runs through it:
# - junk: about 50,000 random datagrams a second of every length and type
#   byte for 10 s: no crash, no answer to any of them, the stream keeps at
#   least half its unflooded throughput, peak RSS within 10%;
# - handshake initiations with a valid mac1 from 64 source ports: cookie
#   replies go out, the DH work stays bounded by the rate limit, and a real
#   peer that restarts during the flood still connects.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
heavy_test
need_cmd jq
pair_setup -b -l -L info
ns_add Z; attach Z 192.0.2.66/24
pair_start -n; px=$PX; py=$PY
ping_ok X 10.77.0.2 || fail "no traffic through the tunnel"

MB=${FLOOD_MB:-200}
# transfer: prints Mbit/s of an MB-MiB transfer X -> Y through the tunnel
transfer() {
	nsbg Y "$TOOLS/tcp-xfer" -l 5001 -t 60 >"$TMP/rx.out" 2>"$TMP/rx.err"
	rx=$BG_PID
	wait_for 5 grep -q listening "$TMP/rx.err" || fail "receiver did not start"
	t0=$(date +%s%N)
	nsx X "$TOOLS/tcp-xfer" -c 10.77.0.2 5001 -n "$MB" -t 60 >"$TMP/tx.out" || fail "sender failed"
	wait "$rx" || fail "receiver failed"
	t1=$(date +%s%N)
	cmp -s "$TMP/tx.out" "$TMP/rx.out" || fail "transfer corrupted: $(cat "$TMP/tx.out" "$TMP/rx.out")"
	echo $(( MB * 8 * 1048576 / ((t1 - t0) / 1000) ))
}
hwm() { sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$1/status"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
drops() { nsx Y "$SRC/ovpnctl" -s "$TMP/y.sock" show --json | jq -r "$1"; }

base=$(transfer)
rss0=$(hwm "$py")
say "unflooded: $base Mbit/s; ovpnd peak RSS $rss0 kB"

# Junk flood from Z, with the same transfer in the middle of it.
nsbg Z "$TOOLS/udp-flood" -r 50000 -t 10 junk 192.0.2.2 51820 >"$TMP/junk.out" 2>&1
flood=$BG_PID
sleep 1
under=$(transfer)
wait "$flood"
kill -0 "$py" || fail "ovpnd died under the junk flood"
read -r _ sent _ replies _ _ <"$TMP/junk.out"
rss1=$(hwm "$py")
say "junk flood: $sent datagrams in 10 s ($((sent / 10))/s), $replies answered; stream $under Mbit/s (unflooded $base); peak RSS $rss0 -> $rss1 kB"
[ "$sent" -ge 350000 ] || fail "the flood reached only $sent datagrams (machine too busy?)"
[ "$replies" = 0 ] || fail "the daemon answered $replies junk datagrams"
[ $((under * 2)) -ge "$base" ] || fail "throughput under flood $under < half of $base"
[ $((rss1 * 10)) -le $((rss0 * 11)) ] || fail "peak RSS grew more than 10%: $rss0 -> $rss1 kB"
nsx X ping -c 2 -i 0.2 -W 1 10.77.0.2 >/dev/null || fail "tunnel broken after the junk flood"

# Handshake flood: valid mac1 from 64 ports at 5,000 a second for 8 s.
ticks0=$(cpu_ticks "$py")
invalid0=$(drops '.drops.handshake_invalid + .drops.handshake_unknown_peer')
nsbg Z "$TOOLS/udp-flood" -r 5000 -t 8 -p 64 hs 192.0.2.2 51820 "$(pubkey y)" >"$TMP/hs.out" 2>&1
hsflood=$BG_PID
sleep 1
# X restarts mid-flood and must handshake again, with a cookie if need be.
stop_pid "$px"
start_ovpnd X "$TMP/x.conf"
wait_for 15 nsx X ping -c 1 -W 1 10.77.0.2 || fail "a real peer could not connect during the handshake flood"
say "real peer reconnected during the handshake flood"
wait "$hsflood"
read -r _ hsent _ _ _ hcookies <"$TMP/hs.out"
ticks1=$(cpu_ticks "$py")
invalid1=$(drops '.drops.handshake_invalid + .drops.handshake_unknown_peer')
limited=$(drops '.drops.rate_limited')
cookies=$(drops '.counters.cookies_sent')
dh=$((invalid1 - invalid0))
cpu_ms=$(( (ticks1 - ticks0) * 1000 / $(getconf CLK_TCK) ))
say "handshake flood: $hsent sent, $hcookies cookie replies received ($cookies sent), $dh reached DH, $limited rate-limited, ovpnd CPU $cpu_ms ms"
[ "$hcookies" -gt 0 ] || fail "no cookie replies under a handshake flood"
[ "$dh" -le $((5 + 20 * 10)) ] || fail "$dh handshakes reached the DH: not bounded by the rate limit"
kill -0 "$py" || fail "ovpnd died under the handshake flood"
exit 0

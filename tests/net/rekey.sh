#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Rekey under continuous traffic: with the timers shortened through
# OVPN_TEST_TIMERS (a test-only option that ovpnd announces in its log),
# sessions are replaced several times during a paced TCP transfer and a ping
# stream: the transfer's sha256 matches and no ping is lost.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
heavy_test
# workers = 1 here; rekey-workers.sh runs this with OVPN_TEST_WORKERS=2
export OVPN_TEST_WORKERS=${OVPN_TEST_WORKERS:-1}
export OVPN_TEST_TIMERS="rekey-after-time=2 reject-after-time=4 rekey-timeout=1 keepalive-timeout=1"
tunnel_pair
grep -q 'OVPN_TEST_TIMERS' "$TMP/ovpnd-X.log" || fail "ovpnd did not announce the test timers"
for h in x y; do
	nsx "${h^^}" "$SRC/ovpnctl" -s "$TMP/$h.sock" show | grep -q "^  workers: $OVPN_TEST_WORKERS\$" ||
		fail "$h does not run $OVPN_TEST_WORKERS workers"
done

nsbg Y "$TOOLS/tcp-xfer" -l 5001 -t 60 >"$TMP/rx.out" 2>"$TMP/rx.err"
rx=$BG_PID
wait_for 5 grep -q listening "$TMP/rx.err" || fail "receiver did not start"
# 10 s of paced traffic: 160 blocks of 64 KiB, 60 ms apart.
nsbg X "$TOOLS/tcp-xfer" -c 10.77.0.2 5001 -n 10 -p 60 -t 60 >"$TMP/tx.out"
tx=$BG_PID
read -r sent received < <(ping_stats X 10.77.0.2 400 0.025)
wait "$tx" || fail "sender failed"
wait "$rx" || fail "receiver failed"
read -r txb txh <"$TMP/tx.out"; read -r rxb rxh <"$TMP/rx.out"
[ "$rxb" = "$txb" ] && [ "$rxh" = "$txh" ] && [ "$txb" = 10485760 ] ||
	fail "transfer mismatch: sent $txb $txh, received $rxb $rxh"
hs=$(grep -c 'session established' "$TMP/ovpnd-X.log" "$TMP/ovpnd-Y.log" | awk -F: '{s += $2} END {print s}')
say "sessions established: $hs; pings $received/$sent; transfer sha256 ok"
[ "$hs" -ge 4 ] || fail "expected several rekeys during 10 s, saw $hs sessions"
[ "$sent" -gt 0 ] && [ "$received" = "$sent" ] || fail "lost pings during rekeys: $received of $sent"
exit 0

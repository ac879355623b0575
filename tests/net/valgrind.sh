#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# ovpnd under valgrind through a handshake, pings and a transfer each way
# (its own sealed on two worker threads), then a clean
# SIGTERM exit: no invalid access, no leak (the one daemon of the suite
# without the sandbox: valgrind cannot emulate seccomp).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
heavy_test
need_cmd valgrind
pair_setup
# valgrind cannot run a seccomp filter (it would filter valgrind itself; it
# answers seccomp() with ENOSYS): the daemon it runs has sandbox = false.
# X, its peer, runs sandboxed as everywhere else.
# It seals on two threads (workers = 2): their start, the clones of the
# AEAD contexts and their stop are checked too.
sed -i 's/^log-level.*/log-level = "debug"\nsandbox = false\nworkers = 2/' "$TMP/y.conf"
grep -q '^sandbox = false' "$TMP/y.conf" || fail "y.conf has no log-level line to follow"
start_ovpnd X "$TMP/x.conf"
OVPND_START_TIMEOUT=30 OVPND_WRAPPER="valgrind --error-exitcode=42 --leak-check=full \
	--errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
	--track-fds=no --log-file=$TMP/valgrind.log" start_ovpnd Y "$TMP/y.conf"
py=$OVPND_PID
ping_ok X 10.77.0.2 || fail "no ping through the valgrind-run daemon"
nsbg Y "$TOOLS/tcp-xfer" -l 5001 -t 60 >"$TMP/rx.out" 2>"$TMP/rx.err"
rx=$BG_PID
wait_for 5 grep -q listening "$TMP/rx.err" || fail "receiver did not start"
nsx X "$TOOLS/tcp-xfer" -c 10.77.0.2 5001 -n 2 -t 60 >"$TMP/tx.out" || fail "sender failed"
wait "$rx" || fail "receiver failed"
cmp -s "$TMP/tx.out" "$TMP/rx.out" || fail "transfer mismatch"
nsbg X "$TOOLS/tcp-xfer" -l 5001 -t 60 >"$TMP/rx.out" 2>"$TMP/rx.err"
rx=$BG_PID
wait_for 5 grep -q listening "$TMP/rx.err" || fail "receiver did not start (Y->X)"
nsx Y "$TOOLS/tcp-xfer" -c 10.77.0.1 5001 -n 2 -t 60 >"$TMP/tx.out" || fail "sender failed (Y->X)"
wait "$rx" || fail "receiver failed (Y->X)"
cmp -s "$TMP/tx.out" "$TMP/rx.out" || fail "transfer mismatch (Y->X, sealed on two threads)"
grep -q '2 workers' "$TMP/ovpnd-Y.log" || fail "Y does not say it runs 2 workers"
kill "$py"
for _ in $(seq 300); do kill -0 "$py" 2>/dev/null || break; sleep 0.1; done
wait "$py"; rc=$?
grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|Invalid' "$TMP/valgrind.log" | sed 's/^/  /'
[ "$rc" = 0 ] || fail "ovpnd under valgrind exited $rc (42: valgrind found errors)"
grep -q 'ERROR SUMMARY: 0 errors' "$TMP/valgrind.log" || fail "valgrind reported errors"
exit 0

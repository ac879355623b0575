#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# ovpnctl watch on a running pair: text and --json watchers see, as they
# happen, the endpoint learned and the handshake with x, peers added and
# removed at runtime, unknown-index drops crossing 100, and the session
# expiring (short test timers); a watcher that stops reading is cut off
# while the others get every event and the tunnel keeps forwarding; a
# fifth watcher is refused; bad arguments are usage errors.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
need_cmd jq
pair_setup -l
keygen z
export OVPN_TEST_TIMERS="rekey-after-time=2 reject-after-time=3"
start_ovpnd Y "$TMP/y.conf"
start_ovpnd X "$TMP/x.conf"
unset OVPN_TEST_TIMERS
CTL="$SRC/ovpnctl -s $TMP/y.sock"
$CTL watch >"$TMP/watch.txt" 2>"$TMP/watch.err" &
track_pid $!
$CTL watch --json >"$TMP/watch.json" 2>&1 &
track_pid $!
wait_for 5 grep -q '^watching ovpn-y$' "$TMP/watch.txt" || fail "watch did not start: $(cat "$TMP/watch.txt" "$TMP/watch.err")"
wait_for 5 grep -q '"watching"' "$TMP/watch.json" || fail "watch --json did not start"
seen() { wait_for "${2:-5}" grep -Eq "$1" "$TMP/watch.txt" || fail "no event '$1' in: $(cat "$TMP/watch.txt")"; }
T='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z ovpn-y'

ping_ok X 10.77.0.2 || fail "no traffic through the tunnel"
seen "$T endpoint peer=x endpoint=192\.0\.2\.1:51820$"
seen "$T handshake peer=x endpoint=192\.0\.2\.1:51820$"
$CTL set peer z public-key "$(pubkey z)" allowed-ips 10.77.0.3/32 >/dev/null || fail "set peer z"
seen "$T peer-added peer=z$"
$CTL remove peer z >/dev/null || fail "remove peer z"
seen "$T peer-removed peer=z$"
# 100 data packets of an unknown receiver index: the interface's drops.
{ printf '\004\000\000\000\336\255\276\357'; head -c 40 /dev/zero; } >"$TMP/unknown.bin"
nsx X bash -c "for i in \$(seq 100); do cat '$TMP/unknown.bin' > /dev/udp/192.0.2.2/51820; done"
seen "$T drops unknown-index=100$"
# Idle, the session passes reject-after-time (3 s here).
seen "$T session-expired peer=x$" 10
say "events:"; sed 's/^/    /' "$TMP/watch.txt"

# The same events as JSON, one object a line, in the same order.
jq -e . "$TMP/watch.json" >/dev/null || fail "watch --json: not JSON lines: $(cat "$TMP/watch.json")"
order=$(jq -r '.event' "$TMP/watch.json" | tr '\n' ' ')
[ "$order" = "$(awk '{print $3}' "$TMP/watch.txt" | sed '1s/.*/watching/' | tr '\n' ' ')" ] ||
	fail "json and text differ: $order"
[ "$(jq -r 'select(.event == "drops") | ."unknown-index"' "$TMP/watch.json")" = 100 ] || fail "json drops"
[ "$(jq -r 'select(.event == "handshake") | .peer + " " + .endpoint' "$TMP/watch.json" | sort -u)" = "x 192.0.2.1:51820" ] ||
	fail "json handshake"
say "json: $(sed -n 3p "$TMP/watch.json")"

# A reader that stops reading is cut off; the others see every event.
"$TOOLS/ctl-garbage" "$TMP/y.sock" stuck 60 >"$TMP/stuck.out" &
stuck=$!
track_pid $stuck
sleep 0.3
t0=$(date +%s%N)
for i in $(seq 200); do
	$CTL set peer z public-key "$(pubkey z)" >/dev/null && $CTL remove peer z >/dev/null || fail "set/remove $i"
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
ping_ok X 10.77.0.2 || fail "tunnel stalled with a stuck watcher"
kill -USR1 "$stuck"
wait "$stuck"
out=$(cat "$TMP/stuck.out")
echo "$out" | grep -Eq '^cut after [0-9]+ bytes$' || fail "the stuck watcher was not cut off: $out"
got=$(echo "$out" | awk '{print $3}')
sent=$(grep -c 'peer-\(added\|removed\) peer=z$' "$TMP/watch.txt")
[ "$sent" = 402 ] || fail "the reading watcher saw $sent of 402 peer events"
say "400 events in $ms ms; stuck watcher $out; the reading ones got all $sent"

# Slots: 4 watchers; a fifth is refused with one line.
$CTL watch >/dev/null 2>&1 & track_pid $!
$CTL watch >/dev/null 2>&1 & track_pid $!
sleep 0.3
err=$($CTL watch 2>&1) && fail "a fifth watcher was accepted"
[ "$err" = "error: too many watchers" ] || fail "fifth watcher: $err"
for bad in "watch --frob" "watch --json x" "watch json"; do
	# shellcheck disable=SC2086
	$CTL $bad >/dev/null 2>&1; rc=$?
	[ "$rc" = 2 ] || fail "ovpnctl $bad: exit $rc, not a usage error"
done
out=$("$TOOLS/ctl-garbage" "$TMP/y.sock" line 'watch xml')
echo "$out" | grep -q '^error: unknown request' || fail "'watch xml' request: $out"
say "fifth watcher refused; bad arguments refused"
exit 0

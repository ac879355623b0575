#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The local attack surface, on running daemons (issue 12, points 3, 4, 7,
# 8 and 9):
# - the pidfile and the control socket are never reached through a
#   symlink (the socket's race won by an LD_PRELOADed probe that swaps the
#   file right after bind); a missing socket directory is made 0750,
#   root's, of the socket's group;
# - descriptors a launcher leaked (10 and 251) are closed in the daemon;
# - the control socket serves root, the daemon's account and
#   control-group's members only: anyone else gets one error line and is
#   counted;
# - the daemon is not dumpable even while root, and its private key and
#   peer state sit only in memory marked MADV_DONTDUMP; a key file owned by
#   another account and a peer key of small order are refused by ovpnd -t;
# - ovpnctl shows control characters from the daemon's side as '?'.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
need_cmd setpriv jq
two_hosts
chmod 755 "$TMP"	# a client of another uid must reach the socket
host_conf "$TMP/x.conf" x x 10.77.0.1/24 y y 192.0.2.2:51820 10.77.0.2/32
nogroup=$(getent group nogroup | cut -d: -f3)
users=$(getent group users | cut -d: -f3)
[ -n "$users" ] || hard_error "no group 'users'"

# --- point 3: no symlink followed as root -----------------------------------
echo precious >"$TMP/victim"; chmod 644 "$TMP/victim"
ln -s "$TMP/victim" "$TMP/x.pid"
nsx X "$SRC/ovpnd" -f -c "$TMP/x.conf" -p "$TMP/x.pid" >"$TMP/pidfile.log" 2>&1 &
p=$!; track_pid $p
wait_for 5 grep -q 'pidfile' "$TMP/pidfile.log"
stop_pid "$p"
[ "$(cat "$TMP/victim")" = precious ] || fail "the pidfile was written through a symlink: victim now '$(cat "$TMP/victim")'"
grep -q 'pidfile .*not a regular file' "$TMP/pidfile.log" || fail "no clear refusal of a symlinked pidfile: $(cat "$TMP/pidfile.log")"
rm -f "$TMP/x.pid"; echo stale >"$TMP/x.pid"
start_ovpnd X "$TMP/x.conf" -p "$TMP/x.pid"; p=$OVPND_PID
wait_for 5 grep -qx "$p" "$TMP/x.pid" || fail "a stale pidfile was not replaced"
stop_pid "$p"
say "pidfile: a symlink is refused (its target untouched), a stale file replaced"

OVPND_WRAPPER="env LD_PRELOAD=$TOOLS/preload-probe.so OVPN_PROBE_SWAP=$TMP/victim" \
	start_ovpnd X "$TMP/x.conf"; p=$OVPND_PID
grep -q 'probe: .*x.sock is now a symlink' "$TMP/ovpnd-X.log" || fail "the probe did not swap the socket"
st=$(stat -c '%u:%g %a' "$TMP/victim")
[ "$st" = "0:0 644" ] || fail "the socket's symlink was followed: victim is now $st"
stop_pid "$p"; rm -f "$TMP/x.sock"
say "control socket: a symlink swapped in after bind is not followed (victim stays 0:0 644)"

sed "s|$TMP/x.sock|$TMP/run/ovpn/x.sock|" "$TMP/x.conf" >"$TMP/dir.conf"
mkdir -p "$TMP/run"
start_ovpnd X "$TMP/dir.conf"; p=$OVPND_PID
wait_for 5 test -S "$TMP/run/ovpn/x.sock" || fail "no socket in the new directory"
st=$(stat -c '%u:%g %a' "$TMP/run/ovpn")
[ "$st" = "0:$nogroup 750" ] || fail "socket directory is $st, want 0:$nogroup 750"
st=$(stat -c '%u:%g %a' "$TMP/run/ovpn/x.sock")
[ "$st" = "0:$nogroup 660" ] || fail "socket is $st, want 0:$nogroup 660"
stop_pid "$p"
say "a missing socket directory is made 0:nogroup 750, the socket 0:nogroup 660"

# --- point 4: leaked descriptors --------------------------------------------
(
	exec 10>"$TMP/leak10" 251>"$TMP/leak251"
	start_ovpnd X "$TMP/x.conf"
	echo "$OVPND_PID" >"$TMP/leak.pid"
	exit 0
) || fail "could not start with leaked descriptors"
p=$(cat "$TMP/leak.pid"); track_pid "$p"
leaks=$(ls -l "/proc/$p/fd" | grep -c 'leak[0-9]*$')
[ "$leaks" = 0 ] || fail "inherited descriptors still open in ovpnd: $(ls -l "/proc/$p/fd" | grep leak)"
say "descriptors 10 and 251 of the launcher are closed in the daemon"

# --- point 7: who may use the control socket --------------------------------
as_uid() { nsx X setpriv --reuid=12345 "$@"; }
out=$(as_uid --regid="$nogroup" --clear-groups "$SRC/ovpnctl" -s "$TMP/x.sock" show 2>&1); rc=$?
[ "$rc" != 0 ] || fail "uid 12345 of group nogroup read the daemon's state: $out"
[ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q '^error: permission denied: uid 12345' ||
	fail "refused client got no single error line: $out"
"$SRC/ovpnctl" -s "$TMP/x.sock" show | grep -q 'control-denied 1' || fail "the refusal is not counted"
[ "$("$SRC/ovpnctl" -s "$TMP/x.sock" show --json | jq .counters.control_denied)" = 1 ] || fail "JSON control_denied"
as_uid --regid="$nogroup" --clear-groups "$SRC/ovpnctl" -s "$TMP/x.sock" reload >/dev/null 2>&1 &&
	fail "uid 12345 could reload"
stop_pid "$p"
say "uid 12345 (group nogroup, as the socket): '$out', counted"

sed 's/^log-level.*/control-group = "users"/' "$TMP/x.conf" >"$TMP/group.conf"
start_ovpnd X "$TMP/group.conf"; p=$OVPND_PID
[ "$(stat -c %g "$TMP/x.sock")" = "$users" ] || fail "socket not of control-group"
as_uid --regid=12345 --groups="$users" "$SRC/ovpnctl" -s "$TMP/x.sock" show | grep -q '^interface: ovpn-x' ||
	fail "a member of control-group was refused"
out=$(as_uid --regid="$users" --clear-groups "$SRC/ovpnctl" -s "$TMP/x.sock" show 2>&1) ||
	fail "primary group control-group refused: $out"
nsx X setpriv --reuid=nobody --regid="$nogroup" --clear-groups "$SRC/ovpnctl" -s "$TMP/x.sock" show >/dev/null 2>&1 &&
	fail "with control-group, a client of the socket's old group still got in"
stop_pid "$p"
say "control-group = users: its members are served"

# --- point 8: dumps and keys ------------------------------------------------
sed 's/^log-level.*/user = "root"\ngroup = "root"/' "$TMP/x.conf" >"$TMP/root.conf"
start_ovpnd X "$TMP/root.conf"; p=$OVPND_PID
wait_for 5 grep -q 'sandbox on' "$TMP/ovpnd-X.log"
# A root process with the same capabilities (CAP_NET_ADMIN only) may read a
# dumpable root process's memory and environment, never a non-dumpable one's.
setpriv --bounding-set=-all,+net_admin --inh-caps=-all cat "/proc/$p/environ" >/dev/null 2>&1 &&
	fail "ovpnd is dumpable: its environment is readable without CAP_SYS_PTRACE"
stop_pid "$p"
say "the daemon is not dumpable, even staying root"

# Its secrets sit in memory that no core dump holds: the static key and a
# peer's state (there: DH(static, peer's static), beside the session keys).
host_conf "$TMP/y.conf" y y 10.77.0.2/24 x x 192.0.2.1:51820 10.77.0.1/32
start_ovpnd Y "$TMP/y.conf"; py=$OVPND_PID
start_ovpnd X "$TMP/x.conf"; p=$OVPND_PID
ping_ok X 10.77.0.2 || fail "no traffic"
"$TOOLS/keyscan" "$p" "$TMP/x.key" "$(pubkey y)" >"$TMP/keyscan.out"; rc=$?
sed 's/^/    /' "$TMP/keyscan.out"
grep -q '^private ' "$TMP/keyscan.out" && grep -q '^shared ' "$TMP/keyscan.out" &&
	! grep -qx 'public 0' "$TMP/keyscan.out" || fail "keyscan did not find the keys in the daemon's memory"
[ "$rc" = 0 ] || fail "a secret of ovpnd sits in memory a core dump would hold"
stop_pid "$p"; stop_pid "$py"
say "private key and peer state only in MADV_DONTDUMP memory"

cp "$TMP/x.key" "$TMP/other.key"; chown 12345 "$TMP/other.key"; chmod 600 "$TMP/other.key"
sed "s|$TMP/x.key|$TMP/other.key|" "$TMP/x.conf" >"$TMP/other.conf"
out=$("$SRC/ovpnd" -t -c "$TMP/other.conf" 2>&1) && fail "a key file owned by uid 12345 was accepted"
echo "$out" | grep -q "private-key-file: $TMP/other.key: owned by uid 12345" || fail "unclear refusal: $out"
say "key file of another account: '$out'"
sed 's|public-key  = ".*"|public-key  = "X5yVvKNQjCSx0LFVnIPvWwREXMRYHI6G2CJO3dCfEVc="|' "$TMP/x.conf" >"$TMP/low.conf"
out=$("$SRC/ovpnd" -t -c "$TMP/low.conf" 2>&1) && fail "ovpnd -t accepted a key of small order"
echo "$out" | grep -q 'public-key: not a usable key: a point of small order' || fail "unclear refusal: $out"
say "peer key of small order: '$out'"

# --- point 9: ovpnctl and the terminal --------------------------------------
printf 'interface: \033]0;owned\007\033[2J\033[31mred\302\233\n' >"$TMP/evil.reply"
"$TOOLS/ctl-fake" "$TMP/fake.sock" "$TMP/evil.reply" &
f=$!; track_pid $f
wait_for 5 test -S "$TMP/fake.sock" || fail "ctl-fake did not start"
"$SRC/ovpnctl" -s "$TMP/fake.sock" show >"$TMP/evil.out"
od -An -c "$TMP/evil.out" | grep -Eq '033|007|302' && fail "control characters reached the terminal: $(od -c "$TMP/evil.out")"
[ "$(cat "$TMP/evil.out")" = 'interface: ?]0;owned??[2J?[31mred??' ] || fail "ovpnctl printed '$(cat "$TMP/evil.out")'"
say "ovpnctl: escape sequences from the socket are shown as '?'"
exit 0

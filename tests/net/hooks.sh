#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Interface hooks: post-up adds an ip rule (%i: the interface) and pre-down
# removes it, on a clean stop and when the daemon is killed; post-down runs
# once the interface is gone. A failing pre-up or post-up stops the start
# with one clear line, runs nothing else and leaves nothing behind.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
two_hosts

# hooks_conf FILE PRE_UP POST_UP PRE_DOWN POST_DOWN
hooks_conf() {
	host_conf "$1" x x 10.77.0.1/24 y y "" 10.77.0.2/32
	cat >>"$1" <<CONF
pre-up    = "$2"
post-up   = "$3"
pre-down  = "$4"
post-down = "$5"
CONF
}
rule_there() { nsx X ip rule show pref 1234 | grep -q "iif ovpn-x lookup 77"; }

hooks_conf "$TMP/ok.conf" "echo pre %i >>$TMP/ran" \
	"ip rule add pref 1234 iif %i lookup 77 && echo post %i >>$TMP/ran" \
	"ip rule del pref 1234 && echo pre-down %i >>$TMP/ran" \
	"ip link show %i || echo post-down %i gone >>$TMP/ran"
for how in TERM KILL; do
	: >"$TMP/ran"
	start_ovpnd X "$TMP/ok.conf"
	wait_for 5 nsx X "$SRC/ovpnctl" -s "$TMP/x.sock" show || fail "$how: no control socket"
	rule_there || fail "$how: post-up did not add the rule: $(nsx X ip rule show)"
	kill -"$how" "$OVPND_PID"
	wait_for 10 grep -q "post-down ovpn-x gone" "$TMP/ran" ||
		fail "$how: post-down did not run after the interface went: $(cat "$TMP/ran")"
	rule_there && fail "$how: the rule is still there: $(nsx X ip rule show)"
	want="pre ovpn-x
post ovpn-x
pre-down ovpn-x
post-down ovpn-x gone"
	[ "$(cat "$TMP/ran")" = "$want" ] || fail "$how: hooks ran: $(cat "$TMP/ran")"
	wait "$OVPND_PID" 2>/dev/null
	say "SIG$how: post-up added the rule, pre-down removed it, post-down ran after"
done

# fails WHICH: a start where hook WHICH exits 3
fails() {
	rm -f "$TMP/x.sock"	# the killed daemon could not remove it
	: >"$TMP/ran"
	pre="echo pre >>$TMP/ran"; post="echo post >>$TMP/ran"
	[ "$1" = pre-up ] && pre="exit 3"
	[ "$1" = post-up ] && post="exit 3"
	hooks_conf "$TMP/$1.conf" "$pre" "$post" "echo pre-down >>$TMP/ran" \
		"echo post-down >>$TMP/ran"
	timeout 20 ip netns exec "$(ns_name X)" "$SRC/ovpnd" -f -c "$TMP/$1.conf" \
		>"$TMP/$1.out" 2>&1 && fail "$1: started although the hook failed"
	grep -q "ovpn-x: $1 hook failed (exit status 3) in $TMP/$1.conf" "$TMP/$1.out" ||
		fail "$1: said: $(cat "$TMP/$1.out")"
	nsx X ip link show ovpn-x >/dev/null 2>&1 && fail "$1: ovpn-x left behind"
	[ -e "$TMP/x.sock" ] && fail "$1: control socket left behind"
	[ "$(cat "$TMP/ran")" = "$2" ] || fail "$1: hooks ran: $(cat "$TMP/ran")"
	say "$1 failing: start stopped ($(grep "hook failed" "$TMP/$1.out")), nothing left, nothing else ran"
}
fails pre-up ""
fails post-up "pre"

#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The seccomp sandbox on running daemons:
# - on by default: /proc/PID/status shows Seccomp 2 (filter mode), ovpnctl
#   show names it (text and JSON), traffic and reload work under it;
# - a call outside the allowlist made from inside the daemon (an
#   LD_PRELOADed probe, no hook in ovpnd) kills it with SIGSYS: execve, a
#   packet socket, executable memory, a file opened for writing, mkdir;
# - sandbox = log: the same call is let through and the filter stays;
# - sandbox = false: no filter, and ovpnctl show says off;
# - on a kernel without seccomp (simulated) ovpnd refuses to start unless
#   sandbox = false, before touching the system.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
export OVPN_SANDBOX_KILLS_EXPECTED=1	# the probes below are killed on purpose
PROBE=$TOOLS/preload-probe.so
[ -f "$PROBE" ] || hard_error "no $PROBE (make check builds it)"
two_hosts
chmod 755 "$TMP"	# the dropped daemon reads its config on reload
host_conf "$TMP/x.conf" x x 10.77.0.1/24 y y 192.0.2.2:51820 10.77.0.2/32
host_conf "$TMP/y.conf" y y 10.77.0.2/24 x x 192.0.2.1:51820 10.77.0.1/32
start_ovpnd Y "$TMP/y.conf"; py=$OVPND_PID

seccomp_of() { sed -n 's/^Seccomp:[[:space:]]*//p' "/proc/$1/status"; }
start_ovpnd X "$TMP/x.conf"; px=$OVPND_PID
ping_ok X 10.77.0.2 || fail "no traffic under the sandbox"
[ "$(seccomp_of "$px")" = 2 ] || fail "Seccomp of ovpnd is '$(seccomp_of "$px")', want 2"
[ "$(seccomp_of "$py")" = 2 ] || fail "Seccomp of the second ovpnd is not 2"
"$SRC/ovpnctl" -s "$TMP/x.sock" show | grep -qx '  sandbox: on' || fail "ovpnctl show does not say sandbox: on"
[ "$("$SRC/ovpnctl" -s "$TMP/x.sock" show --json | jq -r .sandbox)" = on ] || fail "JSON sandbox is not on"
"$SRC/ovpnctl" -s "$TMP/x.sock" reload | grep -q '^reloaded' || fail "reload under the sandbox failed"
ping_ok X 10.77.0.2 || fail "no traffic after a reload under the sandbox"
stop_pid "$px" || fail "ovpnd did not stop cleanly under the sandbox"
grep -q 'removed 1 routes' "$TMP/ovpnd-X.log" || fail "no clean exit under the sandbox"
say "sandbox on by default: Seccomp 2, named in show, traffic, reload and exit work"

# probe CALL: start X with the probe, send SIGUSR1, print the exit status.
probe() {
	OVPND_WRAPPER="env LD_PRELOAD=$PROBE OVPN_PROBE_CALL=$1" start_ovpnd X "$2"
	p=$OVPND_PID
	# the tun comes up before the drop; the filter follows it
	wait_for 5 grep -q '^Seccomp:[[:space:]]*2' "/proc/$p/status" || { echo "no filter"; return; }
	kill -USR1 "$p"
	for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	if kill -0 "$p" 2>/dev/null; then
		echo alive
		stop_pid "$p"
	else
		wait "$p"; echo "exit $?"
	fi
}
calls="execve socket-packet mprotect-exec open-write mkdir"
# A sanitizer build lets its runtime open report files (ovpnd(8), SANDBOX).
grep -q '^#define OVPN_SANITIZERS 1' "$top_builddir/config.h" && calls="execve socket-packet mprotect-exec mkdir"
for call in $calls; do
	: >"$TMP/ovpnd-X.log"
	st=$(probe "$call" "$TMP/x.conf")
	[ "$st" = "exit 159" ] || fail "$call outside the list: daemon $st, want killed by SIGSYS (exit 159)"
	grep -q "probe: calling $call" "$TMP/ovpnd-X.log" || fail "the probe did not run for $call"
	grep -q "probe: survived" "$TMP/ovpnd-X.log" && fail "$call returned under the sandbox"
	nsx X ip link show ovpn-x >/dev/null 2>&1 && fail "tun left after the kill"
done
[ -e /tmp/ovpn-probe-never-created ] && { rm -f /tmp/ovpn-probe-never-created; fail "a file was created under the sandbox"; }
say "calls outside the list (execve, AF_PACKET, PROT_EXEC, open for write, mkdir) kill ovpnd with SIGSYS"

# A name-service module glibc loads on its first use maps code, which the
# filter refuses: hosts resolved by one (hesiod here, part of libc6) first
# at a reload must not kill the daemon. In X's own mount namespace (ip
# netns exec made it), nsswitch.conf names the module and resolv.conf a
# name server on X's loopback.
printf 'passwd: files\ngroup: files\nhosts: files hesiod dns\n' >"$TMP/nsswitch.conf"
echo 'nameserver 127.0.0.1' >"$TMP/resolv.conf"
cat >"$TMP/nss-wrap" <<'WRAP'
#!/bin/sh
mount --bind "$1/nsswitch.conf" /etc/nsswitch.conf && mount --bind "$1/resolv.conf" /etc/resolv.conf || exit 99
shift
exec "$@"
WRAP
chmod 755 "$TMP/nss-wrap"
OVPND_WRAPPER="$TMP/nss-wrap $TMP" start_ovpnd X "$TMP/x.conf"; p=$OVPND_PID
wait_for 5 grep -q '^Seccomp:[[:space:]]*2' "/proc/$p/status" || fail "no filter"
cp "$TMP/x.conf" "$TMP/x.conf.orig"
cat >>"$TMP/x.conf" <<CONF
peer "far" {
    public-key  = "$(keygen far; pubkey far)"
    endpoint    = "far.ovpn-test.invalid:51820"
    allowed-ips = {"10.77.5.0/24"}
}
CONF
out=$("$SRC/ovpnctl" -s "$TMP/x.sock" reload 2>&1)
# the name is looked up by the resolver thread, under the same filter
wait_for 10 grep -q "cannot resolve 'far.ovpn-test.invalid'" "$TMP/ovpnd-X.log"
sleep 0.5	# a killed daemon closes its sockets before it is a zombie
state=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$p/status" 2>/dev/null)
[ -n "$state" ] && [ "$state" != Z ] || fail "a reload resolving through a name-service module killed ovpnd"
grep -q "cannot resolve 'far.ovpn-test.invalid'" "$TMP/ovpnd-X.log" ||
	fail "the reload did not try to resolve: $out"
cp "$TMP/x.conf.orig" "$TMP/x.conf"
stop_pid "$p" || fail "ovpnd did not stop after the reload"
say "a name-service module first used after the drop (hesiod) was loaded before the filter; the reload: '$out'"

sed 's/^log-level.*/log-level = "debug"\nsandbox = log/' "$TMP/x.conf" >"$TMP/log.conf"
: >"$TMP/ovpnd-X.log"
[ "$(probe mkdir "$TMP/log.conf")" = alive ] || fail "sandbox = log: the daemon died on mkdir"
grep -q 'probe: survived mkdir' "$TMP/ovpnd-X.log" || fail "sandbox = log: the call did not return"
say "sandbox = log: the call is let through (and logged by the kernel)"

sed 's/^log-level.*/sandbox = false/' "$TMP/x.conf" >"$TMP/off.conf"
start_ovpnd X "$TMP/off.conf"; po=$OVPND_PID
[ "$(seccomp_of "$po")" = 0 ] || fail "sandbox = false: Seccomp is $(seccomp_of "$po")"
"$SRC/ovpnctl" -s "$TMP/x.sock" show | grep -qx '  sandbox: off' || fail "show does not say sandbox: off"
stop_pid "$po"
say "sandbox = false: no filter, show says off"

out=$(nsx X "$TOOLS/no-seccomp" "$SRC/ovpnd" -f -c "$TMP/x.conf" 2>&1); rc=$?
[ "$rc" != 0 ] || fail "ovpnd started without seccomp and sandbox = true"
echo "$out" | grep -q 'sandbox: this kernel has no seccomp support.*set sandbox = false' ||
	fail "unclear refusal without seccomp: $out"
nsx X ip link show ovpn-x >/dev/null 2>&1 && fail "refused start left the tun behind"
OVPND_WRAPPER="$TOOLS/no-seccomp" start_ovpnd X "$TMP/off.conf"
stop_pid "$OVPND_PID" || fail "sandbox = false without seccomp did not run cleanly"
say "no seccomp in the kernel: '$(echo "$out" | head -n 1)'; runs with sandbox = false"
exit 0

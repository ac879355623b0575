#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Endpoints by name, against a real name server in the namespace (a stub
# that reads its zone file at each query, tests/tools/dns-stub.c):
# 1. a name that does not resolve at start: the daemon starts, shows the
#    peer "resolving" (text and JSON), retries, and connects once the
#    server learns the name, without a restart;
# 2. a reload whose new peer's name answers after 3 s: ping at 100/s
#    through the tunnel loses nothing and never waits (no lookup on the
#    event loop);
# 3. the peer's address changes and the name follows: the handshakes that
#    fail make the daemon look the name up again, and it reconnects;
# 4. a stop while the name server sits on a lookup (8 s) is not held up.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
two_hosts
keygen z; keygen w

# ip netns exec bind-mounts /etc/netns/NS/resolv.conf over /etc/resolv.conf
etc="/etc/netns/$(ns_name X)"
mkdir -p "$etc" || hard_error "mkdir $etc"
on_exit "rm -rf '$etc'"
printf 'nameserver 127.0.0.1\noptions timeout:10 attempts:1\n' >"$etc/resolv.conf"
: >"$TMP/zone"
nsbg X "$TOOLS/dns-stub" 127.0.0.1 53 "$TMP/zone" >"$TMP/dns.log" 2>&1
wait_for 5 sh -c "ip netns exec $(ns_name X) ss -uln | grep -q '127.0.0.1:53 '" ||
	hard_error "dns-stub did not start"

host_conf "$TMP/x.conf" x x 10.77.0.1/24 y y "y.ovpn.test:51820" 10.77.0.2/32
host_conf "$TMP/y.conf" y y 10.77.0.2/24 x x "" 10.77.0.1/32
chmod 755 "$TMP"; chmod 644 "$TMP"/*.conf	# the daemon re-reads its config as nobody
start_ovpnd Y "$TMP/y.conf"
export OVPN_TEST_RESOLVE_MAX=1 OVPN_TEST_TIMERS="rekey-timeout=1 keepalive-timeout=1"
start_ovpnd X "$TMP/x.conf"
unset OVPN_TEST_RESOLVE_MAX OVPN_TEST_TIMERS
XPID=$OVPND_PID
ctl() { nsx X "$SRC/ovpnctl" -s "$TMP/x.sock" "$@"; }

# 1. not there at start
wait_for 5 grep -q "peer y: cannot resolve 'y.ovpn.test'" "$TMP/ovpnd-X.log" ||
	fail "no lookup failure logged: $(cat "$TMP/ovpnd-X.log")"
kill -0 "$XPID" || fail "ovpnd exited on a name that does not resolve"
ctl show | grep -qx "  endpoint: resolving y.ovpn.test" || fail "show: $(ctl show)"
[ "$(ctl show --json | jq -r '.peers[0].resolving')" = true ] || fail "json: $(ctl show --json)"
wait_for 5 sh -c "[ \$(grep -c 'query y.ovpn.test 1' '$TMP/dns.log') -ge 3 ]" ||
	fail "not retried: $(cat "$TMP/dns.log")"
echo "y.ovpn.test 192.0.2.2" >"$TMP/zone"
t0=$(date +%s%N)
ping_ok X 10.77.0.2 || fail "no tunnel once the name resolved"
say "1: started with y.ovpn.test unresolvable ('resolving' in show and JSON, retried" \
	"$(grep -c 'query y.ovpn.test 1' "$TMP/dns.log") times); connected" \
	"$(( ($(date +%s%N) - t0) / 1000000 )) ms after the server learnt it"
ctl show | grep -qx "  endpoint: 192.0.2.2:51820" || fail "show after: $(ctl show)"
[ "$(ctl show --json | jq -r '.peers[0].resolving')" = false ] || fail "json after"

# 2. a reload waits 3 s on the name server: forwarding does not
echo "z.ovpn.test 192.0.2.9 3000" >>"$TMP/zone"
cat >>"$TMP/x.conf" <<CONF
peer "z" {
    public-key  = "$(pubkey z)"
    endpoint    = "z.ovpn.test:51820"
    allowed-ips = {"10.77.0.9/32"}
}
CONF
nsx X ping -n -q -i 0.01 -c 500 -W 1 10.77.0.2 >"$TMP/ping.out" 2>&1 &
PING=$!
track_pid $PING
sleep 1
t0=$(date +%s%N)
ctl reload | grep -q "reloaded" || fail "reload refused"
reload_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
wait "$PING"
read -r sent got < <(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' "$TMP/ping.out")
max=$(sed -n 's|.*= [0-9.]*/[0-9.]*/\([0-9.]*\)/.*|\1|p' "$TMP/ping.out")
grep -q "peer z: 'z.ovpn.test' is 192.0.2.9:51820" "$TMP/ovpnd-X.log" ||
	fail "the slow name was not resolved: $(tail -5 "$TMP/ovpnd-X.log")"
[ "$sent" = 500 ] && [ "$got" = 500 ] || fail "ping during the reload: $got of $sent"
[ "${max%.*}" -lt 500 ] || fail "a ping waited ${max} ms during the reload"
[ "$reload_ms" -lt 1000 ] || fail "ovpnctl reload took $reload_ms ms"
say "2: reload with a 3 s lookup: $got/$sent pings at 100/s, max rtt $max ms, reload $reload_ms ms"

# 3. Y moves to 192.0.2.3 and the name follows
# (deleting the primary address first: it would take a secondary with it)
nsx Y ip addr del 192.0.2.2/24 dev eth-X
nsx Y ip addr add 192.0.2.3/24 dev eth-X
echo "y.ovpn.test 192.0.2.3" >"$TMP/zone"
t0=$(date +%s%N)
wait_for 20 nsx X ping -c 1 -W 1 10.77.0.2 || fail "not reconnected after Y moved"
grep -q "peer y: no answer: looking up 'y.ovpn.test' again" "$TMP/ovpnd-X.log" ||
	fail "no re-resolve logged"
ctl show | grep -qx "  endpoint: 192.0.2.3:51820" || fail "show after the move: $(ctl show)"
say "3: Y moved; the name was looked up again and the tunnel back in" \
	"$(( ($(date +%s%N) - t0) / 1000000 )) ms"

# 4. a stop is not held up by a lookup in progress
echo "w.ovpn.test 192.0.2.10 8000" >>"$TMP/zone"
cat >>"$TMP/x.conf" <<CONF
peer "w" {
    public-key  = "$(pubkey w)"
    endpoint    = "w.ovpn.test:51820"
    allowed-ips = {"10.77.0.10/32"}
}
CONF
ctl reload | grep -q "reloaded" || fail "reload with w refused"
wait_for 5 grep -q "query w.ovpn.test" "$TMP/dns.log" || fail "w not asked for"
t0=$(date +%s%N)
stop_pid "$XPID" || fail "ovpnd did not stop (or failed) during a lookup"
stop_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$stop_ms" -lt 3000 ] || fail "the stop waited $stop_ms ms for the name server"
grep -q "ovpn-x: stopped" "$TMP/ovpnd-X.log" || fail "no clean stop"
say "4: stopped in $stop_ms ms while the name server held a lookup for 8 s"

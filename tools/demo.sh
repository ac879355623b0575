#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The lab ovpn grew from, for real on one machine (as root):
#   A (192.0.2.1) --sealed UDP--> B (192.0.2.2) --kernel forwarding--> C (192.0.2.3)
# three network namespaces on one bridge. A sends "Hello from client N" to C;
# only sealed datagrams cross A's wire; C prints what arrives and from whom.
# Exit status 0 when at least 95% of the hellos reached C with A's source
# address and A's wire carried no plaintext. Ctrl-C tears everything down.
#   HELLOS=N (default 100)  LAB_KEYS=DIR (default keys/ of the source tree)
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
TEST_NAME=demo
. "$top_srcdir/tests/net/lib.sh"

HELLOS=${HELLOS:-100}
SINK_PORT=7777
export LAB_KEYS=${LAB_KEYS:-$top_srcdir/keys}
export LAB_RUN=$TMP

need_root
need_cmd tcpdump

step() { printf '\n== %s\n' "$*"; }

step "keys in $LAB_KEYS"
for h in a b; do
	[ -f "$LAB_KEYS/lab-$h.key" ] || "$SRC/ovpn-keygen" -o "$LAB_KEYS/lab-$h.key" >/dev/null ||
		hard_error "ovpn-keygen -o $LAB_KEYS/lab-$h.key"
done
LAB_A_PUBKEY=$("$SRC/ovpn-keygen" --pubkey < "$LAB_KEYS/lab-a.key") || hard_error "public key of A"
LAB_B_PUBKEY=$("$SRC/ovpn-keygen" --pubkey < "$LAB_KEYS/lab-b.key") || hard_error "public key of B"
export LAB_A_PUBKEY LAB_B_PUBKEY
echo "A: $LAB_A_PUBKEY"
echo "B: $LAB_B_PUBKEY"

step "three hosts on one bridge: A 192.0.2.1, B 192.0.2.2, C 192.0.2.3"
bridge_ns lan
for h in A B C; do ns_add "$h"; done
attach A 192.0.2.1/24
attach B 192.0.2.2/24
attach C 192.0.2.3/24
nsx B sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0

step "ovpnd on B (relay) and A (client)"
start_ovpnd B "$top_srcdir/conf/lab-b.conf"
start_ovpnd A "$top_srcdir/conf/lab-a.conf"
nsx B sysctl -qw net.ipv4.conf.ovpn-b.rp_filter=0
echo "A routes C into its tun:  $(nsx A ip route get 192.0.2.3 | head -n 1)"

step "C listens on UDP $SINK_PORT; A's wire is captured"
nsbg C "$TOOLS/lab-sink" -n "$HELLOS" -t 20 "$SINK_PORT" >"$TMP/sink.out" 2>&1
sink_pid=$BG_PID
nsbg A tcpdump -i eth0 --immediate-mode -U -n -s 0 -w "$TMP/a-wire.pcap" udp 2>"$TMP/tcpdump.log"
wait_for 5 grep -q listening "$TMP/tcpdump.log" || fail "tcpdump did not start"

step "A sends $HELLOS hellos to C (192.0.2.3:$SINK_PORT)"
nsx A "$TOOLS/lab-sender" -c "$HELLOS" -i 10 192.0.2.3 "$SINK_PORT"
wait_for 10 sh -c "[ \$(wc -l < '$TMP/sink.out') -ge $HELLOS ]"
kill "$sink_pid" 2>/dev/null; wait "$sink_pid" 2>/dev/null
sleep 0.5

step "what C received (first and last lines)"
head -n 3 "$TMP/sink.out"; echo "..."; tail -n 2 "$TMP/sink.out"
got=$(grep -c '^192\.0\.2\.1: Hello from client [0-9]*$' "$TMP/sink.out")
echo "$got of $HELLOS hellos reached C from A's address 192.0.2.1"

step "A's wire"
datagrams=$(tcpdump -r "$TMP/a-wire.pcap" -n 'udp and host 192.0.2.2' 2>/dev/null | wc -l)
plaintext=$(grep -a -c 'Hello from client' "$TMP/a-wire.pcap")
echo "$datagrams UDP datagrams between A and B; $plaintext carried the plaintext hello"
echo "first sealed data datagram on A's wire:"
tcpdump -r "$TMP/a-wire.pcap" -n -x -c 1 'udp and dst host 192.0.2.2 and udp[8] = 4' 2>/dev/null | head -n 4

if [ -S "$LAB_RUN/a.sock" ] && [ -x "$SRC/ovpnctl" ]; then
	step "daemon state (ovpnctl show)"
	echo "-- on A:"
	nsx A "$SRC/ovpnctl" -s "$LAB_RUN/a.sock" show
	echo "-- on B:"
	nsx B "$SRC/ovpnctl" -s "$LAB_RUN/b.sock" show
fi

step "result"
ok=1
[ "$got" -ge $(( HELLOS * 95 / 100 )) ] || { echo "too few hellos reached C"; ok=0; }
[ "$plaintext" = 0 ] || { echo "plaintext seen on A's wire"; ok=0; }
[ "$datagrams" -gt 0 ] || { echo "no sealed datagrams seen on A's wire"; ok=0; }
[ $ok = 1 ] || fail "lab failed"
echo "lab ok: $got/$HELLOS hellos delivered, A's wire sealed; tearing down"

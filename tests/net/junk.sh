#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Junk costs nothing: initiations with a wrong mac1, flooded from a peer's
# own address (another port), are dropped after the mac1 check alone: they
# spend neither that address's rate-limit bucket nor the load meter, so the
# peer's handshake completes at once and nobody is asked for a cookie.
# A flood of valid-mac1 initiations still gets cookie replies, and the DH
# work it causes stays bounded.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
heavy_test
need_cmd jq
pair_setup -L info
pair_start -n
show() { nsx Y "$SRC/ovpnctl" -s "$TMP/y.sock" show --json | jq -r "$1"; }

# 1000 bad-mac1 initiations a second for 6 s from 192.0.2.1, X's address.
nsbg X "$TOOLS/udp-flood" -r 1000 -t 6 -p 4 bad-mac1 192.0.2.2 51820 "$(pubkey y)" >"$TMP/bad.out" 2>&1
flood=$BG_PID
sleep 1.5
t0=$(date +%s%N)
# X's first initiation must do: a retry would come only after 5 s.
wait_for 4 nsx X ping -c 1 -W 1 10.77.0.2 || fail "X could not handshake during the bad-mac1 flood from its address"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
wait "$flood"
read -r _ sent _ replies _ _ <"$TMP/bad.out"
mac1=$(show '.drops.handshake_bad_mac1'); limited=$(show '.drops.rate_limited')
cookies=$(show '.counters.cookies_sent')
say "bad-mac1 flood: $sent sent, $replies answered, $mac1 counted bad-mac1, $limited rate-limited, $cookies cookies; X's handshake took $ms ms"
[ "$sent" -ge 3000 ] || fail "the flood reached only $sent datagrams (machine too busy?)"
[ "$replies" = 0 ] || fail "bad-mac1 initiations were answered ($replies)"
[ "$mac1" -ge $((sent / 2)) ] || fail "bad mac1 not counted ($mac1 of $sent)"
[ "$limited" = 0 ] || fail "junk spent the rate limit ($limited rate-limited)"
[ "$cookies" = 0 ] || fail "junk put the daemon under load ($cookies cookie replies)"
[ "$(show '.peers[0].drops.handshake_bad_mac2')" = 0 ] || fail "X was asked for a cookie"

# Valid mac1, random contents, from 16 ports: cookies, and bounded DH work.
dh0=$(show '.drops.handshake_invalid + .drops.handshake_unknown_peer')
nsbg X "$TOOLS/udp-flood" -r 1000 -t 5 -p 16 hs 192.0.2.2 51820 "$(pubkey y)" >"$TMP/hs.out" 2>&1
hsflood=$BG_PID
wait "$hsflood"
read -r _ hsent _ _ _ hcookies <"$TMP/hs.out"
dh=$(( $(show '.drops.handshake_invalid + .drops.handshake_unknown_peer') - dh0 ))
say "valid-mac1 flood: $hsent sent, $hcookies cookie replies, $dh reached the DH"
[ "$hsent" -ge 2500 ] || fail "the flood reached only $hsent datagrams (machine too busy?)"
[ "$hcookies" -gt 0 ] || fail "no cookie replies under a valid-mac1 flood"
# Below the load threshold (50 a second) each gets a DH; above it none
# without a cookie: at most the threshold's worth in the first two seconds.
[ "$dh" -le 110 ] || fail "$dh initiations reached the DH: not bounded"
nsx X ping -c 2 -i 0.2 -W 1 10.77.0.2 >/dev/null || fail "the tunnel suffered"
exit 0

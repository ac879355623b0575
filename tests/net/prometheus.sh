#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# metrics-listen on a running daemon: a real Prometheus server in Y's
# namespace scrapes GET /metrics every 0.5 s and its query API returns
# the peer's rx bytes after traffic, equal to ovpnctl's count; hostile
# HTTP clients (garbage, other methods and paths, an endless head, a
# silent connection, a flood of connections) get an error status or a
# close, and the tunnel and the scrape go on. Bad metrics-listen values
# are config errors.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
need_root
need_cmd jq curl prometheus
pair_setup -l
sed -i '1a metrics-listen   = "127.0.0.1:9586"' "$TMP/y.conf"

# Bad values: one clear error line each, naming file, line and value.
for v in localhost:9586 127.0.0.1 127.0.0.1:0 "[::1]" 300.1.1.1:9586 ""; do
	sed "s/^metrics-listen .*/metrics-listen = \"$v\"/" "$TMP/y.conf" >"$TMP/bad.conf"
	err=$("$SRC/ovpnd" -t -c "$TMP/bad.conf" 2>&1) && fail "metrics-listen '$v' accepted"
	{ echo "$err" | grep -q "bad.conf:2: metrics-listen: " && echo "$err" | grep -qF "'$v'" &&
		[ "$(echo "$err" | wc -l)" = 1 ]; } || fail "metrics-listen '$v': $err"
done
say "bad metrics-listen refused: $err"
"$SRC/ovpnd" -t -c "$TMP/y.conf" >/dev/null || fail "a good metrics-listen refused"

pair_start -n
URL=http://127.0.0.1:9586/metrics
wait_for 5 nsx Y curl -sf "$URL" || fail "GET /metrics does not answer"
nsx Y curl -sf "$URL" >"$TMP/scrape.txt"
promtool check metrics <"$TMP/scrape.txt" || fail "promtool check metrics on the scrape"
hdr=$(nsx Y curl -sI "$URL" | tr -d '\r')
echo "$hdr" | grep -q '^Content-Type: text/plain; version=0.0.4' || fail "HEAD: $hdr"

cat >"$TMP/prom.yml" <<YML
global:
  scrape_interval: 500ms
  scrape_timeout: 400ms
scrape_configs:
  - job_name: ovpn
    static_configs:
      - targets: ['127.0.0.1:9586']
YML
nsbg Y prometheus --config.file="$TMP/prom.yml" --storage.tsdb.path="$TMP/tsdb" \
	--web.listen-address=127.0.0.1:9090 >"$TMP/prometheus.log" 2>&1
wait_for 30 nsx Y curl -sf http://127.0.0.1:9090/-/ready || fail "prometheus did not become ready"

ping_ok X 10.77.0.2 || fail "no traffic through the tunnel"
nsx X ping -c 20 -i 0.02 -s 1000 10.77.0.2 >/dev/null || fail "pings lost"
want=$(nsx Y "$SRC/ovpnctl" -s "$TMP/y.sock" show --json | jq -r '.peers[0].rx_bytes')
[ "$want" -gt 20000 ] || fail "too little traffic counted: $want"
query() {
	nsx Y curl -sf http://127.0.0.1:9090/api/v1/query \
		--data-urlencode 'query=ovpn_peer_rx_bytes_total{job="ovpn",peer="x",interface="ovpn-y"}' |
		jq -r '.data.result[0].value[1] // empty'
}
got=
end=$((SECONDS + 20))
while [ $SECONDS -lt $end ]; do
	got=$(query)
	[ "$got" = "$want" ] && break
	sleep 0.3
done
[ "$got" = "$want" ] || fail "prometheus has rx bytes '$got', ovpnctl says $want"
up=$(nsx Y curl -sf http://127.0.0.1:9090/api/v1/query --data-urlencode 'query=up{job="ovpn"}' | jq -r '.data.result[0].value[1]')
[ "$up" = 1 ] || fail "prometheus reports the target down"
say "prometheus scraped ovpn_peer_rx_bytes_total{peer=\"x\"} = $got (ovpnctl: $want)"

# Hostile clients: each gets its status or a close, within the limits.
raw() { nsx Y timeout 6 bash -c "exec 3<>/dev/tcp/127.0.0.1/9586; printf '$1' >&3; head -c 200 <&3 | head -n 1" 2>/dev/null | tr -d '\r'; }
[ "$(raw 'POST /metrics HTTP/1.1\r\n\r\n')" = "HTTP/1.1 405 Method Not Allowed" ] || fail "POST not refused"
[ "$(raw 'GET /secret HTTP/1.1\r\n\r\n')" = "HTTP/1.1 404 Not Found" ] || fail "other path not 404"
[ "$(raw '\x16\x03\x01\x00\xa5\x01\n')" = "HTTP/1.1 400 Bad Request" ] || fail "TLS hello not 400"
[ "$(raw 'GET /metrics HTTP/1.1\r\nX: y\r\n folded\r\n\r\n')" = "HTTP/1.1 400 Bad Request" ] || fail "folded header not 400"
hdr_long=$(nsx Y curl -s -o /dev/null -w '%{http_code}' -H "X-Long: $(head -c 3000 /dev/zero | tr '\0' a)" "$URL" || true)
[ "$hdr_long" = 431 ] || fail "a 3000-byte header got '$hdr_long', not 431"
# Silent connections hold every slot until their deadline (3 s), then go.
t0=$(date +%s%N)
for _ in 1 2 3 4 5 6; do
	nsx Y timeout 8 bash -c 'exec 3<>/dev/tcp/127.0.0.1/9586; cat <&3 >/dev/null' 2>/dev/null &
	track_pid $!
done
sleep 0.5
nsx X ping -c 3 -i 0.1 -W 1 10.77.0.2 >/dev/null || fail "tunnel stalled while HTTP clients hog the slots"
wait_for 8 nsx Y curl -sf -m 1 "$URL" || fail "metrics-listen unusable after the silent clients"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
[ "$ms" -ge 2000 ] || fail "silent clients were cut after $ms ms, before their deadline"
say "garbage: 405, 404, 400, 431; silent clients cut after ${ms} ms; serving again"
nsx Y curl -sf "$URL" | promtool check metrics || fail "metrics no longer valid"
exit 0

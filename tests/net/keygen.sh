#!/bin/bash
# SPDX-License-Identifier: ISC
# ovpn-keygen: files and modes, overwrite rules, strict input, wg interop;
# ovpnd -t on a good and a bad config.
. "$(dirname "$0")/lib.sh"

KG=$SRC/ovpn-keygen
[ -x "$KG" ] || hard_error "$KG not built"
cd "$TMP" || hard_error "cd $TMP"
umask 022

mode() { stat -c %a "$1"; }
b64_ok() { [[ $1 =~ ^[A-Za-z0-9+/]{43}=$ ]]; }

# -o: private 0600, public 0644 beside it, public key on stdout
out=$("$KG" -o a.key) || fail "-o a.key failed"
[ "$(mode a.key)" = 600 ] || fail "a.key mode $(mode a.key), want 600"
[ "$(mode a.key.pub)" = 644 ] || fail "a.key.pub mode $(mode a.key.pub), want 644"
[ "$out" = "$(cat a.key.pub)" ] || fail "stdout differs from a.key.pub"
b64_ok "$out" || fail "public key not 44 chars of base64: $out"
[ "$("$KG" --pubkey < a.key)" = "$out" ] || fail "--pubkey of a.key differs from a.key.pub"

# no overwrite without --force; --force replaces both
old=$(cat a.key)
"$KG" -o a.key > /dev/null 2> err && fail "overwrote a.key without --force"
grep -q 'already exists' err || fail "no 'already exists' message: $(cat err)"
[ "$(wc -l < err)" = 1 ] || fail "more than one error line: $(cat err)"
[ "$(cat a.key)" = "$old" ] || fail "a.key changed by a refused overwrite"
rm a.key
"$KG" -o a.key > /dev/null 2> err && fail "overwrote a.key.pub without --force"
[ ! -e a.key ] || fail "a.key left behind without its .pub"
"$KG" -o a.key --force > new.pub || fail "--force failed"
[ "$(cat a.key)" != "$old" ] || fail "--force kept the old key"
[ "$(cat new.pub)" = "$(cat a.key.pub)" ] || fail "--force: .pub does not match stdout"
[ "$(mode a.key)" = 600 ] || fail "--force: mode $(mode a.key)"

# usage errors exit 2, help exits 0
"$KG" --bogus > /dev/null 2>&1; [ $? = 2 ] || fail "unknown option did not exit 2"
"$KG" --force > /dev/null 2>&1; [ $? = 2 ] || fail "--force without -o did not exit 2"
"$KG" extra > /dev/null 2>&1; [ $? = 2 ] || fail "extra argument did not exit 2"
"$KG" -h | grep -q 'usage:' || fail "-h prints no usage"

# stdout private key; warning when stdout is a file others can read
"$KG" > priv.txt 2> err || fail "genkey to stdout failed"
b64_ok "$(cat priv.txt)" || fail "stdout key malformed"
grep -q 'readable by group or others' err || fail "no warning for a 0644 output file"
( umask 077; "$KG" > priv2.txt 2> err2 ) || fail "genkey failed"
[ ! -s err2 ] || fail "warning for a 0600 file: $(cat err2)"
"$KG" 2> err3 | cat > /dev/null
[ ! -s err3 ] || fail "warning for a pipe: $(cat err3)"

# malformed input: exit 1, exactly one line, never echoing the input
good=$(cat priv.txt)
bad_input() {
	printf "$1" > in.txt
	"$KG" --pubkey < in.txt > out.txt 2> err; rc=$?
	[ "$rc" = 1 ] || fail "$2: exit $rc, want 1"
	[ ! -s out.txt ] || fail "$2: printed something"
	[ "$(wc -l < err)" = 1 ] || fail "$2: $(wc -l < err) error lines: $(cat err)"
	grep -q "${good:0:20}" err && fail "$2: error echoes the key"
	return 0
}
bad_input '' "empty input"
bad_input '\n' "empty line"
bad_input "${good:0:43}\n" "43 characters"
bad_input "${good}A\n" "45 characters"
bad_input "${good}\n\n" "two newlines"
bad_input "${good}\r\n" "CRLF"
bad_input " ${good}\n" "leading space"
bad_input "${good}junk\n" "trailing junk"
bad_input "${good:0:20}*${good:21}\n" "bad character"
bad_input "${good:0:43}A\n" "no padding"
[ "$("$KG" --pubkey < priv.txt)" ] || fail "a good key was refused"
printf '%s' "$good" | "$KG" --pubkey > /dev/null || fail "a key without newline was refused"

# --psk: 32 random bytes in base64 (wg genpsk's form), printed, or written
# to a file 0600 whatever the umask, with no .pub and nothing on stdout
p1=$("$KG" --psk 2>/dev/null) || fail "--psk failed"
b64_ok "$p1" || fail "--psk printed no key: $p1"
[ "$p1" != "$("$KG" --psk 2>/dev/null)" ] || fail "two --psk runs gave the same key"
( umask 000; "$KG" --psk -o s.psk > out.txt ) || fail "--psk -o s.psk failed"
[ "$(mode s.psk)" = 600 ] || fail "s.psk mode $(mode s.psk) under umask 000, want 600"
[ ! -s out.txt ] || fail "--psk -o printed something: $(cat out.txt)"
[ ! -e s.psk.pub ] || fail "--psk -o wrote a .pub"
b64_ok "$(cat s.psk)" || fail "s.psk is not one key: $(wc -c < s.psk) bytes"
old=$(cat s.psk)
"$KG" --psk -o s.psk > /dev/null 2> err && fail "--psk overwrote s.psk without --force"
grep -q 'already exists' err || fail "--psk: no 'already exists' message: $(cat err)"
"$KG" --psk -o s.psk --force || fail "--psk --force failed"
[ "$(cat s.psk)" != "$old" ] || fail "--psk --force kept the old key"
"$KG" --psk --pubkey > /dev/null 2>&1; [ $? = 2 ] || fail "--psk --pubkey did not exit 2"

# wireguard-tools interop, both ways
command -v wg > /dev/null 2>&1 || skip "wg (wireguard-tools) not installed"
w=$(wg genkey)
[ "$(printf '%s\n' "$w" | "$KG" --pubkey)" = "$(printf '%s\n' "$w" | wg pubkey)" ] ||
	fail "wg genkey | ovpn-keygen --pubkey differs from wg pubkey"
o=$("$KG" 2>/dev/null)
[ "$(printf '%s\n' "$o" | wg pubkey)" = "$(printf '%s\n' "$o" | "$KG" --pubkey)" ] ||
	fail "ovpn-keygen | wg pubkey differs from ovpn-keygen --pubkey"
[ "$(wg pubkey < a.key)" = "$(cat a.key.pub)" ] || fail "wg pubkey of a key file differs from .pub"
# wg genpsk and ovpn-keygen --psk write the same form (ovpnd -t reads both below)
( umask 077; wg genpsk > w.psk ) || fail "wg genpsk failed"
b64_ok "$(cat w.psk)" || fail "wg genpsk output is not 44 base64 characters"

# ovpnd -t: a good config passes, a bad one names file and line, exit 78
D=$SRC/ovpnd
[ -x "$D" ] || hard_error "$D not built"
"$KG" -o b.key > /dev/null || fail "-o b.key failed"
cat > good.conf <<CONF
private-key-file = "$TMP/a.key"
user = "root"
group = "root"
peer "b" {
    public-key = "$(cat b.key.pub)"
    allowed-ips = {"10.77.0.2/32"}
}
CONF
chmod 600 a.key
out=$("$D" -t -c good.conf 2> err) || fail "ovpnd -t on a good config failed: $(cat err)"
[ "$out" = "configuration ok" ] || fail "ovpnd -t printed '$out'"
sed 's|10.77.0.2/32|10.77.0.2/24|' good.conf > bad.conf
"$D" -t -c bad.conf > out.txt 2> err; rc=$?
[ "$rc" = 78 ] || fail "ovpnd -t on a bad config: exit $rc, want 78"
grep -q "bad.conf:6: allowed-ips: .*'10.77.0.2/24'" err || fail "no FILE:LINE message: $(cat err)"
[ ! -s out.txt ] || fail "bad config printed on stdout: $(cat out.txt)"

# a peer's preshared-key-file: ours and wg's load; a 0644 one names FILE:LINE
for f in s.psk w.psk; do
	sed "s|^    allowed-ips|    preshared-key-file = \"$TMP/$f\"\n&|" good.conf > psk.conf
	"$D" -t -c psk.conf > /dev/null 2> err || fail "ovpnd -t with $f: $(cat err)"
done
cp s.psk open.psk; chmod 644 open.psk
sed "s|^    allowed-ips|    preshared-key-file = \"$TMP/open.psk\"\n&|" good.conf > psk.conf
"$D" -t -c psk.conf > /dev/null 2> err; rc=$?
[ "$rc" = 78 ] || fail "ovpnd -t with a 0644 psk: exit $rc, want 78"
grep -q "psk.conf:6: preshared-key-file: .*open.psk: permissions 0644" err ||
	fail "no FILE:LINE message for a 0644 psk: $(cat err)"
grep -q "$(cut -c1-20 open.psk)" err && fail "the error quotes the psk"

# the annotated example stays a valid config (with our key and accounts)
sed -e "s|/etc/ovpn/keys/host.key|$TMP/a.key|" -e 's|"ovpn"|"root"|' \
	"$top_srcdir/conf/ovpn.conf" > example.conf
"$D" -t -c example.conf > out.txt 2> err || fail "conf/ovpn.conf does not load: $(cat err)"
say "ok"

#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The command-line conventions of the three tools (no root needed):
# - --help and -h print the help on standard output and exit 0;
# - --version and -V print "TOOL (ovpn) VERSION", the configured version;
# - a usage error exits non-zero with a line saying what was wrong, then the
#   help, all on standard error;
# - bash completion completes ovpnctl's commands (read from its --help) and
#   ovpn-keygen's options.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$top_builddir/config.h")
[ -n "$version" ] || hard_error "no PACKAGE_VERSION in config.h"

for tool in ovpnd ovpnctl ovpn-keygen; do
	for opt in --help -h; do
		"$SRC/$tool" "$opt" >"$TMP/out" 2>"$TMP/err" || fail "$tool $opt exited $?"
		grep -q "^usage: $tool" "$TMP/out" || fail "$tool $opt: no usage on stdout"
		[ -s "$TMP/err" ] && fail "$tool $opt wrote to stderr: $(cat "$TMP/err")"
		grep -q -- '--version' "$TMP/out" || fail "$tool $opt does not mention --version"
	done
	for opt in --version -V; do
		out=$("$SRC/$tool" "$opt") || fail "$tool $opt exited $?"
		[ "$out" = "$tool (ovpn) $version" ] || fail "$tool $opt: '$out'"
	done
done
say "--help and --version: stdout, exit 0, version $version"

# usage_error WANT_RC WANT_LINE TOOL ARGS...: exit WANT_RC, WANT_LINE first
# on stderr, the help after it, nothing on stdout.
usage_error() {
	want_rc=$1 want=$2; shift 2
	"$SRC/$@" >"$TMP/out" 2>"$TMP/err"; rc=$?
	[ "$rc" = "$want_rc" ] || fail "$*: exit $rc, want $want_rc"
	[ -s "$TMP/out" ] && fail "$*: wrote to stdout"
	grep -qF -- "$want" "$TMP/err" || fail "$*: no '$want' in: $(head -n 2 "$TMP/err")"
	grep -q '^usage: ' "$TMP/err" || fail "$*: no usage after the error"
}
usage_error 64 "no configuration file: -c FILE is required" ovpnd
usage_error 64 "unexpected argument 'extra'" ovpnd -c x.conf extra
usage_error 64 "unrecognized option '--bogus'" ovpnd --bogus
usage_error 2 "no command given" ovpnctl
usage_error 2 "unknown command 'frobnicate'" ovpnctl frobnicate
usage_error 2 "--force replaces an output file: it needs -o FILE" ovpn-keygen --force
usage_error 2 "--pubkey reads standard input" ovpn-keygen --pubkey -o "$TMP/k"
usage_error 2 "unexpected argument 'extra'" ovpn-keygen extra
say "usage errors name what was wrong"

bc=/usr/share/bash-completion/bash_completion
[ -r "$bc" ] || skip "needs bash-completion"
# complete LINE: the completions bash offers at the end of LINE.
complete_line() {
	PATH=$SRC:$PATH bash -c '
		. "$1"; . "$2"/completion/ovpnctl; . "$2"/completion/ovpn-keygen
		COMP_LINE=$3; COMP_POINT=${#COMP_LINE}
		read -r -a COMP_WORDS <<<"$COMP_LINE"
		[ "${COMP_LINE% }" != "$COMP_LINE" ] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		complete -p "${COMP_WORDS[0]}" >/dev/null || exit 1
		f=$(complete -p "${COMP_WORDS[0]}" | sed "s/.*-F \([^ ]*\) .*/\1/")
		"$f"; echo "${COMPREPLY[*]}"' sh "$bc" "$top_srcdir" "$1"
}
cmds=" $(complete_line 'ovpnctl ') "
for c in show reload; do
	case $cmds in *" $c "*) ;; *) fail "ovpnctl commands lack $c: '$cmds'" ;; esac
done
[ "$(complete_line 'ovpnctl -s /tmp/x.sock rel')" = reload ] || fail "ovpnctl -s SOCKET rel"
[ "$(complete_line 'ovpnctl show --j')" = --json ] || fail "ovpnctl show --j"
[ "$(complete_line 'ovpn-keygen --pu')" = --pubkey ] || fail "ovpn-keygen --pu"
say "bash completion: ovpnctl:$cmds; ovpn-keygen --pu -> --pubkey"

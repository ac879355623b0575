#!/bin/sh
# SPDX-License-Identifier: ISC
# Run each libFuzzer target for SECONDS (default 60) from its seed corpus;
# fail on any crash. Run from the build tree (after `make fuzz`) or pass
# FUZZ_BIN=dir holding the binaries.
#   tests/fuzz/run.sh 600
set -u
seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
bin=${FUZZ_BIN:-$(pwd)/tests/fuzz}
[ -x "$bin/fuzz_data" ] || bin=$(pwd)/fuzz
[ -x "$bin/fuzz_data" ] || bin=$(pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/ovpn-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
status=0
for target in fuzz_initiation fuzz_response fuzz_data fuzz_cookie fuzz_conf fuzz_key fuzz_control fuzz_http fuzz_icmp; do
	if [ ! -x "$bin/$target" ]; then
		echo "$target: not built (make fuzz)" >&2
		exit 99
	fi
	mkdir -p "$work/$target"
	echo "== $target for ${seconds}s"
	if ! "$bin/$target" -max_total_time="$seconds" \
		-artifact_prefix="$work/$target-" -print_final_stats=1 \
		"$work/$target" "$here/corpus/$target" 2>"$work/$target.log"; then
		echo "$target: FAILED" >&2
		tail -n 40 "$work/$target.log" >&2
		cp "$work/$target"-* . 2>/dev/null
		status=1
	fi
	grep -E 'stat::number_of_executed_units|Done [0-9]+ runs' "$work/$target.log"
done
exit $status

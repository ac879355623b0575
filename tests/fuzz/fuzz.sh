#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# Every libFuzzer target (one per parser of untrusted bytes) from its seed
# corpus for FUZZ_SECONDS each (default 8): any crash, leak or sanitizer
# report fails the test. Longer runs: tests/fuzz/run.sh SECONDS.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/lib.sh"
[ -x "$top_builddir/tests/fuzz/fuzz_data" ] || skip "fuzz targets not built (configure found no clang)"
heavy_test
cd "$TMP" || hard_error "no temp dir"
FUZZ_BIN="$top_builddir/tests/fuzz" sh "$top_srcdir/tests/fuzz/run.sh" "${FUZZ_SECONDS:-8}" >"$TMP/fuzz.log" 2>&1
rc=$?
grep -E '^== |Done [0-9]+ runs|FAILED' "$TMP/fuzz.log" | paste - - | sed 's/^/  /'
[ "$rc" = 0 ] || { tail -n 60 "$TMP/fuzz.log"; fail "a fuzz target failed"; }
exit 0

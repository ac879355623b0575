#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# The A->B->C lab (tools/demo.sh) as a test: >= 95% of the hellos reach C with
# A's source address and A's wire carries zero plaintext datagrams.
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
keys=$(mktemp -d) || exit 99
trap 'rm -rf "$keys"' EXIT
LAB_KEYS=$keys HELLOS=200 bash "$top_srcdir/tools/demo.sh"

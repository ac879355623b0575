#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# rekey.sh with workers = 2 on both sides: the keys change under traffic
# while the tun's batches are sealed on two threads (each with its clone
# of the keypair's AEAD context, replaced at each rekey).
export OVPN_TEST_WORKERS=2
. "${top_srcdir:-$(dirname "$0")/../..}/tests/net/rekey.sh"

#!/usr/bin/env bash
# SPDX-License-Identifier: ISC
# random-pubkeys.sh N: N random X25519 public keys in base64, one a line,
# for configs with many peers (any 32 bytes is a key; the few of low
# order come up with odds of 2^-250). One process, not N of ovpn-keygen.
set -eu
n=${1:?usage: random-pubkeys.sh N}
head -c $((32 * n)) /dev/urandom | od -An -v -tu1 -w32 | awk '
	BEGIN { b = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" }
	{
		s = ""; $33 = 0
		for (i = 1; i <= 32; i += 3) {
			v = $i * 65536 + $(i + 1) * 256 + $(i + 2)
			s = s substr(b, int(v / 262144) + 1, 1) substr(b, int(v / 4096) % 64 + 1, 1)
			s = s (i + 1 <= 32 ? substr(b, int(v / 64) % 64 + 1, 1) : "=")
			s = s (i + 2 <= 32 ? substr(b, v % 64 + 1, 1) : "=")
		}
		print s
	}'

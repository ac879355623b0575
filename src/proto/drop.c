/* SPDX-License-Identifier: ISC */
#include "config.h"

#include "drop.h"

const char *drop_reason_name(enum drop_reason reason)
{
	static const char *const names[DROP_REASON_COUNT] = {
		[DROP_NONE] = "none",
		[DROP_UNKNOWN_INDEX] = "unknown-index",
		[DROP_EXPIRED_SESSION] = "expired-session",
		[DROP_TOO_SHORT] = "too-short",
		[DROP_COUNTER_LIMIT] = "counter-limit",
		[DROP_BAD_TAG] = "bad-tag",
		[DROP_REPLAY] = "replay",
		[DROP_MALFORMED_INNER] = "malformed-inner",
		[DROP_SOURCE_NOT_ALLOWED] = "source-not-allowed",
		[DROP_HS_BAD_LENGTH] = "handshake-bad-length",
		[DROP_HS_BAD_MAC1] = "handshake-bad-mac1",
		[DROP_HS_BAD_MAC2] = "handshake-bad-mac2",
		[DROP_HS_UNKNOWN_PEER] = "handshake-unknown-peer",
		[DROP_HS_INVALID] = "handshake-invalid",
		[DROP_HS_PSK_MISMATCH] = "handshake-psk-mismatch",
		[DROP_HS_REPLAY] = "handshake-replay",
		[DROP_HS_NO_RESOURCES] = "handshake-no-resources",
		[DROP_HS_RATE_LIMITED] = "rate-limited",
		[DROP_COOKIE_INVALID] = "cookie-invalid",
	};

	if ((unsigned)reason >= DROP_REASON_COUNT)
		return "unknown";
	return names[reason];
}

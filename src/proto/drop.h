/* SPDX-License-Identifier: ISC */
/*
 * Why a received packet was dropped. Shared with the daemon, which keeps one
 * counter per reason and peer (ovpnctl show). The data-packet reasons follow
 * the receiver rules of PROTOCOL.md in their order.
 */
#ifndef OVPN_DROP_H
#define OVPN_DROP_H

enum drop_reason {
	DROP_NONE = 0,
	/* transport data (type 4), in the order the checks run */
	DROP_UNKNOWN_INDEX,	/* no live session has that receiver index */
	DROP_EXPIRED_SESSION,	/* the session passed REJECT_AFTER_TIME */
	DROP_TOO_SHORT,		/* shorter than header + tag (32 bytes) */
	DROP_COUNTER_LIMIT,	/* counter >= REJECT_AFTER_MESSAGES */
	DROP_BAD_TAG,		/* authentication failed */
	DROP_REPLAY,		/* counter seen already or behind the window */
	DROP_MALFORMED_INNER,	/* not IPv4/IPv6 or lengths do not fit */
	DROP_SOURCE_NOT_ALLOWED, /* checked by the daemon against allowed IPs */
	/* handshake messages (types 1 and 2) */
	DROP_HS_BAD_LENGTH,	/* wrong size or reserved bytes not zero */
	DROP_HS_BAD_MAC1,
	DROP_HS_BAD_MAC2,	/* under load: answer with a cookie reply */
	DROP_HS_UNKNOWN_PEER,	/* static key of no configured peer */
	DROP_HS_INVALID,	/* DH or AEAD failure in message 1 */
	DROP_HS_PSK_MISMATCH,	/* message 2 would not open: the pre-shared keys
				 * differ (or it was forged) */
	DROP_HS_REPLAY,		/* timestamp not newer than the last accepted */
	DROP_HS_NO_RESOURCES,	/* no free index */
	DROP_HS_RATE_LIMITED,	/* over the per-address handshake rate */
	/* cookie replies (type 3) */
	DROP_COOKIE_INVALID,	/* wrong size, unknown index or bad tag */
	DROP_REASON_COUNT
};

/* Short stable name ("bad-tag"), for logs and ovpnctl; never NULL. */
const char *drop_reason_name(enum drop_reason reason);

#endif

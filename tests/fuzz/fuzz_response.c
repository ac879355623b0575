/* SPDX-License-Identifier: ISC */
/* libFuzzer: handshake responses (type 2) into an initiator waiting for one. */
#include "config.h"

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_pair fp;
	static int ready;
	uint8_t msg[512], m1[HS_INITIATION_LEN];
	struct proto_peer *peer;
	size_t len;

	if (!ready) {
		fuzz_setup(&fp);
		ready = 1;
	}
	if (size < 1)
		return 0;
	if (!fp.ini_peer.hs.in_flight) {
		/* The last input completed a handshake: start over. */
		proto_peer_free(&fp.ini_peer);
		if (proto_peer_init(&fp.ini_peer, &fp.ini_host, fp.resp_host.public_key, NULL))
			fuzz_die("peer");
		fuzz_initiate(&fp, m1);
	}
	len = fuzz_message(msg, sizeof(msg), data, size, fp.ini_host.mac1_key);
	(void)proto_consume_response(&fp.ini_host, msg, len, 0,
				     (data[0] & 2) ? fuzz_cookie : NULL, &peer);
	(void)proto_timers_due(&fp.ini_peer, 1);
	return 0;
}

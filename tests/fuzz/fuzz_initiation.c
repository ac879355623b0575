/* SPDX-License-Identifier: ISC */
/* libFuzzer: handshake initiations (type 1) into a responder, and through
 * the handshake gate (hsgate.h) in front of it. */
#include "config.h"

#include <netinet/in.h>

#include "fuzz_common.h"
#include "hsgate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_pair fp;
	static int ready;
	static struct hsgate gate;
	static uint64_t now;
	struct sockaddr_in src = { .sin_family = AF_INET };
	uint8_t cookie[COOKIE_LEN];
	const uint8_t *need;
	uint8_t msg[512];
	struct proto_reply reply;
	size_t len;

	if (!ready) {
		fuzz_setup(&fp);
		if (hsgate_init(&gate, fp.resp_host.public_key) < 0)
			fuzz_die("hsgate_init");
		ready = 1;
	}
	if (size < 1)
		return 0;
	len = fuzz_message(msg, sizeof(msg), data, size, fp.resp_host.mac1_key);
	/* Forget the last timestamp so the vector initiation is new each time. */
	memset(fp.resp_peer.latest_timestamp, 0, TAI64N_LEN);
	/* Many inputs a "second": the gate goes under load and back. */
	now += (uint64_t)(data[0] >> 4) << 24;
	src.sin_port = (uint16_t)(data[0] & 3);
	(void)hsgate_check(&gate, &fp.resp_host,
			   &(struct hsgate_msg){ msg, len, (const struct sockaddr *)&src },
			   now, cookie, &need);
	(void)proto_consume_initiation(&fp.resp_host, msg, len, 0,
				       (data[0] & 2) ? fuzz_cookie : NULL, &reply);
	(void)proto_timers_due(&fp.resp_peer, 1);
	return 0;
}

/* libFuzzer: handshake initiations (type 1) into a responder. */
#include "config.h"

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_pair fp;
	static int ready;
	uint8_t msg[512];
	struct proto_reply reply;
	size_t len;

	if (!ready) {
		fuzz_setup(&fp);
		ready = 1;
	}
	if (size < 1)
		return 0;
	len = fuzz_message(msg, sizeof(msg), data, size, fp.resp_host.mac1_key);
	/* Forget the last timestamp so the vector initiation is new each time. */
	memset(fp.resp_peer.latest_timestamp, 0, TAI64N_LEN);
	(void)proto_consume_initiation(&fp.resp_host, msg, len, 0,
				       (data[0] & 2) ? fuzz_cookie : NULL, &reply);
	(void)proto_timers_due(&fp.resp_peer, 1);
	return 0;
}

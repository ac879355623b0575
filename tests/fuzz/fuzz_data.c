/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer: transport data (type 4) into a responder holding the vector
 * session. Mode byte 0: the rest is the datagram as received. Bit 0: the
 * rest is a plaintext, sealed by the initiator first, so the inner-packet
 * checks see fuzzed bytes. Bit 1: the rest also goes to ippkt_parse.
 * Bit 2: opened in the workers' three steps (proto_open_prepare, the tag,
 * proto_open_finish) instead of proto_consume_data.
 */
#include "config.h"

#include "fuzz_common.h"

#define FUZZ_MTU 1420

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What ovpnd with workers > 1 does, on one thread. */
static enum drop_reason open_split(struct proto_host *host, uint8_t *buf, size_t len,
				   struct proto_rx *rx)
{
	struct proto_opening o = { 0 };
	enum drop_reason why = proto_open_prepare(host, buf, len, 1, &o, rx);

	if (why != DROP_NONE)
		return why;
	o.opened = keypair_open_at(&o.kp->recv_aead, buf, len) == 0;
	return proto_open_finish(host, buf, len, 1, &o, rx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_pair fp;
	static int ready;
	static uint8_t buf[KEYPAIR_HEADER_LEN + 4096 + KEYPAIR_TAILROOM];
	struct proto_rx rx;
	struct ippkt ip;
	enum drop_reason why;
	size_t len;

	if (!ready) {
		fuzz_setup(&fp);
		fuzz_handshake(&fp);
		ready = 1;
	}
	if (size < 1)
		return 0;
	len = size - 1 > 4096 ? 4096 : size - 1;
	if (data[0] & 2)
		(void)ippkt_parse(data + 1, len, &ip);
	if (data[0] & 1) {
		memcpy(buf + KEYPAIR_HEADER_LEN, data + 1, len);
		if (proto_seal(&fp.ini_peer, buf, len, FUZZ_MTU, 1, &len) != PROTO_SEAL_OK)
			fuzz_die("seal");
	} else {
		memcpy(buf, data + 1, len);
	}
	if (data[0] & 4)
		why = open_split(&fp.resp_host, buf, len, &rx);
	else
		why = proto_consume_data(&fp.resp_host, buf, len, 1, &rx);
	if (why == DROP_NONE && rx.len && (rx.data < buf || rx.data + rx.len > buf + len))
		abort();
	(void)proto_timers_due(&fp.resp_peer, 2);
	return 0;
}

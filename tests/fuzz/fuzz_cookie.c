/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer: cookie replies (type 3). The input is opened as a reply from
 * the vector responder to a message whose mac1 is a fixed value; and, as a
 * handshake message answered under load, it goes through
 * cookie_reply_create, whose reply must open again.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cookie.h"
#include "endpoint.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cookie_checker checker;
	static uint8_t pub[32];
	static int ready;
	static const uint8_t mac1[16] = "fuzz-mac1-value";
	uint8_t cookie[COOKIE_LEN], reply[COOKIE_REPLY_LEN], again[COOKIE_LEN];
	struct endpoint src = { 0 };

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		memset(pub, 0x64, sizeof(pub));
		if (cookie_checker_init(&checker, pub) < 0)
			abort();
		ready = 1;
	}
	(void)cookie_reply_open(data, size, pub, mac1, cookie);
	if (size >= 8)
		(void)cookie_reply_index(data);
	src.in4.sin_family = AF_INET;
	src.in4.sin_port = htons(51820);
	if (size >= 8 + 32 && cookie_reply_create(&checker, data, size, &src.sa, 1, reply) == 0) {
		if (cookie_reply_open(reply, sizeof(reply), pub, data + size - 32, again) < 0)
			abort();
		if (cookie_for(&checker, &src.sa, 1, cookie) < 0 || memcmp(cookie, again, COOKIE_LEN))
			abort();
	}
	return 0;
}

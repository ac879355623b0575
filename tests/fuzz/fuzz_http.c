/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer: the metrics-listen HTTP reader. The input arrives in chunks
 * (the first byte sets the chunk size) into a buffer of the server's size,
 * judged after each as http.c does for a client, and answered.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[HTTP_MAX_REQUEST];
	size_t len = 0, chunk;
	struct strbuf body, out;
	enum http_result r = HTTP_MORE;
	int head;

	if (size < 1)
		return 0;
	chunk = (size_t)data[0] % 128 + 1;
	data++;
	size--;
	while (size && len < sizeof(in) && r == HTTP_MORE) {
		size_t n = chunk < size ? chunk : size;

		if (n > sizeof(in) - len)
			n = sizeof(in) - len;
		memcpy(in + len, data, n);
		len += n;
		data += n;
		size -= n;
		r = http_parse(in, len, &head);
		if (r > HTTP_TOO_LARGE || (len == sizeof(in) && r == HTTP_MORE))
			abort();
	}
	strbuf_init(&body);
	strbuf_init(&out);
	strbuf_printf(&body, "x 1\n");
	if (r != HTTP_MORE)
		http_respond(&out, r, &body, head);
	if (r == HTTP_OK && !head && (out.len < 4 || memcmp(out.data + out.len - 4, "x 1\n", 4)))
		abort();
	strbuf_free(&body);
	strbuf_free(&out);
	return 0;
}

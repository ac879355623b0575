/*
 * libFuzzer: control-socket requests. The input arrives in chunks (the
 * first byte sets the chunk size) into a request buffer of the daemon's
 * size, split into lines and parsed exactly as control.c does for a client.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "control.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char in[CONTROL_MAX_REQUEST];
	size_t len = 0, chunk;
	const char *line;

	if (size < 1)
		return 0;
	chunk = (size_t)data[0] % 64 + 1;
	data++;
	size--;
	while (size) {
		size_t n = chunk < size ? chunk : size;
		int rc;

		if (n > sizeof(in) - 1 - len)
			n = sizeof(in) - 1 - len;
		memcpy(in + len, data, n);
		len += n;
		data += n;
		size -= n;
		in[len] = '\0';
		rc = control_take_line(in, len, sizeof(in) - 1, &line);
		if (rc < 0 || rc > 0) {
			if (rc > 0 && control_parse(line) > CONTROL_RELOAD)
				abort();
			len = 0;	/* the daemon answers, then closes the client */
		}
	}
	return 0;
}

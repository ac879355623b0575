/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer: control-socket requests. The input arrives in chunks (the
 * first byte sets the chunk size) into a request buffer of the daemon's
 * size, split into lines and parsed exactly as control.c does for a client;
 * "set peer" arguments as ctlcmd.c parses them.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"
#include "ctlargs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What is accepted can go inside quotes of config text unharmed. */
static void fuzz_set_peer(const char *args)
{
	char copy[CONTROL_MAX_REQUEST], err[160];
	struct ctlcmd_set s;

	snprintf(copy, sizeof(copy), "%s", args);
	if (ctlargs_parse_set(copy, &s, err, sizeof(err)) < 0) {
		if (!memchr(err, '\0', sizeof(err)) || strchr(err, '\n'))
			abort();
		return;
	}
	if (!s.name || !s.value[CTLCMD_PUBLIC_KEY] || strpbrk(s.name, "\"\\{}#\n"))
		abort();
	for (int f = 0; f < CTLCMD_FIELDS; f++)
		if (s.value[f] && (strpbrk(s.value[f], "\"\\{}#\n ") || !*s.value[f]))
			abort();
}

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
			if (rc > 0 && !strncmp(line, "set peer ", 9))
				fuzz_set_peer(line + 9);
			len = 0;	/* the daemon answers, then closes the client */
		}
	}
	return 0;
}

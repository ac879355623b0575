/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ctlargs.h"

static const char *const keywords[CTLCMD_FIELDS] = {
	[CTLCMD_PUBLIC_KEY] = "public-key",
	[CTLCMD_ENDPOINT] = "endpoint",
	[CTLCMD_ALLOWED_IPS] = "allowed-ips",
	[CTLCMD_KEEPALIVE] = "persistent-keepalive",
	[CTLCMD_ROUTES] = "routes",
};

/* Words end up inside quotes of config text: nothing may break out. */
static bool word_ok(const char *w)
{
	for (; *w; w++)
		if ((unsigned char)*w < ' ' || *w == 0x7f || strchr("\"\\{}#", *w))
			return false;
	return true;
}

static int field_of(const char *word)
{
	for (int f = 0; f < CTLCMD_FIELDS; f++)
		if (!strcmp(word, keywords[f]))
			return f;
	return -1;
}

int ctlargs_parse_set(char *args, struct ctlcmd_set *out, char *err, size_t size)
{
	char *save = NULL, *w;

	memset(out, 0, sizeof(*out));
	out->name = strtok_r(args, " ", &save);
	if (!out->name) {
		snprintf(err, size, "no peer name");
		return -1;
	}
	while ((w = strtok_r(NULL, " ", &save))) {
		int f = field_of(w);
		char *v;

		if (f < 0) {
			snprintf(err, size, "unknown setting '%.64s' (public-key, endpoint, allowed-ips, "
				 "persistent-keepalive, routes)", w);
			return -1;
		}
		if (out->value[f]) {
			snprintf(err, size, "%s given twice", keywords[f]);
			return -1;
		}
		if (!(v = strtok_r(NULL, " ", &save))) {
			snprintf(err, size, "%s: no value", keywords[f]);
			return -1;
		}
		out->value[f] = v;
	}
	for (int f = -1; f < CTLCMD_FIELDS; f++) {
		const char *v = f < 0 ? out->name : out->value[f];

		if (v && !word_ok(v)) {
			snprintf(err, size, "%s: quotes, backslashes, braces, '#' and control characters "
				 "are not allowed '%.64s'", f < 0 ? "name" : keywords[f], v);
			return -1;
		}
	}
	if (!out->value[CTLCMD_PUBLIC_KEY]) {
		snprintf(err, size, "public-key is required");
		return -1;
	}
	return 0;
}


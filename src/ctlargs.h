/* SPDX-License-Identifier: ISC */
/* The arguments of control requests that carry some: `set peer`. Pure
 * parsing, no daemon state, so that it is fuzzed on its own. */
#ifndef OVPN_CTLARGS_H
#define OVPN_CTLARGS_H

#include <stddef.h>

/* The settings of `set peer NAME KEYWORD VALUE...`, NULL when not given. */
enum ctlcmd_field {
	CTLCMD_PUBLIC_KEY, CTLCMD_ENDPOINT, CTLCMD_ALLOWED_IPS, CTLCMD_KEEPALIVE, CTLCMD_ROUTES,
	CTLCMD_FIELDS
};

struct ctlcmd_set {
	const char *name;
	const char *value[CTLCMD_FIELDS];
};

/* Split args ("NAME KEYWORD VALUE ...", cut in place) into out; -1 with
 * one line in err when a keyword is unknown, repeated or lacks its value,
 * public-key is missing, or a word holds a quote, backslash, brace or
 * control character. The values themselves are checked by the config
 * parser. */
int ctlargs_parse_set(char *args, struct ctlcmd_set *out, char *err, size_t size);

#endif

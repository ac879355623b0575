/* SPDX-License-Identifier: ISC */
/* The running configuration as ovpn.conf text (`ovpnctl showconf`), and
 * the peer sections that `ovpnctl set peer` edits before the text is
 * parsed again with every check of the config file. */
#ifndef OVPN_SHOWCONF_H
#define OVPN_SHOWCONF_H

#include <stdbool.h>

#include "conf.h"
#include "endpoint.h"
#include "strbuf.h"

/* One peer section's values, as written in the file. */
struct showconf_peer {
	const char *name;
	char public_key[64];
	const char *preshared_key_file;		/* NULL: none */
	char endpoint[ENDPOINT_HOST_SIZE + 8];	/* "" for none */
	struct strbuf allowed_ips;		/* "A,B", empty for none */
	char keepalive[16];
	bool routes;
};

/* The values of cp; free with showconf_peer_free. */
void showconf_peer_init(struct showconf_peer *sp, const struct conf_peer *cp);
void showconf_peer_free(struct showconf_peer *sp);
void showconf_peer_render(struct strbuf *out, const struct showconf_peer *sp);
/* The whole of c, with the peer named skip replaced by with (NULL: left
 * out; with is appended when there is no such peer). No private key: its
 * file's path. */
void showconf_render(struct strbuf *out, const struct conf *c, const char *skip,
		     const struct showconf_peer *with);

#endif

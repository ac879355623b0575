/* SPDX-License-Identifier: ISC */
/* ovpn.conf text as libconfuse 3.3 needs it: comments and peer titles out. */
#ifndef OVPN_CONFTEXT_H
#define OVPN_CONFTEXT_H

#include <stddef.h>

/* A peer section's title and the line of its '{', in file order. */
struct conftext_peer {
	char *title;
	unsigned line;
};

struct conftext {
	struct conftext_peer *peers;
	size_t n_peers;
	size_t cap_peers;
};

/*
 * Blank out comments and the titles of "peer TITLE {" in text (in place,
 * lines kept), collecting the titles into out.  Each problem goes to
 * report as one message with its line; returns -1 if there was any.
 */
int conftext_prepare(char *text, size_t len, struct conftext *out,
		     void (*report)(unsigned line, const char *msg));
void conftext_free(struct conftext *t);

#endif

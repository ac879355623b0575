/* Control-socket requests beyond show and reload: show dump, metrics,
 * showconf, set peer, remove peer (and watch, which keeps the client). */
#ifndef OVPN_CTLCMD_H
#define OVPN_CTLCMD_H

#include <stdbool.h>

#include "strbuf.h"

struct daemon;


/* Answer request into reply when it is one of these: true; false leaves
 * it to the caller. */
bool ctlcmd_request(struct daemon *d, const char *request, struct strbuf *reply);

#endif

/* SPDX-License-Identifier: ISC */
/* What `ovpnd -t` checks beyond the file itself: everything start-up would
 * meet that can be known without changing the system. The interface (it
 * exists and is not a tun, or is a tun in use), the control socket's
 * directory, and the routes of routes = true peers (one that exists and is
 * not this daemon's). Each problem is one error line "FILE:LINE: option:
 * message 'value'". Needs no privilege. */
#ifndef OVPN_PREFLIGHT_H
#define OVPN_PREFLIGHT_H

#include "conf.h"

/* The number of problems found (0: start-up would meet none of these). */
int preflight_check(const struct conf *cfg);

#endif

/* The daemon proper: set up the tun, sockets and privileges, then run. */
#ifndef OVPN_DAEMON_H
#define OVPN_DAEMON_H

#include <stdbool.h>

#include "conf.h"

/* Runs until told to stop; returns the process exit status. */
int daemon_run(struct conf *cfg, bool foreground);

#endif

/* SPDX-License-Identifier: ISC */
/* Readiness for systemd's Type=notify: the sd_notify(3) datagram protocol,
 * written directly (one datagram to $NOTIFY_SOCKET; no libsystemd). */
#ifndef OVPN_NOTIFY_H
#define OVPN_NOTIFY_H

/* Send state ("READY=1\n...") to $NOTIFY_SOCKET if it is set: 0 when sent
 * or not asked for, -1 (logged) when it could not be sent. */
int notify_send(const char *state);

/* The daemon is set up: tun up, sockets bound, privileges dropped. */
int notify_ready(const char *ifname);

#endif

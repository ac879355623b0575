/* SPDX-License-Identifier: ISC */
/* Process-wide hardening done first thing in main, before any secret or
 * privileged resource exists. */
#ifndef OVPN_HARDEN_H
#define OVPN_HARDEN_H

/* Close every descriptor above stderr (a launcher's leaks must not reach
 * the unprivileged process) and make the process non-dumpable (no core
 * file, no ptrace or /proc/PID/mem by its own uid). 0 or -1 (logged). */
int harden_start(void);

#endif

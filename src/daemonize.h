/* SPDX-License-Identifier: ISC */
/* Running in the background: the parent waits until the daemon is set up
 * and exits with a status that says whether start-up succeeded. */
#ifndef OVPN_DAEMONIZE_H
#define OVPN_DAEMONIZE_H

/* Fork; the parent waits for daemonize_ready() or the child's exit and
 * exits with 0 or the child's status. Returns (in the child, now a session
 * leader) the fd to pass to daemonize_ready, or -1 if the fork failed. */
int daemonize_begin(void);
/* Set-up succeeded: release the parent, detach stdio. */
void daemonize_ready(int fd);

/* Write the process id to path; 0 or -1 (logged). */
int pidfile_write(const char *path);

#endif

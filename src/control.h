/* SPDX-License-Identifier: ISC */
/* The control socket: a unix stream socket where ovpnctl asks for status or
 * a reload. Every request is untrusted: one line of at most
 * CONTROL_MAX_REQUEST bytes, a bounded number of clients, each with a
 * deadline; replies are written without blocking the data path. */
#ifndef OVPN_CONTROL_H
#define OVPN_CONTROL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#include "loop.h"
#include "strbuf.h"

#define CONTROL_MAX_REQUEST 1024
#define CONTROL_MAX_CLIENTS 8
#define CONTROL_CLIENT_TIMEOUT_NS (UINT64_C(5) * 1000000000)

/* What ovpnctl may ask. */
enum control_cmd {
	CONTROL_UNKNOWN = 0,
	CONTROL_SHOW,
	CONTROL_SHOW_JSON,
	CONTROL_RELOAD,
};

/* The command of one request line (without its newline). */
enum control_cmd control_parse(const char *line);
/* Find the first request line in the len bytes at in (the buffer holds
 * cap bytes): 1 with *line NUL-terminated in place ("" when the line holds
 * a NUL byte: no request at all), 0 when more bytes are needed, -1 when
 * the buffer is full and no newline came. */
int control_take_line(char *in, size_t len, size_t cap, const char **line);

/* Fill reply for one request line (without its newline). */
typedef void (*control_handler)(void *ctx, const char *request, struct strbuf *reply);

struct control;

/* Who may connect, checked with SO_PEERCRED on every connection: root, the
 * daemon's account, and, with control-group, that group's members. */
struct control_access {
	uid_t uid;		/* the daemon's account */
	gid_t gid;		/* the socket file's group (and its directory's) */
	bool group_allowed;	/* members of gid too (control-group is set) */
};

struct control_client {
	struct loop_fd lfd;		/* fd < 0: slot free */
	struct control *ctl;
	char in[CONTROL_MAX_REQUEST];
	size_t in_len;
	struct strbuf out;
	size_t out_off;
	struct timer timer;		/* closed when it fires */
};

struct control {
	struct loop_fd lfd;
	struct loop *loop;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	control_handler handler;
	void *ctx;
	/* Set after control_open, or NULL: 1 when it took the client's fd
	 * for request (a stream such as watch), 0 to answer as usual. */
	int (*adopt)(void *ctx, const char *request, int fd);
	uint64_t rejected;		/* connections refused: all slots busy */
	uint64_t denied;		/* connections refused: credentials */
	struct control_access access;
	struct control_client clients[CONTROL_MAX_CLIENTS];
};

/* Not open, no client; requests go to handler(ctx, ...). */
void control_init(struct control *c, control_handler handler, void *ctx);
/* Create the socket at path (mode 0660, group access->gid, created so
 * rather than changed by path; a missing parent directory made root's,
 * 0750, same group; a stale socket replaced, a live one refused) and
 * watch it in loop; the clients' deadlines go in the loop's timer queue.
 * 0 or -1 (logged). */
int control_open(struct control *c, struct loop *loop, const char *path,
		 const struct control_access *access);
/* The SO_PEERCRED check of a connection; *uid is the peer's. */
bool control_peer_allowed(const struct control_access *a, int fd, uid_t *uid);
/* Close every client and the socket, and remove the socket file. */
void control_close(struct control *c);

#endif

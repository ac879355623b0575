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

#define CONTROL_MAX_REQUEST 256
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
	uint64_t rejected;		/* connections refused: all slots busy */
	struct control_client clients[CONTROL_MAX_CLIENTS];
};

/* Not open, no client; requests go to handler(ctx, ...). */
void control_init(struct control *c, control_handler handler, void *ctx);
/* Create the socket at path (mode 0660, owned by uid:gid; parent directory
 * created 0755 if missing; a stale socket replaced, a live one refused) and
 * watch it in loop; the clients' deadlines go in the loop's timer queue.
 * 0 or -1 (logged). */
int control_open(struct control *c, struct loop *loop, const char *path, uid_t uid, gid_t gid);
/* Close every client and the socket, and remove the socket file. */
void control_close(struct control *c);

#endif

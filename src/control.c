/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control.h"
#include "log.h"
#include "timerq.h"

static void control_client_close(struct control_client *cl)
{
	if (cl->lfd.fd < 0)
		return;
	loop_del(cl->ctl->loop, &cl->lfd);
	timerq_remove(&cl->ctl->loop->timers, &cl->timer);
	close(cl->lfd.fd);
	cl->lfd.fd = -1;
	strbuf_free(&cl->out);
}

/* Write what is pending; close when all is out or the peer is gone. */
static void control_client_flush(struct control_client *cl)
{
	while (cl->out_off < cl->out.len) {
		ssize_t n = send(cl->lfd.fd, cl->out.data + cl->out_off,
				 cl->out.len - cl->out_off, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			loop_mod(cl->ctl->loop, &cl->lfd, EPOLLOUT);
			return;
		}
		if (n <= 0)
			break;
		cl->out_off += (size_t)n;
	}
	control_client_close(cl);
}

static void control_client_reply(struct control_client *cl, const char *request)
{
	if (cl->ctl->adopt) {
		/* Out of the loop first: the adopter watches the fd itself. */
		loop_del(cl->ctl->loop, &cl->lfd);
		if (cl->ctl->adopt(cl->ctl->ctx, request, cl->lfd.fd)) {
			/* Its fd is the adopter's now, and so is its time. */
			timerq_remove(&cl->ctl->loop->timers, &cl->timer);
			cl->lfd.fd = -1;
			strbuf_free(&cl->out);
			return;
		}
		if (loop_add(cl->ctl->loop, &cl->lfd, EPOLLIN) < 0) {
			timerq_remove(&cl->ctl->loop->timers, &cl->timer);
			close(cl->lfd.fd);
			cl->lfd.fd = -1;
			strbuf_free(&cl->out);
			return;
		}
	}
	strbuf_reset(&cl->out);
	cl->ctl->handler(cl->ctl->ctx, request, &cl->out);
	if (cl->out.failed) {
		strbuf_reset(&cl->out);
		strbuf_printf(&cl->out, "error: out of memory\n");
	}
	cl->out_off = 0;
	control_client_flush(cl);
}

enum control_cmd control_parse(const char *line)
{
	static const struct {
		const char *text;
		enum control_cmd cmd;
	} table[] = {
		{ "show", CONTROL_SHOW },
		{ "show json", CONTROL_SHOW_JSON },
		{ "reload", CONTROL_RELOAD },
	};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (!strcmp(line, table[i].text))
			return table[i].cmd;
	return CONTROL_UNKNOWN;
}

int control_take_line(char *in, size_t len, size_t cap, const char **line)
{
	char *nl = memchr(in, '\n', len);
	bool has_nul;

	if (!nl)
		return len >= cap ? -1 : 0;
	has_nul = memchr(in, '\0', (size_t)(nl - in)) != NULL;
	*nl = '\0';
	if (nl > in && nl[-1] == '\r')
		nl[-1] = '\0';
	/* A NUL inside the line makes it no request at all. */
	*line = has_nul ? "" : in;
	return 1;
}

static void control_client_read(struct control_client *cl)
{
	const char *line;
	ssize_t n;
	int rc;

	n = recv(cl->lfd.fd, cl->in + cl->in_len, sizeof(cl->in) - 1 - cl->in_len, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		control_client_close(cl);
		return;
	}
	cl->in_len += (size_t)n;
	rc = control_take_line(cl->in, cl->in_len, sizeof(cl->in) - 1, &line);
	if (rc > 0) {
		control_client_reply(cl, line);
	} else if (rc < 0) {
		strbuf_reset(&cl->out);
		strbuf_printf(&cl->out, "error: request longer than %d bytes\n", CONTROL_MAX_REQUEST - 2);
		cl->out_off = 0;
		control_client_flush(cl);
	}
}

static void control_client_event(struct loop_fd *lfd, uint32_t events)
{
	struct control_client *cl = (struct control_client *)lfd;

	if (lfd->fd < 0)
		return;
	if (cl->out.len) {
		if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			control_client_flush(cl);
		return;
	}
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP))
		control_client_read(cl);
}

/* Whether gid is the peer's group or one of its supplementary groups. */
static bool control_peer_in_group(int fd, gid_t peer_gid, gid_t gid)
{
	gid_t groups[256];
	socklen_t len = sizeof(groups);

	if (peer_gid == gid)
		return true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return false;
	for (size_t i = 0; i < len / sizeof(groups[0]); i++)
		if (groups[i] == gid)
			return true;
	return false;
}

bool control_peer_allowed(const struct control_access *a, int fd, uid_t *uid)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || len != sizeof(cred))
		return false;
	*uid = cred.uid;
	return cred.uid == 0 || cred.uid == a->uid ||
	       (a->group_allowed && control_peer_in_group(fd, cred.gid, a->gid));
}

/* One error line to a client the credentials check refused, then close. */
static void control_deny(struct control *c, int fd, uid_t uid)
{
	char line[160];
	int n;

	c->denied++;
	log_ratelimited(LOG_LEVEL_WARNING, "control-socket: uid %u refused (not root, the "
			"daemon's account or in control-group)", (unsigned)uid);
	n = snprintf(line, sizeof(line), "error: permission denied: uid %u is not root, the "
		     "daemon's account or a member of control-group\n", (unsigned)uid);
	if (send(fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
		log_debug("control-socket: %s", strerror(errno));
	close(fd);
}

static void control_accept(struct loop_fd *lfd, uint32_t events)
{
	struct control *c = (struct control *)lfd;
	struct control_client *cl = NULL;
	uid_t uid = (uid_t)-1;
	int fd;

	(void)events;
	fd = accept4(c->lfd.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return;
	if (!control_peer_allowed(&c->access, fd, &uid)) {
		control_deny(c, fd, uid);
		return;
	}
	for (size_t i = 0; i < CONTROL_MAX_CLIENTS && !cl; i++)
		if (c->clients[i].lfd.fd < 0)
			cl = &c->clients[i];
	if (!cl) {
		c->rejected++;
		close(fd);
		return;
	}
	cl->lfd.fd = fd;
	cl->in_len = 0;
	cl->out_off = 0;
	strbuf_init(&cl->out);
	if (loop_add(c->loop, &cl->lfd, EPOLLIN) < 0) {
		close(fd);
		cl->lfd.fd = -1;
		return;
	}
	/* Room for every client was reserved at control_open. */
	timerq_set(&c->loop->timers, &cl->timer, timerq_now() + CONTROL_CLIENT_TIMEOUT_NS);
}

/* A client past its deadline. */
static void control_client_expired(struct timer *t, uint64_t now)
{
	(void)now;
	control_client_close(container_of(t, struct control_client, timer));
}

/* A socket file already there: refuse if a daemon answers, else remove it. */
static int control_clear_stale(const struct sockaddr_un *sun)
{
	struct stat st;
	int fd, live;

	if (lstat(sun->sun_path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		log_err("control-socket %s exists and is not a socket", sun->sun_path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	live = fd >= 0 && connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0;
	if (fd >= 0)
		close(fd);
	if (live) {
		log_err("control-socket %s is in use by another daemon", sun->sun_path);
		return -1;
	}
	unlink(sun->sun_path);
	return 0;
}

/* A missing parent directory is made here, root's and 0750 with the
 * socket's group, set on its descriptor (nothing by path after mkdir). */
static int control_make_parent(const char *path, gid_t gid)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;
	int fd, rc = -1;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0700) < 0) {
		if (errno == EEXIST)
			return 0;
		log_err("control-socket directory %s: %s", dir, strerror(errno));
		return -1;
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0 && fchown(fd, (uid_t)-1, gid) == 0 && fchmod(fd, 0750) == 0)
		rc = 0;
	else
		log_err("control-socket directory %s: %s", dir, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

/* Bind with the file created 0660 and of group gid from the start: the
 * file system takes the group from the fsgid, so no chown by path follows
 * (a swapped-in symlink would redirect it). */
static int control_bind(int fd, const struct sockaddr_un *sun, gid_t gid)
{
	mode_t old_umask = umask(0117);
	gid_t old_fsgid = (gid_t)setfsgid(gid);
	int rc, err;

	rc = bind(fd, (const struct sockaddr *)sun, sizeof(*sun));
	err = errno;
	if ((gid_t)setfsgid((gid_t)-1) != gid)
		log_warn("control-socket %s: cannot give it group %u (no CAP_SETGID)",
			 sun->sun_path, (unsigned)gid);
	setfsgid(old_fsgid);
	umask(old_umask);
	errno = err;
	return rc;
}

void control_init(struct control *c, control_handler handler, void *ctx)
{
	memset(c, 0, sizeof(*c));
	c->lfd.fd = -1;
	c->handler = handler;
	c->ctx = ctx;
	for (size_t i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		c->clients[i].lfd.fd = -1;
		c->clients[i].lfd.on_event = control_client_event;
		c->clients[i].ctl = c;
		timer_init(&c->clients[i].timer, control_client_expired);
	}
}

int control_open(struct control *c, struct loop *loop, const char *path,
		 const struct control_access *access)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char cwd[sizeof(sun.sun_path)];
	int fd = -1, n;

	c->access = *access;
	/* Absolute, so it can be removed at exit wherever the daemon is. */
	if (path[0] != '/' && getcwd(cwd, sizeof(cwd)))
		n = snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/%s", cwd, path);
	else
		n = snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if (n < 0 || (size_t)n >= sizeof(sun.sun_path)) {
		log_err("control-socket path too long: '%s'", path);
		return -1;
	}
	path = sun.sun_path;
	if (control_make_parent(path, access->gid) < 0 || control_clear_stale(&sun) < 0 ||
	    timerq_reserve(&loop->timers, loop->timers.cap + CONTROL_MAX_CLIENTS) < 0)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || control_bind(fd, &sun, access->gid) < 0 || listen(fd, 8) < 0)
		goto fail;
	c->lfd.fd = fd;
	c->lfd.on_event = control_accept;
	c->loop = loop;
	strcpy(c->path, path);
	return loop_add(loop, &c->lfd, EPOLLIN);
fail:
	log_err("control-socket %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -1;
}

void control_close(struct control *c)
{
	if (c->lfd.fd < 0)
		return;
	for (size_t i = 0; i < CONTROL_MAX_CLIENTS; i++)
		control_client_close(&c->clients[i]);
	loop_del(c->loop, &c->lfd);
	close(c->lfd.fd);
	c->lfd.fd = -1;
	/* After the drop the daemon may not be allowed to unlink in a root
	 * directory; a stale socket is replaced at the next start. */
	unlink(c->path);
}

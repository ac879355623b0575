/* SPDX-License-Identifier: ISC */
/* ovpnctl: ask a running ovpnd for its state over the control socket. */
#include "config.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "strbuf.h"

#define DEFAULT_SOCKET OVPN_RUNDIR "/ovpn0.sock"
#define RUN_DIR OVPN_RUNDIR
#define REPLY_TIMEOUT_MS 5000
#define REQUEST_MAX 1024

/* show IFACE / show all: the socket(s) in the run directory. */
static const char *show_target;
static enum { SHOW_TEXT, SHOW_JSON, SHOW_DUMP } show_format;

struct command {
	const char *name;
	const char *args;
	const char *help;
	int (*build)(int argc, char **argv, char *request, size_t size);
};

/* show [IFACE|all] [--json|--dump], in any order. */
static int build_show(int argc, char **argv, char *request, size_t size)
{
	static const char *const req[] = { "show\n", "show json\n", "show dump\n" };

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") && show_format == SHOW_TEXT)
			show_format = SHOW_JSON;
		else if (!strcmp(argv[i], "--dump") && show_format == SHOW_TEXT)
			show_format = SHOW_DUMP;
		else if (argv[i][0] != '-' && !show_target && !strchr(argv[i], '/'))
			show_target = argv[i];
		else
			return -1;
	}
	if (show_target && !strcmp(show_target, "all") && show_format == SHOW_DUMP)
		snprintf(request, size, "show dump named\n");
	else
		snprintf(request, size, "%s", req[show_format]);
	return 0;
}

static int build_reload(int argc, char **argv, char *request, size_t size)
{
	(void)argv;
	if (argc != 1)
		return -1;
	snprintf(request, size, "reload\n");
	return 0;
}

/* A command of no arguments: its name is the request. */
static int build_bare(int argc, char **argv, char *request, size_t size)
{
	if (argc != 1)
		return -1;
	snprintf(request, size, "%s\n", argv[0]);
	return 0;
}

/* set peer NAME ... / remove peer NAME: the words joined by spaces; each
 * word must be one (no spaces inside), the daemon checks the rest. */
static int build_peer_edit(int argc, char **argv, char *request, size_t size)
{
	size_t len = 0;

	if (argc < 3 || strcmp(argv[1], "peer") || (!strcmp(argv[0], "remove") && argc != 3) ||
	    (!strcmp(argv[0], "set") && argc % 2 == 0))
		return -1;
	for (int i = 0; i < argc; i++) {
		int n = snprintf(request + len, size - len, "%s%s", argv[i], i + 1 < argc ? " " : "\n");

		if (!argv[i][0] || strpbrk(argv[i], " \t\n") || n < 0 || (size_t)n >= size - len) {
			fprintf(stderr, "ovpnctl: %s\n", argv[i][0] && !strpbrk(argv[i], " \t\n") ?
				"arguments too long" : "an argument is empty or holds white space");
			exit(2);
		}
		len += (size_t)n;
	}
	return 0;
}

static bool streaming;	/* watch: no reply timeout, lines as they come */
static const char *save_file;	/* save FILE */

static int build_save(int argc, char **argv, char *request, size_t size)
{
	if (argc != 2 || !argv[1][0])
		return -1;
	save_file = argv[1];
	snprintf(request, size, "showconf\n");
	return 0;
}

static int build_watch(int argc, char **argv, char *request, size_t size)
{
	streaming = true;
	if (argc == 1)
		snprintf(request, size, "watch\n");
	else if (argc == 2 && !strcmp(argv[1], "--json"))
		snprintf(request, size, "watch json\n");
	else
		return -1;
	return 0;
}

static const struct command commands[] = {
	{ "show", "[IFACE|all] [--json|--dump]", "the interface and its peers: endpoints, handshakes, traffic, drops", build_show },
	{ "reload", "", "re-read the config file (as SIGHUP does)", build_reload },
	{ "metrics", "", "the counters in the Prometheus text format", build_bare },
	{ "showconf", "", "the running configuration in ovpn.conf syntax", build_bare },
	{ "set", "peer NAME public-key KEY [endpoint HOST:PORT] [allowed-ips A,B] [persistent-keepalive N] [routes on|off]",
	  "add or change a peer in the running daemon (not in its file)", build_peer_edit },
	{ "watch", "[--json]", "one line per event as it happens, until interrupted", build_watch },
	{ "save", "FILE", "write the running configuration to FILE, atomically (comments are not kept)", build_save },
	{ "remove", "peer NAME", "remove a peer from the running daemon (not from its file)", build_peer_edit },
};

static const struct option ctl_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: ovpnctl [-s SOCKET] COMMAND [ARGS]\n\n"
		   "  -s SOCKET      the daemon's control-socket (default " DEFAULT_SOCKET ")\n"
		   "  -h, --help     this help\n"
		   "  -V, --version  the version\n\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n           %s\n", commands[i].name, commands[i].args, commands[i].help);
}

static int connect_socket(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "ovpnctl: socket path too long: %s\n", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		fprintf(stderr, "ovpnctl: cannot connect to %s: %s (is ovpnd running?)\n",
			path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* The daemon's bytes are text; a control character could drive the
 * terminal (move the cursor, retitle, rewrite what was shown): each one
 * but newline and tab is shown as '?', C1 controls too (U+0080..U+009F in
 * UTF-8, or as single 8-bit bytes). Other UTF-8 passes. */
static void print_clean(char *buf, size_t len, FILE *out)
{
	static unsigned char prev;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)buf[i];

		if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
			buf[i] = '?';
		} else if (c >= 0x80 && c <= 0x9f && (prev < 0x80 || prev == 0xc2)) {
			buf[i] = '?';
			if (prev == 0xc2 && i > 0)
				buf[i - 1] = '?';
		}
		prev = c;
	}
	fwrite(buf, 1, len, out);
}

/* Copy the reply to stdout, or to stderr when the daemon reports an error. */
static int relay_reply(int fd)
{
	char buf[65536];
	bool first = true, error = false;
	ssize_t n;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, streaming ? -1 : REPLY_TIMEOUT_MS) <= 0) {
			if (streaming && errno == EINTR)
				continue;
			fprintf(stderr, "ovpnctl: no reply from the daemon within %d s\n", REPLY_TIMEOUT_MS / 1000);
			return 1;
		}
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (first && n >= 6 && !memcmp(buf, "error:", 6))
			error = true;
		first = false;
		print_clean(buf, (size_t)n, error ? stderr : stdout);
		if (streaming)
			fflush(stdout);
	}
	if (first) {
		fprintf(stderr, "ovpnctl: the daemon closed the connection without a reply\n");
		return 1;
	}
	if (streaming && !error) {
		fprintf(stderr, "ovpnctl: the daemon ended the stream (stopped, or this reader fell behind)\n");
		return 1;
	}
	return error ? 1 : 0;
}

/* One request to one daemon: its reply on stdout (errors on stderr). */
static int run_request(const char *path, const char *request)
{
	int fd = connect_socket(path), rc;

	if (fd < 0)
		return 1;
	/* A daemon that refuses us says why and closes, maybe before the
	 * request is written: read its line all the same. */
	if (send(fd, request, strlen(request), MSG_NOSIGNAL) != (ssize_t)strlen(request) &&
	    errno != EPIPE) {
		fprintf(stderr, "ovpnctl: write to %s: %s\n", path, strerror(errno));
		close(fd);
		return 1;
	}
	rc = relay_reply(fd);
	close(fd);
	return rc;
}

/* The whole reply of one request into out; 0, or -1 (reported). */
static int fetch_reply(const char *path, const char *request, struct strbuf *out)
{
	int fd = connect_socket(path);
	char buf[65536];
	ssize_t n;

	if (fd < 0)
		return -1;
	if (write(fd, request, strlen(request)) != (ssize_t)strlen(request))
		n = -1;
	else
		while ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
			if (n > 0)
				strbuf_append(out, buf, (size_t)n);
	close(fd);
	if (n < 0 || out->failed || !out->len) {
		fprintf(stderr, "ovpnctl: no configuration from %s\n", path);
		return -1;
	}
	if (out->len >= 6 && !memcmp(out->data, "error:", 6)) {
		fprintf(stderr, "%.*s", (int)out->len, out->data);
		return -1;
	}
	return 0;
}

/* Write data to file as a whole or not at all: a temporary file beside it
 * (the old file's mode and owner), fsync, rename over it, fsync the
 * directory. */
static int write_atomic(const char *file, const char *data, size_t len)
{
	char tmp[4096], dir[4096];
	struct stat st;
	int fd, dfd, ok;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", file) >= sizeof(tmp))
		return -1;
	snprintf(dir, sizeof(dir), "%s", file);
	fd = mkstemp(tmp);
	if (fd < 0)
		return -1;
	ok = stat(file, &st) < 0 || (fchmod(fd, st.st_mode & 07777) == 0 &&
				     (fchown(fd, st.st_uid, st.st_gid) == 0 || errno == EPERM));
	ok = ok && write(fd, data, len) == (ssize_t)len && fsync(fd) == 0;
	ok = close(fd) == 0 && ok && rename(tmp, file) == 0;
	if (!ok) {
		int e = errno;

		unlink(tmp);
		errno = e;
		return -1;
	}
	dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

static int run_save(const char *path, const char *request)
{
	struct strbuf conf;
	int rc = 1;

	strbuf_init(&conf);
	if (fetch_reply(path, request, &conf) == 0) {
		if (write_atomic(save_file, conf.data, conf.len) == 0) {
			printf("saved the running configuration to %s\n", save_file);
			rc = 0;
		} else {
			fprintf(stderr, "ovpnctl: cannot write %s: %s\n", save_file, strerror(errno));
		}
	}
	strbuf_free(&conf);
	return rc;
}

static const char *run_dir(void)
{
	const char *dir = getenv("OVPN_RUN_DIR");

	return dir && *dir ? dir : RUN_DIR;
}

static int is_socket_name(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return n > 5 && !strcmp(e->d_name + n - 5, ".sock");
}

/* show all: every *.sock of the run directory, in name order; as JSON
 * one array of the daemons' documents. */
static int run_all(const char *request)
{
	struct dirent **names;
	char path[4096];
	int n = scandir(run_dir(), &names, is_socket_name, alphasort), rc = 0;

	if (n <= 0) {
		fprintf(stderr, "ovpnctl: no control sockets (*.sock) in %s%s%s\n", run_dir(),
			n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
		if (n == 0)
			free(names);
		return 1;
	}
	if (show_format == SHOW_JSON)
		printf("[");
	for (int i = 0; i < n; i++) {
		if (i && show_format != SHOW_DUMP)
			printf(show_format == SHOW_JSON ? "," : "\n");
		fflush(stdout);
		snprintf(path, sizeof(path), "%s/%s", run_dir(), names[i]->d_name);
		rc |= run_request(path, request);
		free(names[i]);
	}
	free(names);
	if (show_format == SHOW_JSON)
		printf("]\n");
	return rc;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	char request[REQUEST_MAX], target[4096];
	int opt;

	while ((opt = getopt_long(argc, argv, "+s:hV", ctl_longopts, NULL)) != -1) {
		switch (opt) {
		case 's': path = optarg; break;
		case 'h': usage(stdout); return 0;
		case 'V': printf("ovpnctl (ovpn) %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;	/* getopt named it */
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "ovpnctl: no command given\n");
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[optind], commands[i].name))
			continue;
		if (commands[i].build(argc - optind, argv + optind, request, sizeof(request)) < 0) {
			fprintf(stderr, "usage: ovpnctl [-s SOCKET] %s %s\n", commands[i].name, commands[i].args);
			return 2;
		}
		if (show_target && path) {
			fprintf(stderr, "ovpnctl: give -s SOCKET or an interface name, not both\n");
			return 2;
		}
		if (show_target && !strcmp(show_target, "all"))
			return run_all(request);
		if (show_target) {
			snprintf(target, sizeof(target), "%s/%s.sock", run_dir(), show_target);
			path = target;
		}
		if (save_file)
			return run_save(path ? path : DEFAULT_SOCKET, request);
		return run_request(path ? path : DEFAULT_SOCKET, request);
	}
	fprintf(stderr, "ovpnctl: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return 2;
}

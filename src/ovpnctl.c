/* ovpnctl: ask a running ovpnd for its state over the control socket. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/ovpn/ovpn0.sock"
#define REPLY_TIMEOUT_MS 5000

struct command {
	const char *name;
	const char *args;
	const char *help;
	int (*build)(int argc, char **argv, char *request, size_t size);
};

static int build_show(int argc, char **argv, char *request, size_t size)
{
	if (argc == 1) {
		snprintf(request, size, "show\n");
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--json")) {
		snprintf(request, size, "show json\n");
		return 0;
	}
	return -1;
}

static int build_reload(int argc, char **argv, char *request, size_t size)
{
	(void)argv;
	if (argc != 1)
		return -1;
	snprintf(request, size, "reload\n");
	return 0;
}

static const struct command commands[] = {
	{ "show", "[--json]", "the interface and its peers: endpoints, handshakes, traffic, drops", build_show },
	{ "reload", "", "re-read the config file (as SIGHUP does)", build_reload },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: ovpnctl [-s SOCKET] COMMAND [ARGS]\n\n"
		   "  -s SOCKET   the daemon's control-socket (default " DEFAULT_SOCKET ")\n\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-7s %-9s %s\n", commands[i].name, commands[i].args, commands[i].help);
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

		if (poll(&pfd, 1, REPLY_TIMEOUT_MS) <= 0) {
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
	}
	if (first) {
		fprintf(stderr, "ovpnctl: the daemon closed the connection without a reply\n");
		return 1;
	}
	return error ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *path = DEFAULT_SOCKET;
	char request[128];
	int opt, fd, rc;

	while ((opt = getopt(argc, argv, "+s:h")) != -1) {
		switch (opt) {
		case 's': path = optarg; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind >= argc) {
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
		fd = connect_socket(path);
		if (fd < 0)
			return 1;
		/* A daemon that refuses us says why and closes, maybe before
		 * the request is written: read its line all the same. */
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
	fprintf(stderr, "ovpnctl: unknown command '%s'\n", argv[optind]);
	usage(stderr);
	return 2;
}

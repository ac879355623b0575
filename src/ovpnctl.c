/* ovpnctl: ask a running ovpnd for its state over the control socket. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define DEFAULT_SOCKET OVPN_RUNDIR "/ovpn0.sock"
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
		fwrite(buf, 1, (size_t)n, error ? stderr : stdout);
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
		fd = connect_socket(path);
		if (fd < 0)
			return 1;
		if (write(fd, request, strlen(request)) != (ssize_t)strlen(request)) {
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

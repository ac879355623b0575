/* SPDX-License-Identifier: ISC */
/* ovpnd: read the config, then hand over to the daemon. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <sysexits.h>
#include <unistd.h>

#include <sodium.h>

#include "aead.h"
#include "conf.h"
#include "daemon.h"
#include "daemonize.h"
#include "harden.h"
#include "log.h"
#include "preflight.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ovpnd -c FILE [-f] [-v] [-p PIDFILE]   run with the config FILE\n"
		"       ovpnd -t -c FILE          check FILE and exit\n"
		"  -c FILE  configuration file (required)\n"
		"  -t       check the configuration: 0 if good, %d after its errors\n"
		"  -f       stay in the foreground, log to stderr (default: detach, log to syslog)\n"
		"  -p FILE  write the daemon's process id to FILE\n"
		"  -v       log at debug level, whatever log-level says\n"
		"  -h, --help     this help\n"
		"  -V, --version  the version\n", EX_CONFIG);
}

/* path joined to the current directory (path need not exist yet). */
static char *absolute_path(const char *path)
{
	char *cwd = getcwd(NULL, 0), *out = NULL;

	if (cwd && asprintf(&out, "%s/%s", cwd, path) < 0)
		out = NULL;
	free(cwd);
	return out;
}

/* The bulk AEAD: the build's pick, or OVPN_TEST_AEAD="libsodium" |
 * "libcrypto" for tests and the bench (both ends must agree only on the
 * bytes, which both give). */
static int aead_choose(void)
{
	const char *env = getenv("OVPN_TEST_AEAD");
	enum aead_impl impl = AEAD_AUTO;

	if (env && (aead_impl_parse(env, &impl) < 0 || !aead_available(impl))) {
		log_err("OVPN_TEST_AEAD=%s: not libsodium or libcrypto, or not built in", env);
		return -1;
	}
	if (aead_setup(impl) < 0) {
		log_err("cannot set up the AEAD (%s)", aead_impl_name(impl));
		return -1;
	}
	if (env)
		log_warn("OVPN_TEST_AEAD is set: bulk AEAD from %s", aead_impl_name(impl));
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *file = NULL;
	char *abs_file = NULL, *abs_pidfile = NULL;
	bool check = false, foreground = false, verbose = false;
	struct daemon_opts opts = { .ready_fd = -1, .pidfile = NULL };
	struct conf cfg;
	int c, ret;

	log_set_ident("ovpnd");
	if (harden_start() < 0)
		return EXIT_FAILURE;
	if (sodium_init() < 0) {
		log_err("cannot initialise libsodium");
		return EXIT_FAILURE;
	}
	if (aead_choose() < 0)
		return EXIT_FAILURE;
	while ((c = getopt_long(argc, argv, "c:tfvp:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'c': file = optarg; break;
		case 't': check = true; break;
		case 'f': foreground = true; break;
		case 'p': opts.pidfile = optarg; break;
		case 'v': verbose = true; break;
		case 'h': usage(stdout); return EXIT_SUCCESS;
		case 'V': printf("ovpnd (ovpn) %s\n", PACKAGE_VERSION); return EXIT_SUCCESS;
		default: usage(stderr); return EX_USAGE;	/* getopt named it */
		}
	}
	if (!file || optind < argc) {
		if (!file)
			fprintf(stderr, "ovpnd: no configuration file: -c FILE is required\n");
		else
			fprintf(stderr, "ovpnd: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return EX_USAGE;
	}
	if (verbose)
		log_set_level(LOG_LEVEL_DEBUG);
	opts.verbose = verbose;
	/* An absolute path, so a reload finds it after the daemon left the
	 * directory it was started in. */
	abs_file = realpath(file, NULL);
	if (opts.pidfile && opts.pidfile[0] != '/') {
		/* Likewise for the pidfile, which is removed at exit from /. */
		abs_pidfile = absolute_path(opts.pidfile);
		if (!abs_pidfile) {
			log_err("pidfile %s: cannot make the path absolute", opts.pidfile);
			free(abs_file);
			return EX_USAGE;
		}
		opts.pidfile = abs_pidfile;
	}
	if (conf_load(abs_file ? abs_file : file, &cfg) < 0) {
		free(abs_file);
		free(abs_pidfile);
		return EX_CONFIG;
	}
	if (check && preflight_check(&cfg) > 0) {
		ret = EX_CONFIG;
	} else if (check) {
		printf("configuration ok\n");
		ret = fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	} else {
		if (!verbose)
			log_set_level(cfg.log_level);
		if (!foreground) {
			log_open_syslog("ovpnd");
			opts.ready_fd = daemonize_begin();
			if (opts.ready_fd < 0) {
				conf_free(&cfg);
				free(abs_file);
				free(abs_pidfile);
				return EXIT_FAILURE;
			}
		}
		ret = daemon_run(&cfg, &opts);
	}
	conf_free(&cfg);
	free(abs_file);
	free(abs_pidfile);
	return ret;
}

/* SPDX-License-Identifier: ISC */
/* ovpn-keygen: make a private key or a pre-shared key, or derive a public
 * key from a private one. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "key.h"
#include "log.h"

#define EXIT_USAGE 2

static void usage(FILE *out)
{
	fprintf(out,
		"usage: ovpn-keygen                   print a new private key\n"
		"       ovpn-keygen -o FILE [--force] write a new private key to FILE (0600)\n"
		"                                     and its public key to FILE.pub (0644),\n"
		"                                     print the public key\n"
		"       ovpn-keygen --pubkey          read a private key on standard input,\n"
		"                                     print its public key\n"
		"       ovpn-keygen --psk [-o FILE [--force]]\n"
		"                                     a new pre-shared key (like wg genpsk),\n"
		"                                     printed or written to FILE (0600)\n"
		"  -o, --output FILE  where to write the private (or pre-shared) key\n"
		"      --force        replace FILE (and FILE.pub) if they exist\n"
		"  -h, --help         this help\n"
		"  -V, --version      the version\n");
}

static int print_key(const uint8_t key[KEY_LEN])
{
	if (key_fd_write(STDOUT_FILENO, key) < 0) {
		log_err("cannot write to standard output: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Like wg genkey: a private key landing in a file others can read is
 * worth a warning, though the user asked for it. */
static void warn_if_stdout_exposed(void)
{
	struct stat st;

	if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) &&
	    (st.st_mode & (S_IRGRP | S_IROTH)))
		log_warn("warning: standard output is a file readable by group or "
			 "others (mode %04o); set umask 077 and try again",
			 (unsigned)(st.st_mode & 07777));
}

static int genkey_stdout(void)
{
	uint8_t priv[KEY_LEN];
	int ret;

	warn_if_stdout_exposed();
	key_generate(priv);
	ret = print_key(priv);
	sodium_memzero(priv, sizeof(priv));
	return ret;
}

/* A pre-shared key is 32 random bytes, unclamped, as wg genpsk makes:
 * printed, or written to path (0600 whatever the umask), nothing else. */
static int genpsk(const char *path, bool force)
{
	char errbuf[KEY_ERRBUF_SIZE];
	uint8_t psk[KEY_LEN];
	int ret = -1;

	randombytes_buf(psk, sizeof(psk));
	if (!path) {
		warn_if_stdout_exposed();
		ret = print_key(psk);
	} else if (key_file_write(path, psk, 0600, force, errbuf, sizeof(errbuf)) < 0) {
		log_err("%s%s", errbuf, errno == EEXIST ? " (--force replaces it)" : "");
	} else {
		ret = 0;
	}
	sodium_memzero(psk, sizeof(psk));
	return ret;
}

static int write_pair(const char *path, const uint8_t priv[KEY_LEN],
		      const uint8_t pub[KEY_LEN], bool force)
{
	char errbuf[KEY_ERRBUF_SIZE];
	char *pub_path = NULL;
	int ret = -1;

	if (asprintf(&pub_path, "%s.pub", path) < 0) {
		pub_path = NULL;
		log_err("out of memory");
		goto out;
	}
	if (key_file_write(path, priv, 0600, force, errbuf, sizeof(errbuf)) < 0) {
		log_err("%s%s", errbuf, errno == EEXIST ? " (--force replaces it)" : "");
		goto out;
	}
	if (key_file_write(pub_path, pub, 0644, force, errbuf, sizeof(errbuf)) < 0) {
		log_err("%s%s", errbuf, errno == EEXIST ? " (--force replaces it)" : "");
		/* No private key without its public half. */
		unlink(path);
		goto out;
	}
	ret = 0;
out:
	free(pub_path);
	return ret;
}

static int genkey_file(const char *path, bool force)
{
	uint8_t priv[KEY_LEN];
	uint8_t pub[KEY_LEN];
	int ret = -1;

	key_generate(priv);
	if (key_public_from_private(pub, priv) < 0) {
		log_err("cannot derive the public key");
		goto out;
	}
	if (write_pair(path, priv, pub, force) < 0)
		goto out;
	ret = print_key(pub);
out:
	sodium_memzero(priv, sizeof(priv));
	return ret;
}

static int pubkey_stdin(void)
{
	char errbuf[KEY_ERRBUF_SIZE];
	uint8_t priv[KEY_LEN];
	uint8_t pub[KEY_LEN];
	int ret = -1;

	if (key_fd_read(STDIN_FILENO, "standard input", priv, errbuf, sizeof(errbuf)) < 0) {
		log_err("%s", errbuf);
		goto out;
	}
	if (key_public_from_private(pub, priv) < 0) {
		log_err("standard input: not a usable private key");
		goto out;
	}
	ret = print_key(pub);
out:
	sodium_memzero(priv, sizeof(priv));
	return ret;
}

/* One line saying what is wrong with the command line, or false. */
static bool usage_error(int argc, char **argv, const char *output, bool force, bool pubkey,
			bool psk)
{
	const char *why = NULL;

	if (optind < argc)
		fprintf(stderr, "ovpn-keygen: unexpected argument '%s'\n", argv[optind]);
	else if (pubkey && (output || force))
		why = "--pubkey reads standard input and writes standard output: no -o or --force";
	else if (pubkey && psk)
		why = "--pubkey and --psk: one or the other";
	else if (force && !output)
		why = "--force replaces an output file: it needs -o FILE";
	else
		return false;
	if (why)
		fprintf(stderr, "ovpn-keygen: %s\n", why);
	return true;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, 'F' },
		{ "pubkey", no_argument, NULL, 'P' },
		{ "psk", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *output = NULL;
	bool force = false, pubkey = false, psk = false;
	int c, ret;

	log_set_ident("ovpn-keygen");
	if (sodium_init() < 0) {
		log_err("cannot initialise libsodium");
		return EXIT_FAILURE;
	}
	while ((c = getopt_long(argc, argv, "o:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': output = optarg; break;
		case 'F': force = true; break;
		case 'P': pubkey = true; break;
		case 'S': psk = true; break;
		case 'h': usage(stdout); return EXIT_SUCCESS;
		case 'V': printf("ovpn-keygen (ovpn) %s\n", PACKAGE_VERSION); return EXIT_SUCCESS;
		default: usage(stderr); return EXIT_USAGE;	/* getopt named it */
		}
	}
	if (usage_error(argc, argv, output, force, pubkey, psk)) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (pubkey)
		ret = pubkey_stdin();
	else if (psk)
		ret = genpsk(output, force);
	else if (output)
		ret = genkey_file(output, force);
	else
		ret = genkey_stdout();
	return ret < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

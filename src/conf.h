/* ovpn.conf: load, check and hand the daemon a plain struct. */
#ifndef OVPN_CONF_H
#define OVPN_CONF_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cidr.h"
#include "key.h"
#include "log.h"

struct conf_peer {
	char *name;			/* the section title */
	uint8_t public_key[KEY_LEN];
	char *endpoint_host;		/* NULL when has_endpoint is false */
	uint16_t endpoint_port;
	bool has_endpoint;
	struct cidr *allowed_ips;	/* network prefixes, host bits clear */
	size_t n_allowed_ips;
	unsigned persistent_keepalive;	/* seconds, 0 = off */
	bool routes;
	unsigned line;			/* of its public-key (else its '{'), for messages */
};

struct conf {
	char *file;
	char interface[IFNAMSIZ];
	char *private_key_file;
	uint8_t private_key[KEY_LEN];	/* wiped by conf_free */
	uint8_t public_key[KEY_LEN];
	uint16_t listen_port;		/* 0: any free port */
	unsigned mtu;
	struct cidr *addresses;		/* interface addresses, host bits kept */
	size_t n_addresses;
	char *user;
	char *group;
	uid_t uid;
	gid_t gid;
	enum log_level log_level;
	char *control_socket;
	char *control_group;		/* NULL: none (root and the daemon's uid only) */
	gid_t control_gid;
	int sandbox;			/* enum sandbox_mode */
	struct conf_peer *peers;
	size_t n_peers;
};

/*
 * Where error lines go, each "FILE:LINE: option: message 'value'" without
 * newline.  The default (fn NULL) is log_err.
 */
void conf_set_error_func(void (*fn)(const char *msg, void *arg), void *arg);

/*
 * Parse and check path, including that the key file, user and group exist.
 * Returns 0, or -1 after reporting every error found (out is then empty).
 * Not reentrant: libconfuse's lexer is global.
 */
int conf_load(const char *path, struct conf *out);
/*
 * The same, for a reload after the privilege drop: the private key is the
 * one given (read at start), the private-key-file is not opened again.
 */
int conf_load_with_key(const char *path, struct conf *out, const uint8_t *private_key);
void conf_free(struct conf *cfg);

#endif

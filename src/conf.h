/* SPDX-License-Identifier: ISC */
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

#define CONF_TABLE_OFF 0
#define CONF_TABLE_MAIN 254
/* wg-quick's choice: the mark and the full tunnel's own table */
#define CONF_FWMARK_AUTO 51820
/* workers = auto | 1..64: threads that seal (workers.h); 0 is auto. */
#define CONF_WORKERS_AUTO 0
#define CONF_WORKERS_MAX 64

struct conf_peer {
	char *name;			/* the section title */
	uint8_t public_key[KEY_LEN];
	char *preshared_key_file;	/* NULL: none (the protocol's 32 zero bytes) */
	uint8_t psk[KEY_LEN];		/* if has_psk; wiped by conf_free */
	bool has_psk;
	char *endpoint_host;		/* NULL when has_endpoint is false */
	uint16_t endpoint_port;
	bool has_endpoint;
	struct cidr *allowed_ips;	/* network prefixes, host bits clear */
	size_t n_allowed_ips;
	unsigned persistent_keepalive;	/* seconds, 0 = off */
	bool routes;
	unsigned allowed_ips_line;	/* of its allowed-ips, for route errors */
	unsigned line;			/* of its public-key (else its '{'), for messages */
};

/* Interface hooks (shell commands), in the order they run. */
enum conf_hook { CONF_PRE_UP, CONF_POST_UP, CONF_PRE_DOWN, CONF_POST_DOWN, CONF_HOOK_COUNT };

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
	unsigned workers;		/* sealing threads; CONF_WORKERS_AUTO: by the CPUs */
	unsigned interface_line, address_line, control_socket_line;	/* 0: default */
	uint32_t table;			/* routes go here; CONF_TABLE_OFF: none */
	unsigned table_line;
	uint32_t fwmark;		/* 0: CONF_FWMARK_AUTO when a full tunnel needs one */
	char *metrics_listen;		/* "ADDR:PORT" for GET /metrics, NULL: none */
	struct conf_peer *peers;
	size_t n_peers;
	char *hook[CONF_HOOK_COUNT];	/* NULL: none; see hooks.h */
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
/*
 * The same on text in memory (ovpnctl set peer): name stands for the file
 * in messages and becomes out->file.
 */
int conf_load_text(const char *name, const char *text, struct conf *out,
		   const uint8_t *private_key);
void conf_free(struct conf *cfg);

#endif

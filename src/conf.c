/* SPDX-License-Identifier: ISC */
/*
 * The config loader.  conftext prepares the text, libconfuse parses it;
 * validators check each value as it is read (so cfg->line is its line) and
 * report through cfg_error; checks across options (duplicates, MTU against
 * IPv6, the key file, accounts) run after parsing, on sorted arrays, using
 * the lines the validators noted.  Value errors are all reported, but the
 * checks across options run only when every value was valid.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <confuse.h>
#include <sodium.h>

#include "conf.h"
#include "conftext.h"
#include "endpoint.h"
#include "sandbox.h"

/* libconfuse's lexer is quadratic in the length of a line (2.5 MB on one
 * line: 3 s), so over-long lines are refused before it sees them; the size
 * cap holds a config of over 15,000 peers and keeps `ovpnd -t` of any file
 * up to it at about 0.1 s of CPU. */
#define CONF_MAX_SIZE (2 * 1024 * 1024)
#define CONF_MAX_LINE 4096
#define PEER_NAME_MAX 63
#define MTU_MIN 576
#define MTU_MAX 9000
#define MTU_MIN_IPV6 1280

/* Our messages pass through cfg_error with this format; anything else
 * comes from libconfuse itself and is rewritten to match. */
static const char OPT_FMT[] = "%s: %s '%s'";

struct line_note {
	const cfg_opt_t *opt;
	unsigned index;
	unsigned line;
	size_t seq;
};

/* The load in progress: validators and the error function get no user
 * pointer from libconfuse. */
static struct load {
	const char *path;
	const uint8_t *private_key;	/* given: private-key-file is not read */
	unsigned errors;
	bool fresh_value;
	cfg_t *root;
	struct line_note *notes;
	size_t n_notes;
	size_t cap_notes;
	struct conftext text;
} *load;

static void (*error_fn)(const char *msg, void *arg);
static void *error_arg;

void conf_set_error_func(void (*fn)(const char *msg, void *arg), void *arg)
{
	error_fn = fn;
	error_arg = arg;
}

/* One error line; control characters from quoted values never split it. */
static void emit(unsigned line, const char *msg)
{
	char buf[1024];

	if (line)
		snprintf(buf, sizeof(buf), "%s:%u: %s", load->path, line, msg);
	else
		snprintf(buf, sizeof(buf), "%s: %s", load->path, msg);
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	load->errors++;
	if (error_fn)
		error_fn(buf, error_arg);
	else
		log_err("%s", buf);
}

static void report(unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void report(unsigned line, const char *fmt, ...)
{
	char msg[900];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	emit(line, msg);
}

/* The title of the peer section being parsed: the last one created. */
static const char *current_peer_title(cfg_t *cfg)
{
	unsigned n = load->root ? cfg_size(load->root, "peer") : 0;

	if (cfg == load->root || n == 0 || n > load->text.n_peers)
		return NULL;
	return load->text.peers[n - 1].title;
}

/* Rewrite libconfuse's own messages into "option: message 'value'". */
static void rewrite_confuse_msg(cfg_t *cfg, char *msg, size_t size)
{
	static const char unknown[] = "no such option '";
	const char *title = current_peer_title(cfg);
	char copy[400];
	size_t n;

	n = strnlen(msg, sizeof(copy) - 1);
	memcpy(copy, msg, n);
	copy[n] = '\0';
	if (n && copy[n - 1] == '\'')
		copy[n - 1] = '\0';
	if (strncmp(copy, unknown, sizeof(unknown) - 1))
		return;
	if (title)
		snprintf(msg, size, "%s: unknown option in peer \"%s\"",
			 copy + sizeof(unknown) - 1, title);
	else
		snprintf(msg, size, "%s: unknown option", copy + sizeof(unknown) - 1);
}

static void confuse_error(cfg_t *cfg, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static void confuse_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	char msg[900];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (fmt != OPT_FMT)
		rewrite_confuse_msg(cfg, msg, sizeof(msg));
	emit((unsigned)cfg->line, msg);
}

static void opt_error(cfg_t *cfg, cfg_opt_t *opt, const char *msg, const char *value)
{
	cfg_error(cfg, OPT_FMT, cfg_opt_name(opt), msg, value);
}

/* Remember where a value was set, for checks made after parsing. */
static void note_line(cfg_t *cfg, cfg_opt_t *opt, unsigned index)
{
	struct line_note *n;

	if (load->n_notes == load->cap_notes) {
		size_t cap = load->cap_notes ? load->cap_notes * 2 : 64;
		void *p = realloc(load->notes, cap * sizeof(*load->notes));

		if (!p)
			return;		/* messages lose a line number, no more */
		load->notes = p;
		load->cap_notes = cap;
	}
	n = &load->notes[load->n_notes];
	n->opt = opt;
	n->index = index;
	n->line = (unsigned)cfg->line;
	n->seq = load->n_notes++;
}

static int note_cmp_value(const void *a, const void *b)
{
	const struct line_note *x = a, *y = b;

	if (x->opt != y->opt)
		return (uintptr_t)x->opt < (uintptr_t)y->opt ? -1 : 1;
	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return 0;
}

static int note_cmp(const void *a, const void *b)
{
	const struct line_note *x = a, *y = b;
	int c = note_cmp_value(a, b);

	if (c)
		return c;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sort, keeping only the last note of each value (a later assignment
 * replaces an earlier one). */
static void notes_finish(void)
{
	size_t out = 0;

	if (load->n_notes == 0)
		return;
	qsort(load->notes, load->n_notes, sizeof(*load->notes), note_cmp);
	for (size_t i = 0; i < load->n_notes; i++) {
		if (i + 1 < load->n_notes && load->notes[i + 1].opt == load->notes[i].opt &&
		    load->notes[i + 1].index == load->notes[i].index)
			continue;
		load->notes[out++] = load->notes[i];
	}
	load->n_notes = out;
}

static unsigned line_of(cfg_t *sec, const char *name, unsigned index)
{
	struct line_note key = { .opt = cfg_getopt(sec, name), .index = index };
	const struct line_note *n;

	if (load->n_notes == 0)
		return 0;
	n = bsearch(&key, load->notes, load->n_notes, sizeof(key), note_cmp_value);
	return n ? n->line : 0;
}

/* Parse callbacks: the raw text is only visible here, so a value that is
 * not of the option's type is quoted from here. */
static int parse_number(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	unsigned long v = 0;
	const char *p = value;

	for (; *p >= '0' && *p <= '9' && v <= 0xffffffffUL; p++)
		v = v * 10 + (unsigned long)(*p - '0');
	if (p == value || *p || v > 0xffffffffUL) {
		opt_error(cfg, opt, "not a number", value);
		return -1;
	}
	*(long *)result = (long)v;
	return 0;
}

static int parse_sandbox(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	int mode = sandbox_mode_parse(value);

	if (mode < 0) {
		opt_error(cfg, opt, "not true, false or log", value);
		return -1;
	}
	*(long *)result = mode;
	return 0;
}

/* "auto" (0: the CPUs the daemon may run on, see workers.h) or 1..64. */
static int parse_workers(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	unsigned long n = 0;
	const char *p = value;

	if (!strcmp(value, "auto")) {
		*(long *)result = CONF_WORKERS_AUTO;
		return 0;
	}
	for (; *p >= '0' && *p <= '9' && n <= CONF_WORKERS_MAX; p++)
		n = n * 10 + (unsigned long)(*p - '0');
	if (p == value || *p || n < 1 || n > CONF_WORKERS_MAX) {
		opt_error(cfg, opt, "not auto or a number from 1 to 64", value);
		return -1;
	}
	*(long *)result = (long)n;
	return 0;
}

/* "main", "off" or a table number: not 0, 253 (default) or 255 (local). */
static int validate_table(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	char *end;
	unsigned long n;

	note_line(cfg, opt, 0);
	if (!strcmp(v, "main") || !strcmp(v, "off"))
		return 0;
	errno = 0;
	n = strtoul(v, &end, 10);
	if (!*v || *end || errno || v[0] == '-' || n == 0 || n > 0xffffffffUL ||
	    n == 253 || n == 255)
		opt_error(cfg, opt, "not main, off or a routing table number "
			  "(1 to 4294967295, not 253 or 255)", v);
	return 0;
}

/* A firewall mark, decimal or 0x hex, or "off". */
static int parse_fwmark(const char *v, uint32_t *out)
{
	char *end;
	unsigned long n;

	if (!strcmp(v, "off")) {
		*out = 0;
		return 0;
	}
	errno = 0;
	n = strtoul(v, &end, 0);
	if (!*v || *end || errno || v[0] == '-' || n > 0xffffffffUL)
		return -1;
	*out = (uint32_t)n;
	return 0;
}

static int validate_fwmark(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	uint32_t mark;

	note_line(cfg, opt, 0);
	if (parse_fwmark(v, &mark) < 0)
		opt_error(cfg, opt, "not off or a mark (0 to 0xffffffff)", v);
	return 0;
}

static int parse_bool(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	int b = cfg_parse_boolean(value);

	if (b < 0) {
		opt_error(cfg, opt, "not true or false", value);
		return -1;
	}
	*(cfg_bool_t *)result = b ? cfg_true : cfg_false;
	return 0;
}

/* libconfuse validates a list after each value and again at its closing
 * brace; this marks a value as new so the second call checks nothing. */
static int mark_list_value(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	(void)cfg;
	(void)opt;
	load->fresh_value = true;
	*(const char **)result = value;
	return 0;
}

static bool take_list_value(cfg_opt_t *opt, unsigned *index)
{
	if (!load->fresh_value || cfg_opt_size(opt) == 0)
		return false;
	load->fresh_value = false;
	*index = cfg_opt_size(opt) - 1;
	return true;
}

static int check_range(cfg_t *cfg, cfg_opt_t *opt, long min, long max, const char *msg)
{
	long v = cfg_opt_getnint(opt, 0);
	char text[32];

	note_line(cfg, opt, 0);
	if (v < min || v > max) {
		snprintf(text, sizeof(text), "%ld", v);
		opt_error(cfg, opt, msg, text);
	}
	return 0;
}

static int validate_port(cfg_t *cfg, cfg_opt_t *opt)
{
	return check_range(cfg, opt, 0, 65535, "not a port number (0 to 65535)");
}

static int validate_mtu(cfg_t *cfg, cfg_opt_t *opt)
{
	return check_range(cfg, opt, MTU_MIN, MTU_MAX, "MTU must be 576 to 9000");
}

static int validate_keepalive(cfg_t *cfg, cfg_opt_t *opt)
{
	return check_range(cfg, opt, 0, 65535, "not 0 (off) to 65535 seconds");
}

static bool is_ifname_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
}

static int validate_interface(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	size_t len = strlen(v);
	bool ok = len > 0 && len < IFNAMSIZ && strcmp(v, ".") && strcmp(v, "..");

	for (size_t i = 0; ok && i < len; i++)
		ok = is_ifname_char(v[i]);
	note_line(cfg, opt, 0);
	if (!ok)
		opt_error(cfg, opt, "not an interface name (1 to 15 letters, "
			  "digits, '-', '_' or '.')", v);
	return 0;
}

static int validate_nonempty(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	note_line(cfg, opt, 0);
	if (!*v)
		opt_error(cfg, opt, "must not be empty", v);
	return 0;
}

static int validate_log_level(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);

	if (log_level_parse(v) < 0)
		opt_error(cfg, opt, "not one of error, warning, info, debug", v);
	return 0;
}

static int check_socket_path(const char *path, const char **why)
{
	struct sockaddr_un sun;

	if (path[0] != '/')
		*why = "not an absolute path";
	else if (strlen(path) >= sizeof(sun.sun_path))
		*why = "longer than a unix socket path may be (107 characters)";
	else
		return 0;
	return -1;
}

static int validate_control_socket(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	const char *why;

	note_line(cfg, opt, 0);
	if (check_socket_path(v, &why) < 0)
		opt_error(cfg, opt, why, v);
	return 0;
}

/* An interface address has host bits (10.77.0.1/24 is host .1 on a /24);
 * they are what the address is. */
static int validate_address(cfg_t *cfg, cfg_opt_t *opt)
{
	struct cidr c;
	const char *why;
	unsigned i;

	if (!take_list_value(opt, &i))
		return 0;
	note_line(cfg, opt, i);
	if (cidr_parse(cfg_opt_getnstr(opt, i), &c, &why) < 0)
		opt_error(cfg, opt, why, cfg_opt_getnstr(opt, i));
	return 0;
}

/*
 * An allowed-ips entry is a prefix for routing and source filtering, so
 * host bits mean nothing there.  The kernel and wg silently clear them,
 * which hides the usual mistake of writing the peer's interface address
 * (10.77.0.2/24) where its own /32 or the whole network was meant: refuse.
 */
static int validate_allowed_ip(cfg_t *cfg, cfg_opt_t *opt)
{
	char net_text[CIDR_STRLEN], msg[CIDR_STRLEN + 64];
	const char *v, *why;
	struct cidr c;
	unsigned i;

	if (!take_list_value(opt, &i))
		return 0;
	note_line(cfg, opt, i);
	v = cfg_opt_getnstr(opt, i);
	if (cidr_parse(v, &c, &why) < 0) {
		opt_error(cfg, opt, why, v);
	} else if (cidr_host_bits_set(&c)) {
		cidr_mask(&c);
		cidr_format(&c, net_text);
		snprintf(msg, sizeof(msg), "host bits set in a prefix (the network is %s)",
			 net_text);
		opt_error(cfg, opt, msg, v);
	}
	return 0;
}

static int validate_public_key(cfg_t *cfg, cfg_opt_t *opt)
{
	const char *v = cfg_opt_getnstr(opt, 0);
	uint8_t key[KEY_LEN];
	const char *why;
	char msg[128];

	note_line(cfg, opt, 0);
	if (key_from_base64(key, v, strlen(v), &why) < 0) {
		snprintf(msg, sizeof(msg), "not a key: %s", why);
		opt_error(cfg, opt, msg, v);
	} else if (sodium_is_zero(key, sizeof(key))) {
		opt_error(cfg, opt, "not a key: all zero", v);
	} else if (key_public_is_low_order(key)) {
		opt_error(cfg, opt, "not a usable key: a point of small order", v);
	}
	return 0;
}

static int validate_endpoint(cfg_t *cfg, cfg_opt_t *opt)
{
	char host[ENDPOINT_HOST_SIZE];
	const char *v = cfg_opt_getnstr(opt, 0);
	const char *why;
	uint16_t port;

	if (endpoint_parse(v, host, &port, &why) < 0)
		opt_error(cfg, opt, why, v);
	return 0;
}

/* metrics-listen: a numeric address and port, nothing to resolve. */
static int validate_metrics_listen(cfg_t *cfg, cfg_opt_t *opt)
{
	char host[ENDPOINT_HOST_SIZE];
	const char *v = cfg_opt_getnstr(opt, 0);
	const char *why = "not a numeric IPv4:port or [IPv6]:port";
	unsigned char addr[16];
	uint16_t port;

	if (endpoint_parse(v, host, &port, &why) < 0 ||
	    (inet_pton(AF_INET, host, addr) != 1 && inet_pton(AF_INET6, host, addr) != 1))
		opt_error(cfg, opt, why, v);
	return 0;
}

static cfg_t *confuse_init(void)
{
	cfg_opt_t peer_opts[] = {
		CFG_STR("public-key", NULL, CFGF_NODEFAULT),
		CFG_STR("preshared-key-file", NULL, CFGF_NODEFAULT),
		CFG_STR("endpoint", NULL, CFGF_NODEFAULT),
		CFG_STR_LIST_CB("allowed-ips", NULL, CFGF_NONE, mark_list_value),
		CFG_INT_CB("persistent-keepalive", 0, CFGF_NONE, parse_number),
		CFG_BOOL_CB("routes", cfg_true, CFGF_NONE, parse_bool),
		CFG_END()
	};
	cfg_opt_t opts[] = {
		CFG_STR("interface", "ovpn0", CFGF_NONE),
		CFG_STR("private-key-file", NULL, CFGF_NODEFAULT),
		CFG_INT_CB("listen-port", 51820, CFGF_NONE, parse_number),
		CFG_INT_CB("mtu", 1420, CFGF_NONE, parse_number),
		CFG_STR_LIST_CB("address", NULL, CFGF_NONE, mark_list_value),
		CFG_STR("user", OVPN_USER, CFGF_NONE),
		CFG_STR("group", OVPN_GROUP, CFGF_NONE),
		CFG_STR("log-level", "info", CFGF_NONE),
		CFG_STR("control-socket", NULL, CFGF_NODEFAULT),
		CFG_STR("control-group", NULL, CFGF_NODEFAULT),
		CFG_INT_CB("sandbox", SANDBOX_ON, CFGF_NONE, parse_sandbox),
		CFG_INT_CB("workers", CONF_WORKERS_AUTO, CFGF_NONE, parse_workers),
		CFG_STR("table", "main", CFGF_NONE),
		CFG_STR("fwmark", "off", CFGF_NONE),
		CFG_STR("metrics-listen", NULL, CFGF_NODEFAULT),
		CFG_STR("pre-up", NULL, CFGF_NODEFAULT),
		CFG_STR("post-up", NULL, CFGF_NODEFAULT),
		CFG_STR("pre-down", NULL, CFGF_NODEFAULT),
		CFG_STR("post-down", NULL, CFGF_NODEFAULT),
		/* titled in the file; conftext_prepare takes the titles off */
		CFG_SEC("peer", peer_opts, CFGF_MULTI),
		CFG_END()
	};
	static const struct {
		const char *name;
		cfg_validate_callback_t fn;
	} validators[] = {
		{ "interface", validate_interface },
		{ "private-key-file", validate_nonempty },
		{ "listen-port", validate_port },
		{ "mtu", validate_mtu },
		{ "address", validate_address },
		{ "user", validate_nonempty },
		{ "group", validate_nonempty },
		{ "log-level", validate_log_level },
		{ "control-socket", validate_control_socket },
		{ "control-group", validate_nonempty },
		{ "table", validate_table },
		{ "fwmark", validate_fwmark },
		{ "metrics-listen", validate_metrics_listen },
		{ "peer|public-key", validate_public_key },
		{ "peer|preshared-key-file", validate_nonempty },
		{ "peer|endpoint", validate_endpoint },
		{ "peer|allowed-ips", validate_allowed_ip },
		{ "peer|persistent-keepalive", validate_keepalive },
	};
	cfg_t *cfg = cfg_init(opts, CFGF_NONE);

	if (!cfg)
		return NULL;
	cfg_set_error_function(cfg, confuse_error);
	for (size_t i = 0; i < sizeof(validators) / sizeof(validators[0]); i++)
		cfg_set_validate_func(cfg, validators[i].name, validators[i].fn);
	return cfg;
}

static char *read_text(const char *path, size_t *len)
{
	struct stat st;
	char *text = NULL;
	ssize_t n = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		report(0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		report(0, "not a regular file");
		goto out;
	}
	if (st.st_size > CONF_MAX_SIZE) {
		report(0, "larger than %d bytes", CONF_MAX_SIZE);
		goto out;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		report(0, "out of memory");
		goto out;
	}
	n = read(fd, text, (size_t)st.st_size);
	if (n != st.st_size) {
		report(0, "read error: %s", n < 0 ? strerror(errno) : "short read");
		free(text);
		text = NULL;
		goto out;
	}
	text[n] = '\0';
	*len = (size_t)n;
out:
	close(fd);
	return text;
}

/* The first line longer than CONF_MAX_LINE bytes is an error. */
static int check_line_lengths(const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl;
	unsigned line = 1;

	for (; p < end; p = nl + 1, line++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		if ((size_t)(nl - p) > CONF_MAX_LINE) {
			report(line, "line longer than %d bytes (%zu)", CONF_MAX_LINE,
			       (size_t)(nl - p));
			return -1;
		}
	}
	return 0;
}

static cfg_t *parse_text(char *text, size_t len)
{
	cfg_t *cfg = confuse_init();
	FILE *fp = NULL;
	int rc;

	if (!cfg) {
		report(0, "out of memory");
		return NULL;
	}
	if (len == 0)
		return cfg;
	/* libconfuse keeps a preset filename; sections inherit it. */
	cfg->filename = strdup(load->path);
	load->root = cfg;
	fp = fmemopen(text, len, "r");
	if (!cfg->filename || !fp) {
		report(0, "out of memory");
		rc = CFG_PARSE_ERROR;
	} else {
		rc = cfg_parse_fp(cfg, fp);
	}
	if (fp)
		fclose(fp);
	if (rc != CFG_SUCCESS) {
		/* libconfuse stops at a syntax error, having reported it */
		if (!load->errors)
			report(0, "cannot parse");
		cfg_free(cfg);
		cfg = NULL;
		load->root = NULL;
	}
	return cfg;
}

/* Where an allowed-ips prefix was claimed, to find the same one twice. */
struct prefix_use {
	struct cidr cidr;
	size_t peer;
	unsigned line;
};

static int copy_prefixes(cfg_t *sec, const char *name, struct cidr **out, size_t *n)
{
	unsigned count = cfg_size(sec, name);

	*n = 0;
	if (count == 0)
		return 0;
	*out = calloc(count, sizeof(**out));
	if (!*out)
		return -1;
	for (unsigned i = 0; i < count; i++)
		if (cidr_parse(cfg_getnstr(sec, name, i), &(*out)[*n], NULL) == 0)
			(*n)++;
	return 0;
}

static void read_private_key(cfg_t *cfg, struct conf *out)
{
	char errbuf[KEY_ERRBUF_SIZE];
	unsigned line = line_of(cfg, "private-key-file", 0);

	if (!out->private_key_file) {
		report(0, "private-key-file: required option missing");
		return;
	}
	if (load->private_key) {
		memcpy(out->private_key, load->private_key, KEY_LEN);
		if (key_public_from_private(out->public_key, out->private_key) < 0)
			report(line, "private-key-file: not a usable private key");
		return;
	}
	if (key_file_read_owned(out->private_key_file, out->uid, out->private_key, errbuf,
				sizeof(errbuf)) < 0)
		report(line, "private-key-file: %s", errbuf);
	else if (key_public_from_private(out->public_key, out->private_key) < 0)
		report(line, "private-key-file: %s: not a usable private key",
		       out->private_key_file);
}

static void lookup_accounts(cfg_t *cfg, struct conf *out)
{
	struct passwd *pw = getpwnam(out->user);
	struct group *gr = getgrnam(out->group);

	if (!pw)
		report(line_of(cfg, "user", 0), "user: no such user '%s'", out->user);
	else if (pw->pw_uid == 0 && strcmp(out->user, "root"))
		/* Staying root must be asked for by that name, not by an alias. */
		report(line_of(cfg, "user", 0),
		       "user: '%s' is uid 0; write user = \"root\" to keep root after setup",
		       out->user);
	else
		out->uid = pw->pw_uid;
	if (gr)
		out->gid = gr->gr_gid;
	else
		report(line_of(cfg, "group", 0), "group: no such group '%s'", out->group);
	if (!out->control_group)
		return;
	gr = getgrnam(out->control_group);
	if (gr)
		out->control_gid = gr->gr_gid;
	else
		report(line_of(cfg, "control-group", 0), "control-group: no such group '%s'",
		       out->control_group);
}

static void build_table(cfg_t *cfg, struct conf *out)
{
	const char *t = cfg_getstr(cfg, "table");

	if (!strcmp(t, "main"))
		out->table = CONF_TABLE_MAIN;
	else if (!strcmp(t, "off"))
		out->table = CONF_TABLE_OFF;
	else
		out->table = (uint32_t)strtoul(t, NULL, 10);
	out->table_line = line_of(cfg, "table", 0);
	if (parse_fwmark(cfg_getstr(cfg, "fwmark"), &out->fwmark) < 0)
		out->fwmark = 0;
}

/* The hooks, by enum conf_hook. -1: out of memory. */
static int build_hooks(cfg_t *cfg, struct conf *out)
{
	static const char *const names[CONF_HOOK_COUNT] = {
		"pre-up", "post-up", "pre-down", "post-down"
	};

	for (int i = 0; i < CONF_HOOK_COUNT; i++) {
		const char *v = cfg_getstr(cfg, names[i]);

		if (v && *v && !(out->hook[i] = strdup(v)))
			return -1;
	}
	return 0;
}

static int build_root(cfg_t *cfg, struct conf *out)
{
	const char *pkf = cfg_getstr(cfg, "private-key-file");
	const char *sock = cfg_getstr(cfg, "control-socket");
	const char *metrics = cfg_getstr(cfg, "metrics-listen");
	const char *cgroup = cfg_getstr(cfg, "control-group");

	snprintf(out->interface, sizeof(out->interface), "%s", cfg_getstr(cfg, "interface"));
	out->listen_port = (uint16_t)cfg_getint(cfg, "listen-port");
	out->mtu = (unsigned)cfg_getint(cfg, "mtu");
	out->log_level = (enum log_level)log_level_parse(cfg_getstr(cfg, "log-level"));
	out->sandbox = (int)cfg_getint(cfg, "sandbox");
	out->workers = (unsigned)cfg_getint(cfg, "workers");
	build_table(cfg, out);
	out->interface_line = line_of(cfg, "interface", 0);
	out->address_line = line_of(cfg, "address", 0);
	out->control_socket_line = line_of(cfg, "control-socket", 0);
	out->file = strdup(load->path);
	out->private_key_file = pkf ? strdup(pkf) : NULL;
	out->user = strdup(cfg_getstr(cfg, "user"));
	out->group = strdup(cfg_getstr(cfg, "group"));
	if (sock)
		out->control_socket = strdup(sock);
	else if (asprintf(&out->control_socket, OVPN_RUNDIR "/%s.sock", out->interface) < 0)
		out->control_socket = NULL;
	out->metrics_listen = metrics ? strdup(metrics) : NULL;
	out->control_group = cgroup ? strdup(cgroup) : NULL;
	if (!out->file || (pkf && !out->private_key_file) || !out->user ||
	    (metrics && !out->metrics_listen) || (cgroup && !out->control_group) ||
	    !out->group || !out->control_socket ||
	    copy_prefixes(cfg, "address", &out->addresses, &out->n_addresses) < 0 ||
	    build_hooks(cfg, out) < 0)
		return -1;
	lookup_accounts(cfg, out);	/* first: the key file's owner is checked against user */
	read_private_key(cfg, out);
	return 0;
}

static bool is_peer_name(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len > PEER_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (name[i] <= ' ' || name[i] > '~' || strchr("\"'\\$", name[i]))
			return false;
	return true;
}

static int build_peer_endpoint(cfg_t *sec, struct conf_peer *p)
{
	char host[ENDPOINT_HOST_SIZE];
	const char *ep = cfg_getstr(sec, "endpoint");

	if (!ep || endpoint_parse(ep, host, &p->endpoint_port, NULL) < 0)
		return 0;
	p->endpoint_host = strdup(host);
	if (!p->endpoint_host)
		return -1;
	p->has_endpoint = true;
	return 0;
}

/* The pair's pre-shared key, if the peer names a file: read like the
 * private key, at start and again on reload (then as the daemon's uid). */
static int read_psk(cfg_t *sec, struct conf_peer *p, uid_t daemon_uid)
{
	char errbuf[KEY_ERRBUF_SIZE];
	const char *path = cfg_getstr(sec, "preshared-key-file");

	if (!path)
		return 0;
	p->preshared_key_file = strdup(path);
	if (!p->preshared_key_file)
		return -1;
	if (key_psk_file_read(path, daemon_uid, p->psk, errbuf, sizeof(errbuf)) < 0)
		report(line_of(sec, "preshared-key-file", 0),
		       "preshared-key-file: %s (peer \"%s\")", errbuf, p->name);
	else
		p->has_psk = true;
	return 0;
}

static int build_peer(cfg_t *sec, const struct conftext_peer *head, struct conf_peer *p,
		      uid_t daemon_uid)
{
	const char *key = cfg_getstr(sec, "public-key");

	p->name = strdup(head->title);
	if (!p->name)
		return -1;
	p->line = line_of(sec, "public-key", 0);
	p->allowed_ips_line = line_of(sec, "allowed-ips", 0);
	if (!is_peer_name(p->name))
		report(head->line, "peer: name must be 1 to %d printable characters, "
		       "no spaces, quotes, '\\' or '$' '%s'", PEER_NAME_MAX, p->name);
	if (!key)
		report(head->line, "public-key: required option missing in peer \"%s\"",
		       p->name);
	else if (key_from_base64(p->public_key, key, strlen(key), NULL) < 0)
		memset(p->public_key, 0, KEY_LEN);
	if (!p->line)
		p->line = head->line;
	p->persistent_keepalive = (unsigned)cfg_getint(sec, "persistent-keepalive");
	p->routes = cfg_getbool(sec, "routes") == cfg_true;
	if (build_peer_endpoint(sec, p) < 0 || read_psk(sec, p, daemon_uid) < 0)
		return -1;
	return copy_prefixes(sec, "allowed-ips", &p->allowed_ips, &p->n_allowed_ips);
}

static int build_peers(cfg_t *cfg, struct conf *out, struct prefix_use **uses, size_t *n_uses)
{
	unsigned n = cfg_size(cfg, "peer");
	size_t total = 0;

	if (n != load->text.n_peers) {
		report(0, "peer: %u sections but %zu titles found", n, load->text.n_peers);
		return 0;
	}
	if (n == 0)
		return 0;
	out->peers = calloc(n, sizeof(*out->peers));
	if (!out->peers)
		return -1;
	out->n_peers = n;
	for (unsigned i = 0; i < n; i++) {
		cfg_t *sec = cfg_getnsec(cfg, "peer", i);

		if (build_peer(sec, &load->text.peers[i], &out->peers[i], out->uid) < 0)
			return -1;
		total += out->peers[i].n_allowed_ips;
	}
	*uses = calloc(total ? total : 1, sizeof(**uses));
	if (!*uses)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		cfg_t *sec = cfg_getnsec(cfg, "peer", i);

		for (size_t j = 0; j < out->peers[i].n_allowed_ips; j++) {
			struct prefix_use *u = &(*uses)[(*n_uses)++];

			u->cidr = out->peers[i].allowed_ips[j];
			u->peer = i;
			u->line = line_of(sec, "allowed-ips", (unsigned)j);
		}
	}
	return 0;
}

static void check_own_key(const struct conf *c)
{
	char b64[KEY_BASE64_SIZE];

	if (sodium_is_zero(c->public_key, KEY_LEN))
		return;
	for (size_t i = 0; i < c->n_peers; i++) {
		const struct conf_peer *p = &c->peers[i];

		if (sodium_memcmp(p->public_key, c->public_key, KEY_LEN) != 0)
			continue;
		key_to_base64(b64, p->public_key);
		report(p->line, "public-key: peer \"%s\" has our own public key '%s'",
		       p->name, b64);
	}
}

static int head_cmp(const void *a, const void *b)
{
	const struct conftext_peer *x = *(const struct conftext_peer *const *)a;
	const struct conftext_peer *y = *(const struct conftext_peer *const *)b;
	int c = strcmp(x->title, y->title);

	if (c)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int check_duplicate_names(void)
{
	const struct conftext_peer **sorted;

	if (load->text.n_peers < 2)
		return 0;
	sorted = calloc(load->text.n_peers, sizeof(*sorted));
	if (!sorted)
		return -1;
	for (size_t i = 0; i < load->text.n_peers; i++)
		sorted[i] = &load->text.peers[i];
	qsort(sorted, load->text.n_peers, sizeof(*sorted), head_cmp);
	for (size_t i = 1; i < load->text.n_peers; i++)
		if (!strcmp(sorted[i - 1]->title, sorted[i]->title))
			report(sorted[i]->line, "peer: duplicate peer name, first at line %u '%s'",
			       sorted[i - 1]->line, sorted[i]->title);
	free(sorted);
	return 0;
}

/* Public keys are not secret: ordering them with memcmp leaks nothing. */
static int peer_key_cmp(const void *a, const void *b)
{
	const struct conf_peer *x = *(const struct conf_peer *const *)a;
	const struct conf_peer *y = *(const struct conf_peer *const *)b;
	int c = memcmp(x->public_key, y->public_key, KEY_LEN);

	if (c)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

static int check_duplicate_keys(const struct conf *c)
{
	const struct conf_peer **sorted;
	char b64[KEY_BASE64_SIZE];

	if (c->n_peers < 2)
		return 0;
	sorted = calloc(c->n_peers, sizeof(*sorted));
	if (!sorted)
		return -1;
	for (size_t i = 0; i < c->n_peers; i++)
		sorted[i] = &c->peers[i];
	qsort(sorted, c->n_peers, sizeof(*sorted), peer_key_cmp);
	for (size_t i = 1; i < c->n_peers; i++) {
		const struct conf_peer *first = sorted[i - 1], *p = sorted[i];

		if (sodium_is_zero(p->public_key, KEY_LEN) ||
		    memcmp(first->public_key, p->public_key, KEY_LEN))
			continue;
		key_to_base64(b64, p->public_key);
		report(p->line, "public-key: peer \"%s\" has the key of peer \"%s\" "
		       "(line %u) '%s'", p->name, first->name, first->line, b64);
	}
	free(sorted);
	return 0;
}

static int prefix_use_cmp(const void *a, const void *b)
{
	const struct prefix_use *x = a, *y = b;
	int c = cidr_compare(&x->cidr, &y->cidr);

	if (c)
		return c;
	return x->line < y->line ? -1 : x->line > y->line;
}

/* Sorted, equal prefixes are neighbours: the first use keeps it. */
static void check_duplicate_prefixes(const struct conf *c, struct prefix_use *uses, size_t n)
{
	char text[CIDR_STRLEN];
	size_t first = 0;

	if (n < 2)
		return;
	qsort(uses, n, sizeof(*uses), prefix_use_cmp);
	for (size_t i = 1; i < n; i++) {
		if (cidr_compare(&uses[first].cidr, &uses[i].cidr)) {
			first = i;
			continue;
		}
		cidr_format(&uses[i].cidr, text);
		report(uses[i].line, "allowed-ips: already routed to peer \"%s\" (line %u) '%s'",
		       c->peers[uses[first].peer].name, uses[first].line, text);
	}
}

/* IPv6 requires a link MTU of at least 1280 (RFC 8200). */
static void check_mtu_ipv6(cfg_t *cfg, const struct conf *c, const struct prefix_use *uses,
			   size_t n_uses)
{
	const struct cidr *v6 = NULL;
	unsigned v6_line = 0;
	char text[CIDR_STRLEN];

	if (c->mtu >= MTU_MIN_IPV6)
		return;
	for (size_t i = 0; !v6 && i < c->n_addresses; i++) {
		if (c->addresses[i].family == AF_INET6) {
			v6 = &c->addresses[i];
			v6_line = line_of(cfg, "address", (unsigned)i);
		}
	}
	for (size_t i = 0; !v6 && i < n_uses; i++) {
		if (uses[i].cidr.family == AF_INET6) {
			v6 = &uses[i].cidr;
			v6_line = uses[i].line;
		}
	}
	if (!v6)
		return;
	cidr_format(v6, text);
	report(line_of(cfg, "mtu", 0), "mtu: must be at least %d when the overlay "
	       "carries IPv6 (%s at line %u) '%u'", MTU_MIN_IPV6, text, v6_line, c->mtu);
}

/* The same interface address twice (whatever the prefix lengths) would
 * fail at start with EEXIST. */
static void check_duplicate_addresses(cfg_t *cfg, const struct conf *c)
{
	for (size_t i = 1; i < c->n_addresses; i++)
		for (size_t j = 0; j < i; j++) {
			const struct cidr *a = &c->addresses[i], *b = &c->addresses[j];
			char text[CIDR_STRLEN];

			if (a->family != b->family ||
			    memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16))
				continue;
			cidr_format(a, text);
			report(line_of(cfg, "address", (unsigned)i),
			       "address: the same address twice '%s'", text);
			break;
		}
}

static int build(cfg_t *cfg, struct conf *out)
{
	struct prefix_use *uses = NULL;
	size_t n_uses = 0;
	int ret = -1;

	notes_finish();
	if (build_root(cfg, out) < 0 || build_peers(cfg, out, &uses, &n_uses) < 0)
		goto out;
	check_mtu_ipv6(cfg, out, uses, n_uses);
	check_duplicate_addresses(cfg, out);
	check_own_key(out);
	if (check_duplicate_names() < 0 || check_duplicate_keys(out) < 0)
		goto out;
	check_duplicate_prefixes(out, uses, n_uses);
	ret = 0;
out:
	if (ret < 0)
		report(0, "out of memory");
	free(uses);
	return ret;
}

int conf_load(const char *path, struct conf *out)
{
	return conf_load_with_key(path, out, NULL);
}

/* Parse text (NUL-terminated at text[len], taken over) as the file path. */
static int conf_load_from(const char *path, char *text, size_t len, struct conf *out,
			  const uint8_t *private_key)
{
	struct load state = { .path = path, .private_key = private_key };
	cfg_t *cfg = NULL;

	memset(out, 0, sizeof(*out));
	load = &state;
	if (!text && path)
		text = read_text(path, &len);
	if (!text || check_line_lengths(text, len) < 0 ||
	    conftext_prepare(text, len, &state.text, emit) < 0)
		goto out;
	cfg = parse_text(text, len);
	if (!cfg || state.errors)
		goto out;
	build(cfg, out);
out:
	if (cfg)
		cfg_free(cfg);
	free(text);
	free(state.notes);
	conftext_free(&state.text);
	load = NULL;
	if (state.errors) {
		conf_free(out);
		return -1;
	}
	return 0;
}

int conf_load_with_key(const char *path, struct conf *out, const uint8_t *private_key)
{
	return conf_load_from(path, NULL, 0, out, private_key);
}

int conf_load_text(const char *name, const char *text, struct conf *out,
		   const uint8_t *private_key)
{
	char *copy = strdup(text);

	if (!copy) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	return conf_load_from(name, copy, strlen(copy), out, private_key);
}

static void free_peer(struct conf_peer *p)
{
	sodium_memzero(p->psk, sizeof(p->psk));
	free(p->preshared_key_file);
	free(p->name);
	free(p->endpoint_host);
	free(p->allowed_ips);
}

void conf_free(struct conf *cfg)
{
	for (size_t i = 0; i < cfg->n_peers; i++)
		free_peer(&cfg->peers[i]);
	free(cfg->peers);
	free(cfg->addresses);
	free(cfg->file);
	free(cfg->private_key_file);
	free(cfg->user);
	free(cfg->group);
	free(cfg->control_socket);
	free(cfg->metrics_listen);
	free(cfg->control_group);
	for (int i = 0; i < CONF_HOOK_COUNT; i++)
		free(cfg->hook[i]);
	sodium_memzero(cfg, sizeof(*cfg));
}

/* SPDX-License-Identifier: ISC */
/* Unit tests for src/conf.c (with src/cidr.c and src/endpoint.c): every
 * field of a full config, defaults, and each error class with its exact
 * file, line, option and value. */
#include "config.h"

#include <arpa/inet.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cidr.h"
#include "conf.h"
#include "endpoint.h"
#include "key.h"
#include "tap.h"

/* An array passed to CHECK_STR_CONTAINS trips -Waddress on its NULL test. */
static const char *str(const char *s)
{
	return s;
}

#define MAX_ERRORS 32

/* Timings under AddressSanitizer say nothing about the code. */
#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif

static char tmpdir[] = "/tmp/test_conf.XXXXXX";
static char conf_path[256], key_path[256], open_key_path[256], junk_key_path[256];
static char psk_path[256], psk_other_owner_path[256];
static uint8_t psk[KEY_LEN];
static char pub_a[KEY_BASE64_SIZE], pub_b[KEY_BASE64_SIZE], pub_own[KEY_BASE64_SIZE];
static uint8_t priv_own[KEY_LEN], key_a[KEY_LEN], key_b[KEY_LEN], key_own[KEY_LEN];
static char errors[MAX_ERRORS][1024];
static int n_errors;

static void capture(const char *msg, void *arg)
{
	(void)arg;
	if (n_errors < MAX_ERRORS)
		snprintf(errors[n_errors], sizeof(errors[0]), "%s", msg);
	n_errors++;
}

static void append(char *out, size_t size, const char *s, size_t n)
{
	size_t len = strlen(out);

	if (len + n >= size)
		exit(99);
	memcpy(out + len, s, n);
	out[len + n] = '\0';
}

/* @KEY@ our key file, @OPEN@ a 0644 key file, @JUNK@ a malformed one,
 * @PSK@ a pre-shared key file, @PSKUID@ one owned by another account,
 * @A@ @B@ @OWN@ public keys. */
static void expand(const char *tmpl, char *out, size_t size)
{
	static const struct { const char *tag; const char *value; } subst[] = {
		{ "@KEY@", key_path }, { "@OPEN@", open_key_path },
		{ "@JUNK@", junk_key_path }, { "@A@", pub_a }, { "@B@", pub_b },
		{ "@OWN@", pub_own }, { "@PSKUID@", psk_other_owner_path },
		{ "@PSK@", psk_path },
	};
	const size_t n = sizeof(subst) / sizeof(subst[0]);

	out[0] = '\0';
	while (*tmpl) {
		size_t i;

		for (i = 0; i < n; i++)
			if (!strncmp(tmpl, subst[i].tag, strlen(subst[i].tag)))
				break;
		if (i < n) {
			append(out, size, subst[i].value, strlen(subst[i].value));
			tmpl += strlen(subst[i].tag);
		} else {
			append(out, size, tmpl++, 1);
		}
	}
}

static int load_text(const char *tmpl, struct conf *c)
{
	char text[8192];
	FILE *f;

	expand(tmpl, text, sizeof(text));
	f = fopen(conf_path, "w");
	if (!f || fputs(text, f) == EOF || fclose(f) == EOF)
		exit(99);
	n_errors = 0;
	return conf_load(conf_path, c);
}

static void dump_errors(const char *why)
{
	fprintf(stderr, "  %s; %d error line(s):\n", why, n_errors);
	for (int i = 0; i < n_errors && i < MAX_ERRORS; i++)
		fprintf(stderr, "    %s\n", errors[i]);
}

/* Exactly one error, at FILE:line (0: no line), naming opt, quoting value
 * (if not NULL) and containing fragment (if not NULL). */
static void expect_error(const char *name, const char *tmpl, unsigned line,
			 const char *opt, const char *value, const char *fragment)
{
	struct conf c;
	char want[512];
	int before = tap_failures;

	CHECK_EQ(load_text(tmpl, &c), -1);
	CHECK_EQ(n_errors, 1);
	if (line)
		snprintf(want, sizeof(want), "%s:%u: %s: ", conf_path, line, opt);
	else
		snprintf(want, sizeof(want), "%s: %s: ", conf_path, opt);
	CHECK_EQ(strncmp(errors[0], want, strlen(want)), 0);
	if (value) {
		snprintf(want, sizeof(want), "'%s'", value);
		CHECK_STR_CONTAINS(str(errors[0]), want);
	}
	if (fragment)
		CHECK_STR_CONTAINS(str(errors[0]), fragment);
	CHECK(c.peers == NULL && c.file == NULL && sodium_is_zero(c.private_key, KEY_LEN));
	if (tap_failures != before)
		dump_errors(name);
}

#define HEAD_FMT "private-key-file = \"%s\"\nuser = \"root\"\ngroup = \"root\"\n"
#define HEAD "private-key-file = \"@KEY@\"\nuser = \"root\"\ngroup = \"root\"\n"

static const char full_conf[] =
	"# every option\n"				/* 1 */
	"interface = \"ovpn7\"\n"
	"private-key-file = \"@KEY@\"\n"
	"listen-port = 0   # pure initiator\n"
	"mtu = 1380\n"					/* 5 */
	"address = {\"10.77.0.1/24\",  // ours\n"
	"           \"fd77::1/64\"}\n"
	"user = \"nobody\"\n"
	"group = \"nogroup\"\n"
	"log-level = \"warning\"\n"			/* 10 */
	"control-socket = \"/run/ovpn/test.sock\"\n"
	"/* two peers,\n"
	"   one of each family */\n"
	"peer \"A\" {\n"
	"    public-key = \"@A@\"\n"			/* 15 */
	"    endpoint = \"192.0.2.2:51820\"\n"
	"    allowed-ips = {\"10.77.0.2/32\", \"198.51.100.0/24\", \"fd77::2/128\"}\n"
	"    persistent-keepalive = 25\n"
	"    routes = false\n"
	"}\n"						/* 20 */
	"peer \"B\" {\n"
	"    endpoint = \"[2001:db8::7]:4500\"\n"
	"    allowed-ips = \"203.0.113.0/24\"\n"
	"    public-key = \"@B@\"\n"
	"}\n";

static void check_cidr(const struct cidr *c, const char *text)
{
	char buf[CIDR_STRLEN];

	cidr_format(c, buf);
	CHECK_STR(buf, text);
	if (strcmp(buf, text))
		fprintf(stderr, "  got %s, want %s\n", buf, text);
}

static void test_full(void)
{
	struct conf c;
	struct passwd *pw = getpwnam("nobody");
	struct group *gr = getgrnam("nogroup");

	CHECK_EQ(load_text(full_conf, &c), 0);
	if (n_errors)
		dump_errors("full config");
	CHECK_STR(c.file, conf_path);
	CHECK_STR(c.interface, "ovpn7");
	CHECK_STR(c.private_key_file, key_path);
	CHECK_MEM(c.private_key, priv_own, KEY_LEN);
	CHECK_MEM(c.public_key, key_own, KEY_LEN);
	CHECK_EQ(c.listen_port, 0);
	CHECK_EQ(c.mtu, 1380);
	CHECK_EQ(c.n_addresses, 2);
	if (c.n_addresses == 2) {
		CHECK(c.addresses[0].family == AF_INET && c.addresses[0].prefix_len == 24);
		check_cidr(&c.addresses[0], "10.77.0.1/24");
		CHECK(c.addresses[1].family == AF_INET6 && c.addresses[1].prefix_len == 64);
		check_cidr(&c.addresses[1], "fd77::1/64");
	}
	CHECK(strcmp(c.user, "nobody") == 0 && pw && c.uid == pw->pw_uid);
	CHECK(strcmp(c.group, "nogroup") == 0 && gr && c.gid == gr->gr_gid);
	CHECK_EQ(c.log_level, LOG_LEVEL_WARNING);
	CHECK_STR(c.control_socket, "/run/ovpn/test.sock");
	CHECK_EQ(c.n_peers, 2);
	if (c.n_peers != 2)
		goto out;
	CHECK_STR(c.peers[0].name, "A");
	CHECK_MEM(c.peers[0].public_key, key_a, KEY_LEN);
	CHECK(c.peers[0].has_endpoint);
	CHECK(c.peers[0].endpoint_host && !strcmp(c.peers[0].endpoint_host, "192.0.2.2"));
	CHECK_EQ(c.peers[0].endpoint_port, 51820);
	CHECK_EQ(c.peers[0].n_allowed_ips, 3);
	if (c.peers[0].n_allowed_ips == 3) {
		check_cidr(&c.peers[0].allowed_ips[0], "10.77.0.2/32");
		check_cidr(&c.peers[0].allowed_ips[1], "198.51.100.0/24");
		check_cidr(&c.peers[0].allowed_ips[2], "fd77::2/128");
	}
	CHECK_EQ(c.peers[0].persistent_keepalive, 25);
	CHECK(!c.peers[0].routes);
	CHECK_EQ(c.peers[0].line, 15);
	CHECK_STR(c.peers[1].name, "B");
	CHECK_MEM(c.peers[1].public_key, key_b, KEY_LEN);
	CHECK(c.peers[1].endpoint_host && !strcmp(c.peers[1].endpoint_host, "2001:db8::7"));
	CHECK_EQ(c.peers[1].endpoint_port, 4500);
	CHECK_EQ(c.peers[1].n_allowed_ips, 1);
	if (c.peers[1].n_allowed_ips == 1)
		check_cidr(&c.peers[1].allowed_ips[0], "203.0.113.0/24");
	CHECK_EQ(c.peers[1].persistent_keepalive, 0);
	CHECK(c.peers[1].routes);
	CHECK_EQ(c.peers[1].line, 24);
out:
	conf_free(&c);
	CHECK(c.peers == NULL && sodium_is_zero(c.private_key, KEY_LEN));
}

/* Without user or group the daemon drops to configure's account (ovpn
 * unless --with-user said otherwise), which make install creates; where it
 * is missing, as in a build tree, the error names it. */
static void test_default_account(void)
{
	struct conf c;

	if (getpwnam(OVPN_USER)) {
		CHECK_EQ(load_text("private-key-file = \"@KEY@\"\ngroup = \"nogroup\"\n", &c), 0);
		CHECK_STR(c.user, OVPN_USER);
		conf_free(&c);
	} else {
		expect_error("default user", "private-key-file = \"@KEY@\"\ngroup = \"nogroup\"\n",
			     0, "user", OVPN_USER, "no such user");
	}
	if (getgrnam(OVPN_GROUP)) {
		CHECK_EQ(load_text("private-key-file = \"@KEY@\"\nuser = \"nobody\"\n", &c), 0);
		CHECK_STR(c.group, OVPN_GROUP);
		conf_free(&c);
	} else {
		expect_error("default group", "private-key-file = \"@KEY@\"\nuser = \"nobody\"\n",
			     0, "group", OVPN_GROUP, "no such group");
	}
}

static void test_defaults(void)
{
	struct conf c;

	/* The account's default has its own test: the build tree lacks it. */
	CHECK_EQ(load_text("private-key-file = \"@KEY@\"\nuser = \"nobody\"\ngroup = \"nogroup\"\n"
			"peer \"A\" {\n    public-key = \"@A@\"\n}\n", &c), 0);
	if (n_errors)
		dump_errors("defaults");
	CHECK_STR(c.interface, "ovpn0");
	CHECK_EQ(c.listen_port, 51820);
	CHECK_EQ(c.mtu, 1420);
	CHECK(c.n_addresses == 0 && c.addresses == NULL);
	CHECK_EQ(c.log_level, LOG_LEVEL_INFO);
	CHECK_EQ(c.workers, CONF_WORKERS_AUTO);
	CHECK_STR(c.control_socket, OVPN_RUNDIR "/ovpn0.sock");
	CHECK_EQ(c.n_peers, 1);
	if (c.n_peers == 1) {
		CHECK(!c.peers[0].has_endpoint && c.peers[0].endpoint_host == NULL);
		CHECK_EQ(c.peers[0].n_allowed_ips, 0);
		CHECK_EQ(c.peers[0].persistent_keepalive, 0);
		CHECK(c.peers[0].routes);
	}
	conf_free(&c);

	/* the default socket follows the interface */
	CHECK_EQ(load_text("interface = \"wan_3\"\n" HEAD, &c), 0);
	CHECK(c.control_socket && strcmp(c.control_socket, "/run/ovpn/wan_3.sock") == 0);
	conf_free(&c);
}

/* workers = auto | 1..64 */
static void test_workers(void)
{
	static const struct {
		const char *text;
		unsigned want;
	} ok[] = {
		{ "workers = auto\n", CONF_WORKERS_AUTO }, { "workers = 1\n", 1 },
		{ "workers = \"2\"\n", 2 }, { "workers = 64\n", 64 },
	};
	char text[512];
	struct conf c;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		tap_label("%s", ok[i].text);
		snprintf(text, sizeof(text), HEAD "%s", ok[i].text);
		CHECK_EQ(load_text(text, &c), 0);
		CHECK_EQ(c.workers, ok[i].want);
		conf_free(&c);
	}
}

static void test_root_errors(void)
{
	expect_error("interface", HEAD "interface = \"ovpn/0\"\n",
		     4, "interface", "ovpn/0", "not an interface name");
	expect_error("interface length", HEAD "\ninterface = \"abcdefghijklmnop\"\n",
		     5, "interface", "abcdefghijklmnop", "1 to 15");
	expect_error("no key file", "user = \"root\"\ngroup = \"root\"\n", 0,
		     "private-key-file", NULL, "required option missing");
	expect_error("key file open", "user = \"root\"\ngroup = \"root\"\n"
		     "private-key-file = \"@OPEN@\"\n", 3, "private-key-file", NULL,
		     "chmod 600");
	CHECK_STR_CONTAINS(str(errors[0]), open_key_path);
	expect_error("key file junk", "user = \"root\"\ngroup = \"root\"\nprivate-key-file = \"@JUNK@\"\n",
		     3, "private-key-file", NULL, "not a key");
	CHECK_STR_CONTAINS(str(errors[0]), junk_key_path);
	CHECK_EQ(strstr(errors[0], "AQIDBAUG"), NULL);
	expect_error("key file missing", "private-key-file = \"/nonexistent/k\"\n"
		     "user = \"root\"\ngroup = \"root\"\n", 1, "private-key-file", NULL,
		     "/nonexistent/k: cannot open");
	expect_error("port range", HEAD "listen-port = 65536\n", 4, "listen-port",
		     "65536", "0 to 65535");
	expect_error("port syntax", HEAD "\n\nlisten-port = 12ab\n", 6, "listen-port",
		     "12ab", "not a number");
	expect_error("mtu low", HEAD "mtu = 575\n", 4, "mtu", "575", "576 to 9000");
	expect_error("workers zero", HEAD "workers = 0\n", 4, "workers", "0",
		     "not auto or a number from 1 to 64");
	expect_error("workers high", HEAD "\nworkers = 65\n", 5, "workers", "65",
		     "not auto or a number from 1 to 64");
	expect_error("workers word", HEAD "workers = \"all\"\n", 4, "workers", "all",
		     "not auto or a number from 1 to 64");
	expect_error("mtu high", "mtu = 9001\n" HEAD, 1, "mtu", "9001", "576 to 9000");
	expect_error("address", HEAD "address = {\"10.77.0.1/24\",\n\"10.77.0.256/24\"}\n",
		     5, "address", "10.77.0.256/24", "not an IPv4 or IPv6 address");
	expect_error("address prefix", HEAD "address = \"10.77.0.1/33\"\n", 4, "address",
		     "10.77.0.1/33", "prefix length");
	expect_error("address v6 prefix", HEAD "address += \"fd77::1/129\"\n", 4, "address",
		     "fd77::1/129", "0 to 128");
	expect_error("user", HEAD "user = \"no-such-user-ovpn\"\n", 4, "user",
		     "no-such-user-ovpn", "no such user");
	expect_error("group", "private-key-file = \"@KEY@\"\nuser = \"root\"\n"
		     "group = \"no-such-group-ovpn\"\n", 3, "group", "no-such-group-ovpn",
		     "no such group");
	expect_error("empty user", HEAD "user = \"\"\n", 4, "user", "", "empty");
	expect_error("log level", HEAD "log-level = \"verbose\"\n", 4, "log-level",
		     "verbose", "error, warning, info, debug");
	expect_error("socket relative", HEAD "control-socket = \"run/x.sock\"\n", 4,
		     "control-socket", "run/x.sock", "absolute");
	expect_error("socket long", HEAD "control-socket = \"/run/"
		     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.sock\"\n", 4, "control-socket", NULL,
		     "107 characters");
	expect_error("unknown", HEAD "# a comment\nlisten-prot = 1\n", 5, "listen-prot",
		     NULL, "unknown option");
}

/* MTU against IPv6: the error is on the mtu line and names the IPv6 one. */
static void test_mtu_ipv6(void)
{
	struct conf c;

	expect_error("mtu v6 address", HEAD "mtu = 1279\naddress = {\"10.77.0.1/24\",\n"
		     "\"fd77::1/64\"}\n", 4, "mtu", "1279", "fd77::1/64 at line 6");
	expect_error("mtu v6 allowed", HEAD "mtu = 1200\npeer \"A\" {\n"
		     "  public-key = \"@A@\"\n  allowed-ips = {\"10.77.0.2/32\",\n"
		     "    \"fd77::/64\"}\n}\n", 4, "mtu", "1200", "fd77::/64 at line 8");
	/* below 1280 is fine for an IPv4-only overlay */
	CHECK_EQ(load_text(HEAD "mtu = 1200\naddress = \"10.77.0.1/24\"\n", &c), 0);
	conf_free(&c);
}

#define PEER_A "peer \"A\" {\n  public-key = \"@A@\"\n  allowed-ips = {\"10.77.0.2/32\"}\n}\n"

static void test_peer_errors(void)
{
	/* lines 4-7 hold PEER_A */
	expect_error("key length", HEAD PEER_A "peer \"B\" {\n  public-key = \"abc=\"\n}\n",
		     9, "public-key", "abc=", "not a key");
	expect_error("key zero", HEAD "peer \"B\" {\n  public-key = "
		     "\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"\n}\n", 5, "public-key",
		     "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "all zero");
	/* a point of order 8: ovpnd -t says so, not the start that follows */
	expect_error("key low order", HEAD "peer \"B\" {\n  public-key = "
		     "\"4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAA=\"\n}\n", 5, "public-key",
		     "4Ot6fDtBuK4WVuP68Z/EatoJjeucMrH9hmIFFl9JuAA=", "small order");
	expect_error("key missing", HEAD PEER_A "peer \"B\"\n{\n  allowed-ips = \"10.1.0.0/16\"\n"
		     "\n}\n", 9, "public-key", NULL, "missing in peer \"B\"");
	expect_error("allowed host bits", HEAD PEER_A "peer \"B\" {\n  public-key = \"@B@\"\n"
		     "  allowed-ips = {\"10.77.1.0/24\",\n    \"10.77.0.1/24\"}\n}\n",
		     11, "allowed-ips", "10.77.0.1/24", "the network is 10.77.0.0/24");
	expect_error("allowed v6 host bits", HEAD "peer \"B\" {\n  public-key = \"@B@\"\n"
		     "  allowed-ips = \"fd77::1/64\"\n}\n", 6, "allowed-ips", "fd77::1/64",
		     "fd77::/64");
	expect_error("allowed syntax", HEAD "peer \"B\" {\n  public-key = \"@B@\"\n"
		     "  allowed-ips = \"10.77.0/24\"\n}\n", 6, "allowed-ips", "10.77.0/24",
		     "not an IPv4 or IPv6 address");
	expect_error("keepalive", HEAD "peer \"B\" {\n  public-key = \"@B@\"\n"
		     "  persistent-keepalive = 65536\n}\n", 6, "persistent-keepalive",
		     "65536", "65535");
	expect_error("routes", HEAD "peer \"B\" {\n  public-key = \"@B@\"\n"
		     "  routes = maybe\n}\n", 6, "routes", "maybe", "true or false");
	expect_error("unknown in peer", HEAD "peer \"B\" {\n  public-key = \"@B@\"\n"
		     "  allowed-ip = \"10.0.0.0/8\"\n}\n", 6, "allowed-ip", NULL,
		     "unknown option in peer \"B\"");
	expect_error("peer name", HEAD "peer \"has space\" {\n  public-key = \"@B@\"\n}\n",
		     4, "peer", "has space", "printable");
	expect_error("peer escape", HEAD "peer 'a\\x41' {\n  public-key = \"@B@\"\n}\n",
		     4, "peer", "a\\x41", "printable");
	expect_error("peer untitled", HEAD "\npeer {\n  public-key = \"@B@\"\n}\n",
		     5, "peer", NULL, "needs a name");
	expect_error("other titled", HEAD "peers \"x\" {\n  public-key = \"@B@\"\n}\n",
		     4, "peers", NULL, "unknown option");
}

static void test_endpoints(void)
{
	static const struct { const char *value; const char *fragment; } bad[] = {
		{ "192.0.2.1", "no port" },
		{ "192.0.2.1:0", "port is not 1 to 65535" },
		{ "192.0.2.1:65536", "port is not 1 to 65535" },
		{ "192.0.2.1:51820x", "port is not 1 to 65535" },
		{ "192.0.2.1:", "port is not 1 to 65535" },
		{ "2001:db8::1:51820", "[address]:port" },
		{ "[2001:db8::1]51820", "[address]:port" },
		{ "[192.0.2.1]:51820", "not an IPv6 address" },
		{ "300.1.2.3:51820", "not an IPv4 address" },
		{ "-bad.example:51820", "not a valid host name" },
		{ "bad_host.example:51820", "not a valid host name" },
		{ ":51820", "no host" },
		{ "[fe80::1%]:51820", "zone after '%'" },
		{ "[fe80::1%eth 0]:51820", "zone after '%'" },
		{ "[fe80::1%averyveryverylongname]:51820", "zone after '%'" },
		{ "[fe80::g%eth0]:51820", "not an IPv6 address" },
	};
	char tmpl[512];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(tmpl, sizeof(tmpl), HEAD "peer \"B\" {\n  public-key = \"@B@\"\n"
			 "  endpoint = \"%s\"\n}\n", bad[i].value);
		expect_error(bad[i].value, tmpl, 6, "endpoint", bad[i].value, bad[i].fragment);
	}
}

static void test_endpoint_good(void)
{
	char host[ENDPOINT_HOST_SIZE];
	uint16_t port = 0;

	CHECK_EQ(endpoint_parse("vpn.example.org:1", host, &port, NULL), 0);
	CHECK(!strcmp(host, "vpn.example.org") && port == 1);
	CHECK_EQ(endpoint_parse("host-1.example.:65535", host, &port, NULL), 0);
	CHECK(!strcmp(host, "host-1.example.") && port == 65535);
	CHECK_EQ(endpoint_parse("[::1]:51820", host, &port, NULL), 0);
	CHECK(!strcmp(host, "::1") && port == 51820);
	CHECK_EQ(endpoint_parse("localhost:80", host, &port, NULL), 0);
	CHECK_EQ(endpoint_parse("[fe80::1%eth0]:51820", host, &port, NULL), 0);
	CHECK(!strcmp(host, "fe80::1%eth0") && port == 51820);
	CHECK_EQ(endpoint_parse("[fe80::2%3]:1", host, &port, NULL), 0);
	CHECK(!strcmp(host, "fe80::2%3") && port == 1);
}

static void test_cross_peer(void)
{
	expect_error("duplicate name", HEAD PEER_A "peer \"A\" {\n  public-key = \"@B@\"\n}\n",
		     8, "peer", "A", "duplicate peer name, first at line 4");
	expect_error("duplicate unquoted name", HEAD PEER_A "peer A {\n  public-key = \"@B@\"\n}\n",
		     8, "peer", "A", "duplicate peer name, first at line 4");
	expect_error("duplicate key", HEAD PEER_A "\npeer \"B\" {\n  allowed-ips = {}\n"
		     "  public-key = \"@A@\"\n}\n", 11, "public-key", pub_a,
		     "peer \"B\" has the key of peer \"A\" (line 5)");
	expect_error("own key", HEAD "peer \"me\" {\n\n  public-key = \"@OWN@\"\n}\n", 6,
		     "public-key", pub_own, "our own public key");
	expect_error("duplicate prefix", HEAD PEER_A "peer \"B\" {\n  public-key = \"@B@\"\n"
		     "  allowed-ips = {\"10.1.0.0/16\",\n    \"10.77.0.2/32\"}\n}\n", 11,
		     "allowed-ips", "10.77.0.2/32", "already routed to peer \"A\" (line 6)");
}

static void test_many_errors(void)
{
	struct conf c;
	char want[300];

	/* every value error is reported, each at its line */
	CHECK_EQ(load_text(HEAD "mtu = 100\n/* x\n*/\nlisten-port = 99999\n"
			"peer \"A\" {\n  public-key = \"@A@\"\n  endpoint = \"x:0\"\n}\n", &c), -1);
	CHECK_EQ(n_errors, 3);
	snprintf(want, sizeof(want), "%s:4: mtu: ", conf_path);
	CHECK_STR_CONTAINS(str(errors[0]), want);
	snprintf(want, sizeof(want), "%s:7: listen-port: ", conf_path);
	CHECK_STR_CONTAINS(str(errors[1]), want);
	snprintf(want, sizeof(want), "%s:10: endpoint: ", conf_path);
	CHECK_STR_CONTAINS(str(errors[2]), want);

	/* checks after parsing report together too */
	CHECK_EQ(load_text(HEAD "user = \"no-such-user-ovpn\"\n" PEER_A
			"peer \"B\" {\n  public-key = \"@A@\"\n}\n", &c), -1);
	CHECK_EQ(n_errors, 2);
	if (n_errors != 2)
		dump_errors("two checks after parsing");

	/* syntax errors stop libconfuse, still with file and line */
	CHECK_EQ(load_text(HEAD "peer \"A\" {\n  public-key = \"@A@\"\n", &c), -1);
	snprintf(want, sizeof(want), "%s:4: '{' opened here is never closed", conf_path);
	CHECK_EQ(n_errors, 1);
	CHECK_STR_CONTAINS(str(errors[0]), want);
	CHECK_EQ(load_text(HEAD "mtu = ", &c), -1);
	snprintf(want, sizeof(want), "%s:4: premature end of file", conf_path);
	CHECK_EQ(n_errors, 1);
	CHECK_STR_CONTAINS(str(errors[0]), want);
	CHECK_EQ(load_text(HEAD "listen-port = 1 }\n", &c), -1);
	snprintf(want, sizeof(want), "%s:4: unexpected closing brace", conf_path);
	CHECK_EQ(n_errors, 1);
	CHECK_STR_CONTAINS(str(errors[0]), want);
	CHECK_EQ(load_text(HEAD "/* never closed\n", &c), -1);
	snprintf(want, sizeof(want), "%s:4: unterminated /* comment", conf_path);
	CHECK_EQ(n_errors, 1);
	CHECK_STR_CONTAINS(str(errors[0]), want);
	CHECK_EQ(load_text("user = \"root\"\ngroup = \"root\"\n", &c), -1);
	CHECK_EQ(n_errors, 1);
	CHECK_STR_CONTAINS(str(errors[0]), "private-key-file: required option missing");
}

static void test_quoted_comment_chars(void)
{
	struct conf c;

	CHECK_EQ(load_text(HEAD "control-socket = '/run/a#b//c/*d.sock' # real comment\n"
			"interface = \"x\\\"#y\" /* comment */\n", &c), -1);
	/* the '#' and '"' inside quotes are the value, not a comment */
	CHECK_EQ(n_errors, 1);
	CHECK_STR_CONTAINS(str(errors[0]), ":5: interface: ");
	CHECK_STR_CONTAINS(str(errors[0]), "'x\"#y'");
	CHECK_EQ(load_text(HEAD "control-socket = '/run/a#b//c/*d.sock' # real comment\n", &c), 0);
	CHECK(c.control_socket && !strcmp(c.control_socket, "/run/a#b//c/*d.sock"));
	conf_free(&c);
}

static void test_cidr(void)
{
	static const char *bad[] = {
		"", "/24", "10.0.0.1/", "10.0.0.1/024", "10.0.0.1/-1", "10.0.0.1/+8",
		" 10.0.0.1/8", "10.0.0.1/8 ", "10.0.1/24", "10.0.0.1/33", "::/129",
		"fe80::1%eth0/64", "10.0.0.1/8/8", "example.org/8",
	};
	struct cidr a, b;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		tap_label("bad[%zu]", i);
		CHECK_LT(cidr_parse(bad[i], &a, NULL), 0);
		if (tap_failed())
			break;
	}
	tap_unlabel();
	CHECK(cidr_parse("0.0.0.0/0", &a, NULL) == 0 && a.prefix_len == 0);
	CHECK(!cidr_host_bits_set(&a));
	CHECK(cidr_parse("::/0", &a, NULL) == 0 && a.family == AF_INET6);
	CHECK(cidr_parse("10.1.2.3", &a, NULL) == 0 && a.prefix_len == 32);
	CHECK(!cidr_host_bits_set(&a));
	CHECK(cidr_parse("fd00::1", &a, NULL) == 0 && a.prefix_len == 128);
	CHECK(cidr_parse("10.77.0.1/23", &a, NULL) == 0 && cidr_host_bits_set(&a));
	cidr_mask(&a);
	check_cidr(&a, "10.77.0.0/23");
	CHECK(cidr_parse("10.77.1.0/23", &a, NULL) == 0 && cidr_host_bits_set(&a));
	CHECK(cidr_parse("10.77.2.0/23", &a, NULL) == 0 && !cidr_host_bits_set(&a));
	CHECK(cidr_parse("fd77::ff:1/121", &a, NULL) == 0 && cidr_host_bits_set(&a));
	cidr_mask(&a);
	check_cidr(&a, "fd77::ff:0/121");
	CHECK(cidr_parse("10.0.0.0/8", &a, NULL) == 0 && cidr_parse("10.0.0.0/16", &b, NULL) == 0);
	CHECK(cidr_compare(&a, &b) < 0 && cidr_compare(&b, &a) > 0 && cidr_compare(&a, &a) == 0);
	CHECK(cidr_parse("::/8", &b, NULL) == 0 && cidr_compare(&a, &b) < 0);
}

/* Loading must not grow quadratically in our checks with the number of
 * peers; libconfuse's own duplicate-title scan is the floor. */
static void test_many_peers(void)
{
	const size_t n = 10000;
	size_t size = n * 200 + 256, len;
	char *text = malloc(size);
	uint8_t pub[KEY_LEN];
	char b64[KEY_BASE64_SIZE];
	struct timespec t0, t1;
	struct conf c;
	double secs;
	FILE *f;

	if (!text)
		exit(99);
	len = (size_t)snprintf(text, size, "private-key-file = \"%s\"\nuser = \"root\"\n"
			       "group = \"root\"\n", key_path);
	for (size_t i = 0; i < n; i++) {
		memset(pub, 0, sizeof(pub));
		memcpy(pub, &i, sizeof(i));
		pub[31] = 1;
		key_to_base64(b64, pub);
		len += (size_t)snprintf(text + len, size - len, "peer \"p%zu\" {\n  public-key = "
					"\"%s\"\n  allowed-ips = {\"10.%zu.%zu.0/24\", \"fd00::%zx/128\"}\n}\n",
					i, b64, i / 256, i % 256, i);
	}
	f = fopen(conf_path, "w");
	if (!f || fputs(text, f) == EOF || fclose(f) == EOF)
		exit(99);
	free(text);
	n_errors = 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK_EQ(conf_load(conf_path, &c), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	printf("# %zu peers loaded in %.3f s\n", n, secs);
	CHECK_EQ(c.n_peers, n);
#ifndef SANITIZED
	CHECK_LT(secs, 1.0);
#endif
	if (n_errors)
		dump_errors("many peers");
	conf_free(&c);
}

/* preshared-key-file: read like the private key, strict, never quoted. */
static void test_psk(void)
{
	char b64[KEY_BASE64_SIZE];
	struct conf c;

	CHECK(load_text(HEAD "peer \"A\" {\n  public-key = \"@A@\"\n"
			"  preshared-key-file = \"@PSK@\"\n}\n" "peer \"B\" {\n"
			"  public-key = \"@B@\"\n}\n", &c) == 0);
	if (n_errors)
		dump_errors("psk");
	CHECK(c.n_peers == 2 && c.peers[0].has_psk && !c.peers[1].has_psk);
	CHECK(!memcmp(c.peers[0].psk, psk, KEY_LEN) && sodium_is_zero(c.peers[1].psk, KEY_LEN));
	CHECK(c.peers[0].preshared_key_file && !strcmp(c.peers[0].preshared_key_file, psk_path));
	CHECK(!c.peers[1].preshared_key_file);
	conf_free(&c);
	expect_error("psk open", HEAD "peer \"A\" {\n  public-key = \"@A@\"\n"
		     "  preshared-key-file = \"@OPEN@\"\n}\n", 6, "preshared-key-file", NULL,
		     "chmod 600");
	CHECK_STR_CONTAINS(str(errors[0]), "pre-shared key");
	expect_error("psk junk", HEAD "peer \"A\" {\n  public-key = \"@A@\"\n\n"
		     "  preshared-key-file = \"@JUNK@\"\n}\n", 7, "preshared-key-file", NULL,
		     "not a key");
	CHECK(strstr(errors[0], "AQIDBAUG") == NULL);
	CHECK_STR_CONTAINS(str(errors[0]), "peer \"A\"");
	expect_error("psk missing", HEAD "peer \"A\" {\n  public-key = \"@A@\"\n"
		     "  preshared-key-file = \"/nonexistent/psk\"\n}\n", 6,
		     "preshared-key-file", NULL, "/nonexistent/psk: cannot open");
	expect_error("psk empty", HEAD "peer \"A\" {\n  public-key = \"@A@\"\n"
		     "  preshared-key-file = \"\"\n}\n", 6, "preshared-key-file", "", "empty");
	key_to_base64(b64, psk);
	for (int i = 0; i < n_errors && i < MAX_ERRORS; i++)
		CHECK(strstr(errors[i], b64) == NULL);
	if (geteuid() == 0) {
		struct passwd *nobody = getpwnam("nobody");

		expect_error("psk owner", HEAD "peer \"A\" {\n  public-key = \"@A@\"\n"
			     "  preshared-key-file = \"@PSKUID@\"\n}\n", 6,
			     "preshared-key-file", NULL, "owned by uid 4242");
		/* The daemon's own account may own it: it re-reads it on reload. */
		CHECK(nobody && chown(psk_other_owner_path, nobody->pw_uid, 0) == 0);
		CHECK(load_text("private-key-file = \"@KEY@\"\nuser = \"nobody\"\n"
				"group = \"root\"\npeer \"A\" {\n  public-key = \"@A@\"\n"
				"  preshared-key-file = \"@PSKUID@\"\n}\n", &c) == 0);
		if (n_errors)
			dump_errors("psk owned by the daemon's account");
		CHECK(c.n_peers == 1 && c.peers[0].has_psk);
		conf_free(&c);
	}
	for (int i = 0; i < n_errors && i < MAX_ERRORS; i++)
		CHECK(strstr(errors[i], b64) == NULL);
}

/* A file of `size` bytes: the usual head, then lines of `width` bytes
 * (a comment padded with spaces), the last one cut to fit. */
static void write_padded(size_t size, size_t width)
{
	char *text = malloc(size + 1);
	size_t len;
	FILE *f;

	if (!text)
		exit(99);
	len = (size_t)snprintf(text, size + 1, HEAD_FMT, key_path);
	while (len < size) {
		size_t n = size - len < width + 1 ? size - len : width + 1;

		memset(text + len, ' ', n);
		text[len] = '#';
		text[len + n - 1] = '\n';
		len += n;
	}
	f = fopen(conf_path, "w");
	if (!f || fwrite(text, 1, size, f) != size || fclose(f) == EOF)
		exit(99);
	free(text);
}

static double cpu_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Lines up to 4096 bytes and files up to 2 MiB load, and quickly (the
 * lexer is quadratic in a line's length); one byte more is one error. */
static void test_size_limits(void)
{
	const size_t cap = 2 * 1024 * 1024;
	struct conf c;
	double t0, secs;

	write_padded(cap, 4096);
	n_errors = 0;
	t0 = cpu_seconds();
	CHECK_EQ(conf_load(conf_path, &c), 0);
	secs = cpu_seconds() - t0;
	printf("# %zu bytes in lines of 4096 checked in %.3f s of CPU\n", cap, secs);
#ifndef SANITIZED
	CHECK(secs < 0.1);
#endif
	conf_free(&c);

	write_padded(cap + 1, 80);
	n_errors = 0;
	CHECK_EQ(conf_load(conf_path, &c), -1);
	CHECK_EQ(n_errors, 1);
	CHECK_STR_CONTAINS(str(errors[0]), "larger than 2097152 bytes");

	write_padded(4096 * 3, 4097);
	n_errors = 0;
	t0 = cpu_seconds();
	CHECK_EQ(conf_load(conf_path, &c), -1);
	CHECK_EQ(n_errors, 1);
	CHECK(cpu_seconds() - t0 < 0.1);
	/* the head is 3 lines: the first long line is line 4 */
	CHECK_STR_CONTAINS(str(errors[0]), ":4: line longer than 4096 bytes (4097)");
}

static void make_keys(void)
{
	char errbuf[KEY_ERRBUF_SIZE];
	static const char junk[] = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=junk\n";
	FILE *f;

	snprintf(conf_path, sizeof(conf_path), "%s/t.conf", tmpdir);
	snprintf(key_path, sizeof(key_path), "%s/own.key", tmpdir);
	snprintf(open_key_path, sizeof(open_key_path), "%s/open.key", tmpdir);
	snprintf(junk_key_path, sizeof(junk_key_path), "%s/junk.key", tmpdir);
	key_generate(priv_own);
	if (key_public_from_private(key_own, priv_own) < 0 ||
	    key_file_write(key_path, priv_own, 0600, false, errbuf, sizeof(errbuf)) < 0 ||
	    key_file_write(open_key_path, priv_own, 0644, false, errbuf, sizeof(errbuf)) < 0)
		exit(99);
	f = fopen(junk_key_path, "w");
	if (!f || fputs(junk, f) == EOF || fclose(f) == EOF || chmod(junk_key_path, 0600) < 0)
		exit(99);
	snprintf(psk_path, sizeof(psk_path), "%s/a.psk", tmpdir);
	snprintf(psk_other_owner_path, sizeof(psk_other_owner_path), "%s/uid.psk", tmpdir);
	randombytes_buf(psk, sizeof(psk));
	if (key_file_write(psk_path, psk, 0600, false, errbuf, sizeof(errbuf)) < 0 ||
	    key_file_write(psk_other_owner_path, psk, 0600, false, errbuf, sizeof(errbuf)) < 0 ||
	    (geteuid() == 0 && chown(psk_other_owner_path, 4242, 4242) < 0))
		exit(99);
	key_generate(key_a);
	key_generate(key_b);
	key_to_base64(pub_a, key_a);
	key_to_base64(pub_b, key_b);
	key_to_base64(pub_own, key_own);
}

int main(void)
{
	char cmd[300];

	if (sodium_init() < 0 || !mkdtemp(tmpdir))
		return 99;
	make_keys();
	conf_set_error_func(capture, NULL);
	RUN(test_full());
	RUN(test_defaults());
	RUN(test_default_account());
	RUN(test_root_errors());
	RUN(test_workers());
	RUN(test_mtu_ipv6());
	RUN(test_peer_errors());
	RUN(test_psk());
	RUN(test_endpoints());
	RUN(test_endpoint_good());
	RUN(test_cross_peer());
	RUN(test_many_errors());
	RUN(test_quoted_comment_chars());
	RUN(test_cidr());
	RUN(test_many_peers());
	RUN(test_size_limits());
	if (!tap_failures) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", tmpdir);
	}
	return tap_done();
}

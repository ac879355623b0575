/* SPDX-License-Identifier: ISC */
/* Unit tests for src/key.c: encoding, derivation and key files. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "key.h"
#include "tap.h"

/* An array passed to CHECK_STR_CONTAINS trips -Waddress on its NULL test. */
static const char *str(const char *s)
{
	return s;
}

/* PROTOCOL.md: private key 01 02 .. 20 and its public key. */
static const char vector_priv_b64[] = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";
static const uint8_t vector_pub[KEY_LEN] = {
	0x07, 0xa3, 0x7c, 0xbc, 0x14, 0x20, 0x93, 0xc8, 0xb7, 0x55, 0xdc, 0x1b,
	0x10, 0xe8, 0x6c, 0xb4, 0x26, 0x37, 0x4a, 0xd1, 0x6a, 0xa8, 0x53, 0xed,
	0x0b, 0xdf, 0xc0, 0xb2, 0xb8, 0x6d, 0x1c, 0x7c,
};

static char tmpdir[] = "/tmp/test_key.XXXXXX";

static char *tmp_path(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	return path;
}

static void write_file(const char *path, const char *data, size_t len, mode_t mode)
{
	int fd;

	unlink(path);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len || fchmod(fd, mode) < 0) {
		perror(path);
		exit(99);
	}
	close(fd);
}

static void test_vector(void)
{
	uint8_t priv[KEY_LEN], pub[KEY_LEN], back[KEY_LEN];
	char text[KEY_BASE64_SIZE];

	for (int i = 0; i < KEY_LEN; i++)
		priv[i] = (uint8_t)(i + 1);
	key_to_base64(text, priv);
	CHECK_STR(text, vector_priv_b64);
	CHECK_EQ(key_from_base64(back, text, strlen(text), NULL), 0);
	CHECK_MEM(back, priv, KEY_LEN);
	CHECK_EQ(key_public_from_private(pub, priv), 0);
	CHECK_MEM(pub, vector_pub, KEY_LEN);
}

static void test_generate(void)
{
	uint8_t a[KEY_LEN], b[KEY_LEN], back[KEY_LEN];
	char text[KEY_BASE64_SIZE];

	key_generate(a);
	key_generate(b);
	CHECK_NE(memcmp(a, b, KEY_LEN), 0);
	CHECK((a[0] & 7) == 0 && (a[31] & 0x80) == 0 && (a[31] & 0x40) != 0);
	key_to_base64(text, a);
	CHECK(strlen(text) == KEY_BASE64_LEN && text[43] == '=');
	CHECK_EQ(key_from_base64(back, text, strlen(text), NULL), 0);
	CHECK_MEM(back, a, KEY_LEN);
}

static void expect_bad(const char *text, const char *reason)
{
	uint8_t key[KEY_LEN];
	const char *why = NULL;

	memset(key, 0xaa, sizeof(key));
	CHECK_LT(key_from_base64(key, text, strlen(text), &why), 0);
	CHECK_STR_CONTAINS(why, reason);
	CHECK(sodium_is_zero(key, sizeof(key)));
}

static void test_malformed(void)
{
	expect_bad("", "empty");
	expect_bad("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA", "wrong length");
	expect_bad("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA==", "wrong length");
	expect_bad("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\n", "wrong length");
	expect_bad("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRob!B0eHyA=", "not base64");
	expect_bad("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRob HB0eHyA", "not base64");
	expect_bad("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyAA", "'='");
	/* base64url is not the standard alphabet */
	expect_bad("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0e_-A=", "not base64");
	/* padding bits set: not the canonical encoding */
	expect_bad("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyB=", "32 bytes");
	/* 31 bytes with "==" is 44 characters too */
	expect_bad("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHw==", "not base64");
}

static int fd_of(const char *data, size_t len)
{
	char *path = tmp_path("fd");
	int fd;

	write_file(path, data, len, 0600);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		exit(99);
	return fd;
}

static void expect_fd(const char *data, size_t len, int want, const char *reason)
{
	char errbuf[KEY_ERRBUF_SIZE] = "";
	uint8_t key[KEY_LEN];
	int fd = fd_of(data, len);

	CHECK_EQ(key_fd_read(fd, "input", key, errbuf, sizeof(errbuf)), want);
	close(fd);
	if (want == 0) {
		CHECK(key[0] == 1 && key[31] == 32);
		return;
	}
	CHECK_STR_CONTAINS(str(errbuf), "input: ");
	CHECK_STR_CONTAINS(str(errbuf), reason);
	/* a private key, even a damaged one, is never quoted */
	CHECK_EQ(strstr(errbuf, "AQIDBAUGBwgJ"), NULL);
	CHECK_EQ(strchr(errbuf, '\n'), NULL);
}

#define S(x) x, sizeof(x) - 1
static void test_fd_read(void)
{
	expect_fd(S("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\n"), 0, NULL);
	expect_fd(S("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="), 0, NULL);
	expect_fd(S(""), -1, "empty");
	expect_fd(S("\n"), -1, "empty");
	expect_fd(S("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\n\n"), -1, "more than 44");
	expect_fd(S("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\r\n"), -1, "more than 44");
	expect_fd(S("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA= "), -1, "more than 44");
	expect_fd(S(" AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="), -1, "more than 44");
	expect_fd(S("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=junkjunkjunk"), -1, "more than 44");
	expect_fd(S("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHy\n"), -1, "wrong length");
	expect_fd(S("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eH\0A=\n"), -1, "not base64");
}

static void test_file_read(void)
{
	char errbuf[KEY_ERRBUF_SIZE];
	uint8_t key[KEY_LEN];
	char *path = tmp_path("k");
	static const char good[] = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\n";

	write_file(path, S(good), 0600);
	CHECK_EQ(key_file_read(path, key, errbuf, sizeof(errbuf)), 0);
	CHECK(key[0] == 1 && key[31] == 32);

	write_file(path, S(good), 0644);
	CHECK_LT(key_file_read(path, key, errbuf, sizeof(errbuf)), 0);
	CHECK_STR_CONTAINS(str(errbuf), path);
	CHECK_STR_CONTAINS(str(errbuf), "0644");
	CHECK_STR_CONTAINS(str(errbuf), "chmod 600");
	CHECK(sodium_is_zero(key, sizeof(key)));

	write_file(path, S(good), 0640);
	CHECK_LT(key_file_read(path, key, errbuf, sizeof(errbuf)), 0);
	CHECK_STR_CONTAINS(str(errbuf), "0640");
	CHECK_STR_CONTAINS(str(errbuf), "chmod 600");

	write_file(path, S(good), 0602);
	CHECK_LT(key_file_read(path, key, errbuf, sizeof(errbuf)), 0);
	CHECK_STR_CONTAINS(str(errbuf), "too open");

	write_file(path, S("AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=x"), 0600);
	CHECK_LT(key_file_read(path, key, errbuf, sizeof(errbuf)), 0);
	CHECK_STR_CONTAINS(str(errbuf), path);
	CHECK_EQ(strstr(errbuf, "AQIDBAUG"), NULL);

	CHECK_LT(key_file_read(tmpdir, key, errbuf, sizeof(errbuf)), 0);
	CHECK_STR_CONTAINS(str(errbuf), "not a regular file");

	path = tmp_path("fifo");
	CHECK_EQ(mkfifo(path, 0600), 0);
	CHECK_LT(key_file_read(path, key, errbuf, sizeof(errbuf)), 0);
	CHECK_STR_CONTAINS(str(errbuf), "not a regular file");

	CHECK_LT(key_file_read(tmp_path("missing"), key, errbuf, sizeof(errbuf)), 0);
	CHECK_STR_CONTAINS(str(errbuf), "cannot open");
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return (mode_t)-1;
	return st.st_mode & 07777;
}

static void test_file_write(void)
{
	char errbuf[KEY_ERRBUF_SIZE];
	uint8_t a[KEY_LEN], b[KEY_LEN], back[KEY_LEN];
	char *path = tmp_path("w.key");
	char target[300];

	key_generate(a);
	key_generate(b);
	umask(0);
	CHECK_EQ(key_file_write(path, a, 0600, false, errbuf, sizeof(errbuf)), 0);
	CHECK_EQ(mode_of(path), 0600);
	CHECK_EQ(key_file_read(path, back, errbuf, sizeof(errbuf)), 0);
	CHECK_MEM(back, a, KEY_LEN);

	/* O_EXCL: no overwrite without force, and the old key survives */
	errno = 0;
	CHECK_LT(key_file_write(path, b, 0600, false, errbuf, sizeof(errbuf)), 0);
	CHECK_EQ(errno, EEXIST);
	CHECK_STR_CONTAINS(str(errbuf), "already exists");
	CHECK_EQ(key_file_read(path, back, errbuf, sizeof(errbuf)), 0);
	CHECK_MEM(back, a, KEY_LEN);

	/* force replaces, and the new file has the mode asked, not the old one */
	CHECK_EQ(chmod(path, 0644), 0);
	CHECK_EQ(key_file_write(path, b, 0600, true, errbuf, sizeof(errbuf)), 0);
	CHECK_EQ(mode_of(path), 0600);
	CHECK_EQ(key_file_read(path, back, errbuf, sizeof(errbuf)), 0);
	CHECK_MEM(back, b, KEY_LEN);

	/* the umask does not narrow a public key file's 0644 */
	umask(077);
	CHECK_EQ(key_file_write(tmp_path("w.pub"), b, 0644, false, errbuf, sizeof(errbuf)), 0);
	CHECK_EQ(mode_of(tmp_path("w.pub")), 0644);
	umask(022);

	/* a symlink is never written through */
	snprintf(target, sizeof(target), "%s", tmp_path("target"));
	write_file(target, S("keep"), 0644);
	path = tmp_path("link");
	CHECK_EQ(symlink(target, path), 0);
	CHECK_LT(key_file_write(path, a, 0600, false, errbuf, sizeof(errbuf)), 0);
	CHECK_EQ(key_file_write(path, a, 0600, true, errbuf, sizeof(errbuf)), 0);
	CHECK_EQ((mode_of(path) & 0777), 0600);
	CHECK_EQ(mode_of(target), 0644);

	CHECK_LT(key_file_write(tmp_path("nodir/k"), a, 0600, false, errbuf, sizeof(errbuf)), 0);
	CHECK_STR_CONTAINS(str(errbuf), "cannot create");
}

/* The points of small order on Curve25519 (and their non-canonical
 * forms), as libsodium and WireGuard list them. */
static void test_low_order(void)
{
	static const uint8_t low[][KEY_LEN] = {
		{ 0 },
		{ 1 },
		{ 0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f,
		  0xc4, 0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16,
		  0x5f, 0x49, 0xb8, 0x00 },
		{ 0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1, 0x55, 0x9c, 0x83,
		  0xef, 0x5b, 0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c, 0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd,
		  0xd0, 0x9f, 0x11, 0x57 },
	};
	uint8_t p[KEY_LEN], pub[KEY_LEN], priv[KEY_LEN], q[KEY_LEN];

	key_generate(priv);
	for (size_t i = 0; i < sizeof(low) / sizeof(low[0]); i++) {
		CHECK(key_public_is_low_order(low[i]));
		/* the same verdict as the X25519 multiplication itself */
		CHECK(crypto_scalarmult(q, priv, low[i]) != 0);
		memcpy(p, low[i], KEY_LEN);
		p[31] |= 0x80;		/* bit 255 is ignored */
		CHECK(key_public_is_low_order(p));
	}
	/* p - 1, p, p + 1 */
	for (int d = -1; d <= 1; d++) {
		memset(p, 0xff, sizeof(p));
		p[31] = 0x7f;
		p[0] = (uint8_t)(0xed + d);
		CHECK(key_public_is_low_order(p));
		CHECK(crypto_scalarmult(q, priv, p) != 0);
	}
	CHECK(!key_public_is_low_order(vector_pub));
	for (int i = 0; i < 100; i++) {
		key_generate(priv);
		CHECK(key_public_from_private(pub, priv) == 0);
		CHECK(!key_public_is_low_order(pub));
	}
}

/* Owned by another account than root, the caller or the daemon's: refused. */
static void test_file_owner(void)
{
	char errbuf[KEY_ERRBUF_SIZE];
	uint8_t key[KEY_LEN];
	char *path = tmp_path("owned");
	static const char good[] = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\n";

	if (geteuid() != 0) {
		fprintf(stderr, "test_file_owner: needs root to chown, not run\n");
		return;
	}
	write_file(path, S(good), 0600);
	CHECK(chown(path, 12345, 12345) == 0);
	CHECK(key_file_read(path, key, errbuf, sizeof(errbuf)) < 0);
	CHECK_STR_CONTAINS(str(errbuf), "owned by uid 12345");
	CHECK(sodium_is_zero(key, sizeof(key)));
	CHECK(key_file_read_owned(path, 4242, key, errbuf, sizeof(errbuf)) < 0);
	CHECK_STR_CONTAINS(str(errbuf), "daemon's account (uid 4242)");
	CHECK(key_file_read_owned(path, 12345, key, errbuf, sizeof(errbuf)) == 0);
	CHECK(key[0] == 1 && key[31] == 32);
}

int main(void)
{
	if (sodium_init() < 0 || !mkdtemp(tmpdir))
		return 99;
	RUN(test_vector());
	RUN(test_generate());
	RUN(test_malformed());
	RUN(test_fd_read());
	RUN(test_file_read());
	RUN(test_file_write());
	RUN(test_low_order());
	RUN(test_file_owner());
	if (!tap_failures) {
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", tmpdir);
	}
	return tap_done();
}

/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "key.h"

static bool is_base64_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '+' || c == '/';
}

int key_from_base64(uint8_t key[KEY_LEN], const char *text, size_t len,
		    const char **why)
{
	const char *reason = NULL;
	const char *end = NULL;
	size_t bin_len = 0;

	if (len == 0) {
		reason = "empty";
		goto out;
	}
	if (len != KEY_BASE64_LEN) {
		reason = "wrong length (a key is 44 base64 characters)";
		goto out;
	}
	for (size_t i = 0; i < KEY_BASE64_LEN - 1; i++) {
		if (!is_base64_char(text[i])) {
			reason = "contains a character that is not base64";
			goto out;
		}
	}
	if (text[KEY_BASE64_LEN - 1] != '=') {
		reason = "does not end with '='";
		goto out;
	}
	if (sodium_base642bin(key, KEY_LEN, text, len, NULL, &bin_len, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != text + len || bin_len != KEY_LEN)
		reason = "not the base64 encoding of 32 bytes";
out:
	if (reason) {
		sodium_memzero(key, KEY_LEN);
		if (why)
			*why = reason;
		return -1;
	}
	return 0;
}

void key_to_base64(char out[KEY_BASE64_SIZE], const uint8_t key[KEY_LEN])
{
	sodium_bin2base64(out, KEY_BASE64_SIZE, key, KEY_LEN,
			  sodium_base64_VARIANT_ORIGINAL);
}

/* libsodium clamps the scalar itself, so unclamped keys from other tools
 * give the same public key as `wg pubkey`. */
int key_public_from_private(uint8_t pub[KEY_LEN], const uint8_t priv[KEY_LEN])
{
	if (crypto_scalarmult_base(pub, priv) != 0) {
		sodium_memzero(pub, KEY_LEN);
		return -1;
	}
	return 0;
}

/* The check crypto_scalarmult makes before it computes (its result would
 * be all zero): the encodings of the points of order 1, 2, 4 and 8 and
 * their non-canonical forms, bit 255 ignored. A table, not a scalar
 * multiplication: ovpnd -t checks every peer's key. */
bool key_public_is_low_order(const uint8_t pub[KEY_LEN])
{
	static const uint8_t blocklist[][KEY_LEN] = {
		{ 0 },	/* 0 (order 4) */
		{ 1 },	/* 1 (order 1) */
		/* 325606250916557431795983626356110631294008115727848805560023387167927233504 (order 8) */
		{ 0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3, 0xfa, 0xf1, 0x9f,
		  0xc4, 0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16,
		  0x5f, 0x49, 0xb8, 0x00 },
		/* 39382357235489614581723060781553021112529911719440698176882885853963445705823 (order 8) */
		{ 0x5f, 0x9c, 0x95, 0xbc, 0xa3, 0x50, 0x8c, 0x24, 0xb1, 0xd0, 0xb1, 0x55, 0x9c, 0x83,
		  0xef, 0x5b, 0x04, 0x44, 0x5c, 0xc4, 0x58, 0x1c, 0x8e, 0x86, 0xd8, 0x22, 0x4e, 0xdd,
		  0xd0, 0x9f, 0x11, 0x57 },
		/* p-1 (order 2), p (= 0), p+1 (= 1) */
		{ 0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff, 0x7f },
		{ 0xed, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff, 0x7f },
		{ 0xee, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		  0xff, 0xff, 0xff, 0x7f },
	};
	uint8_t k[KEY_LEN];

	memcpy(k, pub, KEY_LEN);
	k[31] &= 0x7f;
	for (size_t i = 0; i < sizeof(blocklist) / sizeof(blocklist[0]); i++)
		if (!memcmp(k, blocklist[i], KEY_LEN))	/* public keys: no secret */
			return true;
	return false;
}

void key_generate(uint8_t priv[KEY_LEN])
{
	randombytes_buf(priv, KEY_LEN);
	priv[0] &= 248;
	priv[31] &= 127;
	priv[31] |= 64;
}

/* Reads until EOF or size bytes; returns the count or -1. */
static ssize_t read_bounded(int fd, char *buf, size_t size)
{
	size_t got = 0;

	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int key_fd_read(int fd, const char *name, uint8_t key[KEY_LEN],
		char *errbuf, size_t errlen)
{
	/* One byte more than a key and its newline, to see trailing junk. */
	char buf[KEY_BASE64_LEN + 2];
	const char *why = NULL;
	ssize_t n;
	int ret = -1;

	n = read_bounded(fd, buf, sizeof(buf));
	if (n < 0) {
		snprintf(errbuf, errlen, "%s: read error: %s", name, strerror(errno));
		goto out;
	}
	if (n > 0 && buf[n - 1] == '\n')
		n--;
	if (n > KEY_BASE64_LEN) {
		snprintf(errbuf, errlen, "%s: not a key: more than 44 characters "
			 "(a key is 44 base64 characters and one optional newline)", name);
		goto out;
	}
	if (key_from_base64(key, buf, (size_t)n, &why) < 0) {
		snprintf(errbuf, errlen, "%s: not a key: %s", name, why);
		goto out;
	}
	ret = 0;
out:
	sodium_memzero(buf, sizeof(buf));
	if (ret < 0)
		sodium_memzero(key, KEY_LEN);
	return ret;
}

/* A regular file only its owner may access, owned by root, by us or by
 * also_uid (the account that re-reads it on reload). what: "private key". */
static int check_key_file_stat(int fd, const char *path, const char *what,
			       uid_t also_uid, char *errbuf, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) < 0) {
		snprintf(errbuf, errlen, "%s: cannot stat: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(errbuf, errlen, "%s: not a regular file", path);
		return -1;
	}
	if (st.st_mode & 077) {
		snprintf(errbuf, errlen, "%s: permissions %04o are too open: group or "
			 "others can access this %s; run chmod 600 %s",
			 path, (unsigned)(st.st_mode & 07777), what, path);
		return -1;
	}
	/* As ssh: a key of another account may have been swapped in by it. */
	if (st.st_uid != 0 && st.st_uid != geteuid() && st.st_uid != also_uid) {
		snprintf(errbuf, errlen, "%s: owned by uid %u, not by root or the daemon's "
			 "account (uid %u): refusing this %s; run chown root %s", path,
			 (unsigned)st.st_uid, (unsigned)also_uid, what, path);
		return -1;
	}
	return 0;
}

static int key_file_read_as(const char *path, const char *what, uid_t also_uid,
			    uint8_t key[KEY_LEN], char *errbuf, size_t errlen)
{
	int fd;
	int ret = -1;

	/* O_NONBLOCK: a FIFO must not hang us before fstat refuses it. */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		snprintf(errbuf, errlen, "%s: cannot open: %s", path, strerror(errno));
		goto out;
	}
	if (check_key_file_stat(fd, path, what, also_uid, errbuf, errlen) < 0)
		goto out;
	ret = key_fd_read(fd, path, key, errbuf, errlen);
out:
	if (fd >= 0)
		close(fd);
	if (ret < 0)
		sodium_memzero(key, KEY_LEN);
	return ret;
}

int key_file_read(const char *path, uint8_t key[KEY_LEN],
		  char *errbuf, size_t errlen)
{
	return key_file_read_as(path, "private key", geteuid(), key, errbuf, errlen);
}

int key_file_read_owned(const char *path, uid_t owner, uint8_t key[KEY_LEN],
			char *errbuf, size_t errlen)
{
	return key_file_read_as(path, "private key", owner, key, errbuf, errlen);
}

int key_psk_file_read(const char *path, uid_t daemon_uid, uint8_t key[KEY_LEN],
		      char *errbuf, size_t errlen)
{
	return key_file_read_as(path, "pre-shared key", daemon_uid, key, errbuf, errlen);
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int key_fd_write(int fd, const uint8_t key[KEY_LEN])
{
	char text[KEY_BASE64_SIZE];
	int ret;

	key_to_base64(text, key);
	text[KEY_BASE64_LEN] = '\n';
	ret = write_all(fd, text, sizeof(text));
	sodium_memzero(text, sizeof(text));
	return ret;
}

static int open_new(const char *path, mode_t mode, bool force,
		    char *errbuf, size_t errlen)
{
	int fd;

	/* Replace by unlink and exclusive create: never write through a
	 * symlink, never inherit the old file's mode. */
	if (force && unlink(path) < 0 && errno != ENOENT) {
		snprintf(errbuf, errlen, "%s: cannot replace: %s", path, strerror(errno));
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
	if (fd < 0) {
		int err = errno;

		if (err == EEXIST)
			snprintf(errbuf, errlen, "%s: already exists, not overwriting it", path);
		else
			snprintf(errbuf, errlen, "%s: cannot create: %s", path, strerror(err));
		errno = err;
		return -1;
	}
	return fd;
}

int key_file_write(const char *path, const uint8_t key[KEY_LEN], mode_t mode,
		   bool force, char *errbuf, size_t errlen)
{
	int fd;
	int ret = -1;

	fd = open_new(path, mode, force, errbuf, errlen);
	if (fd < 0)
		return -1;
	/* The umask may have narrowed the mode; the caller asked for this one. */
	if (fchmod(fd, mode) < 0 || key_fd_write(fd, key) < 0) {
		snprintf(errbuf, errlen, "%s: cannot write: %s", path, strerror(errno));
		close(fd);
		goto out;
	}
	if (close(fd) < 0) {
		snprintf(errbuf, errlen, "%s: cannot write: %s", path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	/* A half-written key file must not be mistaken for a key. */
	if (ret < 0)
		unlink(path);
	return ret;
}

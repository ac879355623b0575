/* SPDX-License-Identifier: ISC */
/* X25519 keys: generation, derivation and the base64 text form of wg(8). */
#ifndef OVPN_KEY_H
#define OVPN_KEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define KEY_LEN 32
/* Standard base64 with padding: 43 significant characters and one '='. */
#define KEY_BASE64_LEN 44
#define KEY_BASE64_SIZE (KEY_BASE64_LEN + 1)
/* Enough for any message of key_file_read/key_file_write/key_fd_read. */
#define KEY_ERRBUF_SIZE 512

/*
 * Decode exactly KEY_BASE64_LEN characters of text into key.  On failure,
 * *why (if not NULL) says what is wrong without quoting the text, so the
 * caller decides whether the value may be shown (never for a private key).
 */
int key_from_base64(uint8_t key[KEY_LEN], const char *text, size_t len,
		    const char **why);
void key_to_base64(char out[KEY_BASE64_SIZE], const uint8_t key[KEY_LEN]);

int key_public_from_private(uint8_t pub[KEY_LEN], const uint8_t priv[KEY_LEN]);
/* A new clamped private key, as `wg genkey` makes. */
void key_generate(uint8_t priv[KEY_LEN]);

/*
 * Read one key (44 characters, one optional '\n') from fd; name is used in
 * messages ("standard input").  Errors go to errbuf as one line.
 */
int key_fd_read(int fd, const char *name, uint8_t key[KEY_LEN],
		char *errbuf, size_t errlen);
/*
 * Read a private key file, refusing non-regular files, files that group
 * or others may access (as ssh does) and files owned by neither root nor
 * us.  Errors name the file in errbuf, never its content.
 */
int key_file_read(const char *path, uint8_t key[KEY_LEN],
		  char *errbuf, size_t errlen);
/*
 * The same for a pre-shared key file, which may also be owned by
 * daemon_uid: the account that reads it again on reload.
 */
int key_psk_file_read(const char *path, uid_t daemon_uid, uint8_t key[KEY_LEN],
		      char *errbuf, size_t errlen);
/* The same; the file must be owned by root, by owner (the daemon's
 * account) or by the caller's effective uid. */
int key_file_read_owned(const char *path, uid_t owner, uint8_t key[KEY_LEN],
			char *errbuf, size_t errlen);
/* A public key of small order (all-zero shared secrets): unusable. */
bool key_public_is_low_order(const uint8_t pub[KEY_LEN]);
/* Write key as base64 and '\n' to fd, bypassing stdio buffers that would
 * keep a copy; -1 with errno on failure. */
int key_fd_write(int fd, const uint8_t key[KEY_LEN]);
/*
 * Write key as base64 and '\n' to path with the given mode.  An existing
 * file is an error (errno EEXIST) unless force, which replaces it.
 */
int key_file_write(const char *path, const uint8_t key[KEY_LEN], mode_t mode,
		   bool force, char *errbuf, size_t errlen);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer: key text, as read from key files, stdin and configs:
 * key_from_base64 directly, and key_fd_read from a memory file. A key that
 * parses must encode back to the same text.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sodium.h>

#include "key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t key[KEY_LEN];
	char text[KEY_BASE64_SIZE], err[KEY_ERRBUF_SIZE];
	const char *why;
	int fd;

	if (sodium_init() < 0)
		abort();
	if (key_from_base64(key, (const char *)data, size, &why) == 0) {
		key_to_base64(text, key);
		if (size != KEY_BASE64_LEN || memcmp(text, data, KEY_BASE64_LEN))
			abort();
	}
	fd = memfd_create("fuzz.key", 0);
	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	lseek(fd, 0, SEEK_SET);
	(void)key_fd_read(fd, "fuzz.key", key, err, sizeof(err));
	close(fd);
	return 0;
}

/* SPDX-License-Identifier: ISC */
/*
 * libFuzzer: the config file. The input is written to a memory file and
 * loaded with conf_load, the daemon's own loader (libconfuse included);
 * errors go to a sink. A config that loads must free cleanly.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include <sodium.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void sink(const char *msg, void *arg)
{
	(void)msg;
	(void)arg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	static const uint8_t key[32] = { 1, 2, 3 };
	char path[64];
	struct conf cfg;
	int fd;

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		conf_set_error_func(sink, NULL);
		ready = 1;
	}
	fd = memfd_create("fuzz.conf", 0);
	if (fd < 0)
		abort();
	if (size && write(fd, data, size) != (ssize_t)size)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	/* The key is given, as on reload: no key file is needed. */
	if (conf_load_with_key(path, &cfg, key) == 0)
		conf_free(&cfg);
	close(fd);
	return 0;
}

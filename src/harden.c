/* SPDX-License-Identifier: ISC */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "harden.h"
#include "log.h"

/* Without close_range (Linux < 5.9): the open ones as /proc lists them,
 * else every number up to the limit. */
static void harden_close_fallback(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct rlimit rl;

	if (dir) {
		struct dirent *e;
		int self = dirfd(dir);

		while ((e = readdir(dir))) {
			int fd = atoi(e->d_name);

			if (fd > STDERR_FILENO && fd != self)
				close(fd);
		}
		closedir(dir);
		return;
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur == RLIM_INFINITY)
		rl.rlim_cur = 65536;
	for (rlim_t fd = STDERR_FILENO + 1; fd < rl.rlim_cur; fd++)
		close((int)fd);
}

int harden_start(void)
{
	if (syscall(SYS_close_range, STDERR_FILENO + 1, ~0U, 0) < 0)
		harden_close_fallback();
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		log_err("cannot make the process non-dumpable: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* SPDX-License-Identifier: ISC */
/* Hook commands, and the helper that keeps the privileges to run the
 * down-hooks after the daemon dropped its own. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hooks.h"
#include "log.h"

static const char *const hook_names[CONF_HOOK_COUNT] = {
	"pre-up", "post-up", "pre-down", "post-down"
};

/* cmd with %i replaced by ifname and %% by %; NULL when out of memory. */
static char *hook_expand(const char *cmd, const char *ifname)
{
	size_t n = 0, il = strlen(ifname);
	char *out, *o;

	for (const char *c = cmd; *c; c++)
		n += (c[0] == '%' && c[1] == 'i') ? il : 1;
	out = o = malloc(n + 1);
	if (!out)
		return NULL;
	for (const char *c = cmd; *c; c++) {
		if (c[0] == '%' && c[1] == 'i') {
			memcpy(o, ifname, il);
			o += il;
			c++;
		} else if (c[0] == '%' && c[1] == '%') {
			*o++ = '%';
			c++;
		} else {
			*o++ = *c;
		}
	}
	*o = '\0';
	return out;
}

int hooks_run(const struct conf *cfg, enum conf_hook which, const char *ifname)
{
	const char *name = hook_names[which];
	char *cmd;
	pid_t pid;
	int status = 0;

	if (!cfg->hook[which])
		return 0;
	cmd = hook_expand(cfg->hook[which], ifname);
	if (!cmd) {
		log_err("%s: %s hook: out of memory", ifname, name);
		return -1;
	}
	log_info("%s: running %s hook: %s", ifname, name, cmd);
	pid = fork();
	if (pid == 0) {
		sigset_t none;

		/* the daemon blocks its signals for signalfd: not the hook */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	free(cmd);
	if (pid < 0) {
		log_err("%s: %s hook: fork: %s", ifname, name, strerror(errno));
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		log_err("%s: %s hook failed (exit status %d) in %s", ifname, name,
			WEXITSTATUS(status), cfg->file);
	else
		log_err("%s: %s hook failed (killed by signal %d) in %s", ifname, name,
			WIFSIGNALED(status) ? WTERMSIG(status) : 0, cfg->file);
	return -1;
}

/* The helper: 'A' arms, 'P'/'D' run pre-down/post-down and answer '0' or
 * '1'; end of file runs whatever down-hook is still due when armed. */
static void helper_main(const struct conf *cfg, const char *ifname, int fd)
{
	bool armed = false, ran[CONF_HOOK_COUNT] = { false };
	char c;

	/* the daemon's terminal and service manager signal it; the helper
	 * waits for the daemon to go */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	for (;;) {
		ssize_t n = read(fd, &c, 1);
		enum conf_hook w;
		char ok;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (c == 'A') {
			armed = true;
			continue;
		}
		w = c == 'P' ? CONF_PRE_DOWN : CONF_POST_DOWN;
		ok = '1';
		if (armed && !ran[w]) {
			ran[w] = true;
			ok = hooks_run(cfg, w, ifname) == 0 ? '0' : '1';
		} else if (!armed) {
			ok = '0';
		}
		if (write(fd, &ok, 1) != 1)
			break;
	}
	for (int w = CONF_PRE_DOWN; armed && w <= CONF_POST_DOWN; w++)
		if (!ran[w]) {
			log_warn("%s: the daemon ended without running the %s hook: running it now",
				 ifname, hook_names[w]);
			hooks_run(cfg, (enum conf_hook)w, ifname);
		}
	_exit(0);
}

int hooks_start(struct hooks *h, const struct conf *cfg, const char *ifname)
{
	int sv[2];

	h->fd = -1;
	h->helper = 0;
	h->armed = false;
	if (!cfg->hook[CONF_PRE_DOWN] && !cfg->hook[CONF_POST_DOWN])
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		log_err("hooks: socketpair: %s", strerror(errno));
		return -1;
	}
	h->helper = fork();
	if (h->helper < 0) {
		log_err("hooks: fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		h->helper = 0;
		return -1;
	}
	if (h->helper == 0) {
		/* hold nothing of the daemon's: no tun, socket or pipe */
		long max = sysconf(_SC_OPEN_MAX);

		for (int fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
			if (fd != sv[1])
				close(fd);
		helper_main(cfg, ifname, sv[1]);
	}
	close(sv[1]);
	h->fd = sv[0];
	return 0;
}

void hooks_arm(struct hooks *h)
{
	char c = 'A';

	h->armed = true;
	if (h->fd >= 0 && write(h->fd, &c, 1) != 1)
		log_warn("hooks: the down-hook helper is gone: %s", strerror(errno));
}

int hooks_down(struct hooks *h, enum conf_hook which)
{
	char c = which == CONF_PRE_DOWN ? 'P' : 'D', ok = '1';

	if (!h->armed || h->fd < 0)
		return 0;
	if (write(h->fd, &c, 1) != 1 || read(h->fd, &ok, 1) != 1) {
		log_err("hooks: the down-hook helper is gone: %s", strerror(errno));
		return -1;
	}
	return ok == '0' ? 0 : -1;
}

void hooks_stop(struct hooks *h)
{
	if (h->fd >= 0)
		close(h->fd);
	h->fd = -1;
	if (h->helper > 0)
		while (waitpid(h->helper, NULL, 0) < 0 && errno == EINTR)
			;
	h->helper = 0;
}

/* SPDX-License-Identifier: ISC */
/*
 * The seccomp-bpf allowlist, installed after the privilege drop. A job the
 * daemon takes on later (a listener, a thread, a resolver) adds its calls
 * as one line of the table below; calls whose arguments are worth checking
 * (mmap, mprotect, socket, openat, ioctl, tgkill) are ruled on in
 * sandbox_rules_args(), never in the table. What a new job would add,
 * for instance: threads started after the drop "clone clone3
 * set_robust_list rseq"; a TCP listener "listen"; a child process is not
 * possible (fork and execve stay outside: start it before the drop).
 * sandbox = log and dmesg (audit type 1326, syscall=N) show what is missing.
 */
#include "config.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "sandbox.h"

/* Calls allowed with any arguments, by the job that needs them. Names, not
 * numbers: libseccomp maps them for the architecture it builds for. */
static const struct sandbox_job {
	const char *job;
	const char *calls;
} sandbox_jobs[] = {
	{ "event loop", "epoll_wait epoll_pwait epoll_pwait2 epoll_ctl read write readv "
			"writev close clock_gettime clock_nanosleep nanosleep gettimeofday "
			"time restart_syscall rt_sigprocmask rt_sigreturn" },
	{ "data path", "recvmmsg sendmmsg recvmsg sendmsg recvfrom sendto" },
	{ "control socket", "accept4 getsockopt" },
	{ "metrics listener", "shutdown" },	/* GET /metrics: reply, then shut our side */
	{ "netlink routes", "getsockname" },
	{ "reload", "fstat newfstatat statx lseek fcntl connect poll ppoll bind "
		    "setsockopt getpid getuid geteuid getgid getegid uname" },
	{ "memory", "brk munmap mremap madvise mlock munlock" },
	{ "randomness", "getrandom" },
	{ "threads", "futex sched_yield gettid rseq set_robust_list" },
	/* the resolver thread (started before the filter; TSYNC covers it):
	 * getaddrinfo's sockets and files are in the jobs above; stopping it
	 * cancels a lookup in progress (glibc installs SIGCANCEL's handler) */
	{ "resolver", "rt_sigaction" },
	{ "start-up tail", "dup2 dup3" },
	{ "exit", "unlink unlinkat exit exit_group" },
	{ "down-hooks", "wait4" },	/* reap the helper forked before the drop (it runs them) */
#ifdef OVPN_SANITIZERS
	/* ASan/UBSan/LSan runtime (--enable-sanitizers only): its reports and
	 * the leak check at exit, which stops the world with a ptrace'ing
	 * clone. Never in a normal build. */
	{ "sanitizers", "prctl clone ptrace wait4 sigaltstack rt_sigaction getdents getdents64 "
			"readlink readlinkat sched_getaffinity getppid pipe pipe2 kill "
			"openat open" },
#endif
};

/* Families socket() may open: syslog and NSS (unix), name resolution
 * (inet, inet6, and netlink for getaddrinfo's address sort). */
static const int sandbox_families[] = { AF_UNIX, AF_INET, AF_INET6, AF_NETLINK };

int sandbox_mode_parse(const char *text)
{
	static const struct {
		const char *name;
		enum sandbox_mode mode;
	} names[] = {
		{ "true", SANDBOX_ON }, { "yes", SANDBOX_ON }, { "on", SANDBOX_ON },
		{ "false", SANDBOX_OFF }, { "no", SANDBOX_OFF }, { "off", SANDBOX_OFF },
		{ "log", SANDBOX_LOG },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(text, names[i].name))
			return (int)names[i].mode;
	return -1;
}

const char *sandbox_mode_name(enum sandbox_mode mode)
{
	return mode == SANDBOX_ON ? "on" : mode == SANDBOX_LOG ? "log" : "off";
}

int sandbox_check(enum sandbox_mode mode)
{
	const char *why = NULL;

	if (mode == SANDBOX_OFF)
		return 0;
	if (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) < 0 && errno == EINVAL)
		why = "this kernel has no seccomp support (CONFIG_SECCOMP)";
	else if (seccomp_api_get() < 3)
		why = "this kernel's seccomp lacks filters with kill-process and log "
		      "actions on all threads (Linux 4.14 or later with CONFIG_SECCOMP_FILTER)";
	if (why) {
		log_err("sandbox: %s; refusing to start unsandboxed: set sandbox = false "
			"to run without it", why);
		return -1;
	}
	return 0;
}

/* Each space-separated name of calls, by callback; -1 stops. */
static int sandbox_each_call(const char *calls, int (*fn)(const char *name, void *arg),
			     void *arg)
{
	char name[64];

	while (*calls) {
		size_t n = strcspn(calls, " ");

		if (n && n < sizeof(name)) {
			memcpy(name, calls, n);
			name[n] = '\0';
			if (fn(name, arg) < 0)
				return -1;
		}
		calls += n;
		calls += strspn(calls, " ");
	}
	return 0;
}

static int sandbox_allow_name(const char *name, void *arg)
{
	int nr = seccomp_syscall_resolve_name(name);

	if (nr == __NR_SCMP_ERROR) {
		log_err("sandbox: unknown system call '%s' in the allowlist", name);
		return -1;
	}
	if (seccomp_rule_add(arg, SCMP_ACT_ALLOW, nr, 0) < 0) {
		log_err("sandbox: cannot allow %s", name);
		return -1;
	}
	return 0;
}

static int sandbox_known_name(const char *name, void *arg)
{
	if (seccomp_syscall_resolve_name(name) != __NR_SCMP_ERROR)
		return 0;
	*(const char **)arg = name;
	return -1;
}

int sandbox_table_check(const char **bad)
{
	static char name[64];
	const char *found = NULL;

	for (size_t i = 0; i < sizeof(sandbox_jobs) / sizeof(sandbox_jobs[0]); i++) {
		if (sandbox_each_call(sandbox_jobs[i].calls, sandbox_known_name, &found) < 0) {
			snprintf(name, sizeof(name), "%s", found);
			*bad = name;
			return -1;
		}
	}
	return 0;
}

/* Calls allowed only with some arguments: no executable memory, sockets
 * of the families in use, files opened read-only, the ioctls that only
 * read (FIONREAD, TCGETS, interface name and index), signals only to this
 * process (abort). */
static int sandbox_rules_args(scmp_filter_ctx ctx)
{
	int rc = 0;

	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
			       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
			       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	for (size_t i = 0; i < sizeof(sandbox_families) / sizeof(sandbox_families[0]); i++)
		rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
				       SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)sandbox_families[i], 0));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
			       SCMP_A2(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
			       SCMP_A1(SCMP_CMP_MASKED_EQ, O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
			       SCMP_A1(SCMP_CMP_EQ, FIONREAD, 0));
	/* the config lexer's isatty() on the text it reads; interface names
	 * in netlink's messages (if_indextoname) */
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
			       SCMP_A1(SCMP_CMP_EQ, TCGETS, 0));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
			       SCMP_A1(SCMP_CMP_EQ, SIOCGIFNAME, 0));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
			       SCMP_A1(SCMP_CMP_EQ, SIOCGIFINDEX, 0));
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
			       SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid(), 0));
	return rc ? -1 : 0;
}

/*
 * glibc loads a name-service module (libnss_mdns4_minimal, libnss_resolve,
 * ...) on its first use, mapping code: after the filter that is refused,
 * and kills the daemon. Load now those that /etc/nsswitch.conf names for
 * hosts, passwd and group (what a reload looks up), so that glibc finds
 * them loaded. files and dns are inside libc.
 */
static void sandbox_preload_nss(void)
{
	FILE *f = fopen("/etc/nsswitch.conf", "re");
	char line[512], lib[96];

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *save = NULL, *word = strtok_r(line, " \t\n", &save);

		if (!word || (strcmp(word, "hosts:") && strcmp(word, "passwd:") &&
			      strcmp(word, "group:")))
			continue;
		while ((word = strtok_r(NULL, " \t\n", &save))) {
			if (word[0] == '[' || word[0] == '#' || !strcmp(word, "files") ||
			    !strcmp(word, "dns"))
				continue;
			snprintf(lib, sizeof(lib), "libnss_%s.so.2", word);
			if (!dlopen(lib, RTLD_NOW | RTLD_NODELETE))
				log_debug("sandbox: name service module %s: %s", lib, dlerror());
		}
	}
	fclose(f);
}

int sandbox_apply(enum sandbox_mode mode)
{
	uint32_t deny = mode == SANDBOX_LOG ? SCMP_ACT_LOG : SCMP_ACT_KILL_PROCESS;
	scmp_filter_ctx ctx;
	int rc = -1;

	if (mode == SANDBOX_OFF) {
		log_warn("sandbox = false: no seccomp filter, every system call is allowed");
		return 0;
	}
	sandbox_preload_nss();
	/* pthread_cancel (stopping the resolver thread mid-lookup) unwinds
	 * through libgcc_s, which glibc maps on first use: map it now. */
	if (!dlopen("libgcc_s.so.1", RTLD_NOW | RTLD_NODELETE))
		log_debug("sandbox: libgcc_s.so.1: %s", dlerror());
	ctx = seccomp_init(deny);
	if (!ctx) {
		log_err("sandbox: cannot create the seccomp filter");
		return -1;
	}
	/* Every thread, not just this one; no_new_privs is set by the drop. */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1) < 0 ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1) < 0)
		goto out;
	/* A binary tree of the call numbers: a few comparisons per call on
	 * the data path, not a walk down the list. */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2) < 0)
		log_debug("sandbox: libseccomp cannot build a binary tree; a list it is");
	/* Installing a filter turns on the Speculative Store Bypass
	 * mitigation by default, which slows the whole process; it guards
	 * against code an attacker runs inside the process, which ovpnd never
	 * hosts (no JIT, no interpreter). */
	if (seccomp_api_get() >= 4 && seccomp_attr_set(ctx, SCMP_FLTATR_CTL_SSB, 1) < 0)
		log_debug("sandbox: cannot keep speculative store bypass as it is");
	for (size_t i = 0; i < sizeof(sandbox_jobs) / sizeof(sandbox_jobs[0]); i++)
		if (sandbox_each_call(sandbox_jobs[i].calls, sandbox_allow_name, ctx) < 0)
			goto out;
	if (sandbox_rules_args(ctx) < 0) {
		log_err("sandbox: cannot add the argument rules");
		goto out;
	}
	rc = seccomp_load(ctx);
	if (rc < 0)
		log_err("sandbox: cannot load the seccomp filter: %s", strerror(-rc));
	else
		log_info("sandbox %s: seccomp allowlist loaded%s", sandbox_mode_name(mode),
			 mode == SANDBOX_LOG ? " (calls outside it are logged by the kernel, not refused)" : "");
out:
	seccomp_release(ctx);
	return rc < 0 ? -1 : 0;
}

/* SPDX-License-Identifier: ISC */
/* Logging: one line per event, to stderr or syslog, filtered by level. */
#ifndef OVPN_LOG_H
#define OVPN_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* Levels share syslog's numbering so they map directly. */
enum log_level {
	LOG_LEVEL_ERROR = LOG_ERR,
	LOG_LEVEL_WARNING = LOG_WARNING,
	LOG_LEVEL_INFO = LOG_INFO,
	LOG_LEVEL_DEBUG = LOG_DEBUG,
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* Parse "error", "warning", "info" or "debug"; -1 when unknown. */
int log_level_parse(const char *name);
/* Log to syslog (daemon mode); stderr too until log_set_stderr(false), so
 * start-up errors still reach the terminal. */
void log_open_syslog(const char *ident);
void log_set_stderr(bool on);
/* Program name prefixed to stderr lines ("ovpnd: ..."); NULL for none. */
void log_set_ident(const char *ident);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Per-packet messages: at most LOG_RATELIMIT_BURST lines per
 * LOG_RATELIMIT_SECONDS from one call site, then a count of what was held back. */
#define LOG_RATELIMIT_BURST 5
#define LOG_RATELIMIT_SECONDS 10

struct log_ratelimit {
	long window_start;
	unsigned count;
	unsigned long suppressed;
};

bool log_ratelimit_ok(struct log_ratelimit *rl);

#define log_ratelimited(level, ...) do { \
	static struct log_ratelimit log_rl_; \
	if (log_ratelimit_ok(&log_rl_)) \
		log_msg(level, __VA_ARGS__); \
} while (0)

#define log_err(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif

/* SPDX-License-Identifier: ISC */
/* Assertions for the C unit tests, reported as TAP (automake's tap-driver
 * counts the cases). RUN(test_x()) makes one case of a test function; a
 * check outside any case opens one named after its function. A failed check
 * prints its case, its expression and both values (strings quoted, buffers
 * from the first differing byte); a loop over cases names each with
 * tap_label() and stops at its first failure with `if (tap_failed()) break;`.
 * The program exits 1 if any check failed. */
#ifndef OVPN_TEST_TAP_H
#define OVPN_TEST_TAP_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_failures;	/* failed checks, all cases */
static int tap_checks;
static struct {
	int cases;
	int open;
	int failed;		/* failed checks in the open case */
	int failed_before;	/* of those, before the current label */
	char name[96];
	char label[96];		/* the loop's case, if it named one */
} tap;

static inline void tap_case_end(void)
{
	if (!tap.open)
		return;
	tap.cases++;
	printf("%sok %d - %s\n", tap.failed ? "not " : "", tap.cases, tap.name);
	fflush(stdout);
	tap.open = 0;
}

static inline void tap_case_begin(const char *name)
{
	tap_case_end();
	snprintf(tap.name, sizeof(tap.name), "%s", name);
	tap.label[0] = '\0';
	tap.failed = 0;
	tap.failed_before = 0;
	tap.open = 1;
}

#define RUN(call) do { tap_case_begin(#call); call; tap_case_end(); } while (0)

/* Names what a loop is at (printed with its failures, and the start of
 * what tap_failed() looks at). */
__attribute__((format(printf, 1, 2)))
static inline void tap_label(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(tap.label, sizeof(tap.label), fmt, ap);
	va_end(ap);
	tap.failed_before = tap.failed;
}

/* After the loop: its failures are printed without a label again. */
static inline void tap_unlabel(void)
{
	tap.label[0] = '\0';
}

/* A check failed since the last label: loops over cases stop there. */
static inline int tap_failed(void)
{
	return tap.open && tap.failed > tap.failed_before;
}

/* Counts a check (opening a case for FUNC if none is open); on failure
 * prints the "# FILE:LINE: CASE [LABEL]: " prefix and returns 1. */
static inline int tap_check(int ok, const char *file, int line, const char *func)
{
	tap_checks++;
	if (!tap.open)
		tap_case_begin(func);
	if (ok)
		return 0;
	tap_failures++;
	tap.failed++;
	printf("# %s:%d: %s%s%s%s: ", file, line, tap.name,
	       tap.label[0] ? " [" : "", tap.label, tap.label[0] ? "]" : "");
	return 1;
}

#define TAP_FAILS(ok) tap_check((ok), __FILE__, __LINE__, __func__)

#define CHECK(cond) do { \
	if (TAP_FAILS(cond)) \
		printf("check failed: %s\n", #cond); \
} while (0)

/* How to print a value: 1 signed, 0 unsigned, 2 anything else (pointers). */
#define TAP_KIND(x) _Generic((x), _Bool: 0, char: 1, signed char: 1, short: 1, \
	int: 1, long: 1, long long: 1, unsigned char: 0, unsigned short: 0, \
	unsigned int: 0, unsigned long: 0, unsigned long long: 0, default: 2)

static inline void tap_value(const char *side, int kind, uintmax_t v)
{
	if (kind == 1)
		printf("#   %s %jd\n", side, (intmax_t)v);
	else if (kind == 0)
		printf("#   %s %ju (0x%jx)\n", side, v, v);
	else
		printf("#   %s %p\n", side, (void *)(uintptr_t)v);
}

/* Both sides evaluated once, compared with OP as in the expression written
 * out; -Wsign-compare is off as the values now sit in typed variables
 * (an unsigned against a literal 0 would warn otherwise). */
#define TAP_CMP(a, op, b, text) do { \
	_Pragma("GCC diagnostic push") \
	_Pragma("GCC diagnostic ignored \"-Wsign-compare\"") \
	__typeof__(a) tap_a_ = (a); \
	__typeof__(b) tap_b_ = (b); \
	if (TAP_FAILS(tap_a_ op tap_b_)) { \
		printf("check failed: %s\n", text); \
		tap_value("left: ", TAP_KIND(tap_a_), (uintmax_t)(uintptr_t)tap_a_); \
		tap_value("right:", TAP_KIND(tap_b_), (uintmax_t)(uintptr_t)tap_b_); \
	} \
	_Pragma("GCC diagnostic pop") \
} while (0)

#define CHECK_EQ(a, b) TAP_CMP(a, ==, b, #a " == " #b)
#define CHECK_NE(a, b) TAP_CMP(a, !=, b, #a " != " #b)
#define CHECK_LT(a, b) TAP_CMP(a, <, b, #a " < " #b)
#define CHECK_LE(a, b) TAP_CMP(a, <=, b, #a " <= " #b)
#define CHECK_GT(a, b) TAP_CMP(a, >, b, #a " > " #b)
#define CHECK_GE(a, b) TAP_CMP(a, >=, b, #a " >= " #b)

static inline void tap_quoted(const char *side, const char *s)
{
	printf("#   %s ", side);
	if (!s) {
		printf("(null)\n");
		return;
	}
	putchar('"');
	for (; *s; s++)
		printf((unsigned char)*s < 0x20 || *s == '"' || *s == '\\' ? "\\x%02x" : "%c",
		       (unsigned char)*s);
	printf("\"\n");
}

/* Two strings are equal (a NULL equals nothing). */
#define CHECK_STR(a, b) do { \
	const char *tap_sa_ = (a), *tap_sb_ = (b); \
	if (TAP_FAILS(tap_sa_ && tap_sb_ && !strcmp(tap_sa_, tap_sb_))) { \
		printf("strings differ: %s vs %s\n", #a, #b); \
		tap_quoted("left: ", tap_sa_); \
		tap_quoted("right:", tap_sb_); \
	} \
} while (0)

static inline void tap_mem_diff(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	size_t i = 0, j;

	while (i < n && x[i] == y[i])
		i++;
	printf("#   first difference at byte %zu of %zu:\n", i, n);
	for (int side = 0; side < 2; side++) {
		printf("#   %s", side ? "right:" : "left: ");
		for (j = i; j < n && j < i + 16; j++)
			printf(" %02x", (side ? y : x)[j]);
		printf("%s\n", j < n ? " ..." : "");
	}
}

#define CHECK_MEM(a, b, n) do { \
	const void *tap_ma_ = (a), *tap_mb_ = (b); \
	size_t tap_mn_ = (n); \
	if (TAP_FAILS(!memcmp(tap_ma_, tap_mb_, tap_mn_))) { \
		printf("memory differs: %s vs %s\n", #a, #b); \
		tap_mem_diff(tap_ma_, tap_mb_, tap_mn_); \
	} \
} while (0)

#define CHECK_STR_CONTAINS(hay, needle) do { \
	const char *tap_h_ = (hay), *tap_n_ = (needle); \
	if (TAP_FAILS(tap_h_ && strstr(tap_h_, tap_n_))) { \
		printf("%s not found in %s\n", #needle, #hay); \
		tap_quoted("needle:  ", tap_n_); \
		tap_quoted("haystack:", tap_h_); \
	} \
} while (0)

/* Closes the last case and prints the plan. */
static inline int tap_done(void)
{
	tap_case_end();
	printf("1..%d\n# %d checks, %d failed\n", tap.cases, tap_checks, tap_failures);
	return tap_failures ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif

/* Minimal assertions for the C unit tests: count failures, exit 1 if any. */
#ifndef OVPN_TEST_TAP_H
#define OVPN_TEST_TAP_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_failures;
static int tap_checks;

#define CHECK(cond) do { \
	tap_checks++; \
	if (!(cond)) { \
		tap_failures++; \
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
	} \
} while (0)

#define CHECK_MEM(a, b, n) do { \
	tap_checks++; \
	if (memcmp((a), (b), (n))) { \
		tap_failures++; \
		fprintf(stderr, "%s:%d: memory differs: %s vs %s\n", __FILE__, __LINE__, #a, #b); \
	} \
} while (0)

#define CHECK_STR_CONTAINS(hay, needle) do { \
	tap_checks++; \
	if (!(hay) || !strstr((hay), (needle))) { \
		tap_failures++; \
		fprintf(stderr, "%s:%d: \"%s\" not found in \"%s\"\n", __FILE__, __LINE__, (needle), (hay) ? (hay) : "(null)"); \
	} \
} while (0)

static inline int tap_done(void)
{
	printf("%d checks, %d failed\n", tap_checks, tap_failures);
	return tap_failures ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif

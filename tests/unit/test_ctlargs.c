/* SPDX-License-Identifier: ISC */
/* `set peer` arguments: every setting, and each way of getting them wrong
 * refused with its one-line reason. */
#include "config.h"

#include "ctlargs.h"
#include "tap.h"

static int parse(const char *text, struct ctlcmd_set *s, char *err, size_t size)
{
	static char buf[1024];

	snprintf(buf, sizeof(buf), "%s", text);
	err[0] = '\0';
	return ctlargs_parse_set(buf, s, err, size);
}

static void test_good(void)
{
	struct ctlcmd_set s;
	char err[160];

	CHECK_EQ(parse("B public-key K endpoint 192.0.2.2:51820 allowed-ips 10.77.0.2/32,fd77::2/128 "
		       "persistent-keepalive 25 routes off", &s, err, sizeof(err)), 0);
	CHECK_STR(s.name, "B");
	CHECK_STR(s.value[CTLCMD_PUBLIC_KEY], "K");
	CHECK_STR(s.value[CTLCMD_ENDPOINT], "192.0.2.2:51820");
	CHECK_STR(s.value[CTLCMD_ALLOWED_IPS], "10.77.0.2/32,fd77::2/128");
	CHECK_STR(s.value[CTLCMD_KEEPALIVE], "25");
	CHECK_STR(s.value[CTLCMD_ROUTES], "off");
	CHECK_EQ(parse("C  public-key  K", &s, err, sizeof(err)), 0);	/* runs of spaces */
	CHECK_STR(s.name, "C");
	CHECK(s.value[CTLCMD_ENDPOINT] == NULL);
	CHECK(s.value[CTLCMD_ROUTES] == NULL);
}

/* Each refused with its reason, on one line. */
static void test_bad(void)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "", "no peer name" },
		{ "B", "public-key is required" },
		{ "B endpoint 192.0.2.2:1", "public-key is required" },
		{ "B public-key", "public-key: no value" },
		{ "B public-key K mtu 1400", "unknown setting 'mtu'" },
		{ "B public-key K public-key L", "public-key given twice" },
		{ "B\" public-key K", "name: quotes" },
		{ "B public-key K\\", "public-key: quotes" },
		{ "B public-key K endpoint {x}", "endpoint: quotes" },
		{ "B public-key K allowed-ips 10.0.0.1#", "allowed-ips: quotes" },
		{ "B public-key K routes o\x01n", "routes: quotes" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ctlcmd_set s;
		char err[160];
		const char *e = err;

		tap_label("'%s'", bad[i].text);
		CHECK_LT(parse(bad[i].text, &s, err, sizeof(err)), 0);
		CHECK_STR_CONTAINS(e, bad[i].want);
		CHECK(strchr(err, '\n') == NULL);
		if (tap_failed())
			break;
	}
	tap_unlabel();
}

int main(void)
{
	RUN(test_good());
	RUN(test_bad());
	return tap_done();
}

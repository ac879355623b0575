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

static void check_good(void)
{
	struct ctlcmd_set s;
	char err[160];

	CHECK(parse("B public-key K endpoint 192.0.2.2:51820 allowed-ips 10.77.0.2/32,fd77::2/128 "
		    "persistent-keepalive 25 routes off", &s, err, sizeof(err)) == 0);
	CHECK(!strcmp(s.name, "B"));
	CHECK(!strcmp(s.value[CTLCMD_PUBLIC_KEY], "K"));
	CHECK(!strcmp(s.value[CTLCMD_ENDPOINT], "192.0.2.2:51820"));
	CHECK(!strcmp(s.value[CTLCMD_ALLOWED_IPS], "10.77.0.2/32,fd77::2/128"));
	CHECK(!strcmp(s.value[CTLCMD_KEEPALIVE], "25"));
	CHECK(!strcmp(s.value[CTLCMD_ROUTES], "off"));
	CHECK(parse("C  public-key  K", &s, err, sizeof(err)) == 0);	/* runs of spaces */
	CHECK(!strcmp(s.name, "C") && s.value[CTLCMD_ENDPOINT] == NULL && s.value[CTLCMD_ROUTES] == NULL);
}

static void check_bad(const char *text, const char *want)
{
	struct ctlcmd_set s;
	char err[160];
	const char *e = err;

	CHECK(parse(text, &s, err, sizeof(err)) < 0);
	CHECK_STR_CONTAINS(e, want);
	CHECK(strchr(err, '\n') == NULL);
}

int main(void)
{
	check_good();
	check_bad("", "no peer name");
	check_bad("B", "public-key is required");
	check_bad("B endpoint 192.0.2.2:1", "public-key is required");
	check_bad("B public-key", "public-key: no value");
	check_bad("B public-key K mtu 1400", "unknown setting 'mtu'");
	check_bad("B public-key K public-key L", "public-key given twice");
	check_bad("B\" public-key K", "name: quotes");
	check_bad("B public-key K\\", "public-key: quotes");
	check_bad("B public-key K endpoint {x}", "endpoint: quotes");
	check_bad("B public-key K allowed-ips 10.0.0.1#", "allowed-ips: quotes");
	check_bad("B public-key K routes o\x01n", "routes: quotes");
	return tap_done();
}

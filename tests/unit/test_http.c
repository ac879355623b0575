/* SPDX-License-Identifier: ISC */
/* The GET /metrics request parser: good scrapes, and every kind of bad
 * head answered with its status (or kept waiting only while it may still
 * become a request). */
#include "config.h"

#include "http.h"
#include "tap.h"

static const struct {
	const char *in;
	enum http_result want;
	int head_only;
} cases[] = {
	{ "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:9586\r\nAccept: text/plain;version=0.0.4\r\n\r\n", HTTP_OK, 0 },
	{ "GET /metrics HTTP/1.0\n\n", HTTP_OK, 0 },
	{ "HEAD /metrics HTTP/1.1\r\n\r\n", HTTP_OK, 1 },
	{ "GET /metrics?x=1 HTTP/1.1\r\nUser-Agent: Prometheus/2.42.0\r\n\r\n", HTTP_OK, 0 },
	{ "GET /metrics HTTP/1.1\r\nHost: a\r\n", HTTP_MORE, 0 },
	{ "GET /metr", HTTP_MORE, 0 },
	{ "", HTTP_MORE, 0 },
	{ "GET / HTTP/1.1\r\n\r\n", HTTP_NOT_FOUND, 0 },
	{ "GET /metricsx HTTP/1.1\r\n\r\n", HTTP_NOT_FOUND, 0 },
	{ "GET /metrics/ HTTP/1.1\r\n\r\n", HTTP_NOT_FOUND, 0 },
	{ "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", HTTP_BAD_METHOD, 0 },
	{ "DELETE /metrics HTTP/1.1\r\n\r\n", HTTP_BAD_METHOD, 0 },
	{ "get /metrics HTTP/1.1\r\n\r\n", HTTP_BAD_REQUEST, 0 },
	{ "GET /metrics HTTP/2.0\r\n\r\n", HTTP_BAD_REQUEST, 0 },
	{ "GET /metrics HTTP/1.1 \r\n\r\n", HTTP_BAD_REQUEST, 0 },
	{ "GET  /metrics HTTP/1.1\r\n\r\n", HTTP_BAD_REQUEST, 0 },
	{ "GET metrics HTTP/1.1\r\n\r\n", HTTP_BAD_REQUEST, 0 },
	{ "GET /metrics\r\n\r\n", HTTP_BAD_REQUEST, 0 },
	{ "\r\n\r\n", HTTP_BAD_REQUEST, 0 },
	{ "\x16\x03\x01\x02\x05\x01\x01\xfc\x03\x03\n", HTTP_BAD_REQUEST, 0 },
	{ "GET /metrics HTTP/1.1\r\nNo colon here\r\n\r\n", HTTP_BAD_REQUEST, 0 },
	{ "GET /metrics HTTP/1.1\r\n folded: x\r\n\r\n", HTTP_BAD_REQUEST, 0 },
	{ "GET /metrics HTTP/1.1\r\n: empty-name\r\n\r\n", HTTP_BAD_REQUEST, 0 },
	{ "GET /metrics HTTP/1.1\r\nX: a\x01b\r\n\r\n", HTTP_BAD_REQUEST, 0 },
	{ "GET /metrics HTTP/1.1\r\nX: a\x7f\r\n\r\n", HTTP_BAD_REQUEST, 0 },
	{ "GET /me\x80trics HTTP/1.1\r\n\r\n", HTTP_BAD_REQUEST, 0 },
	{ "VERYLONGMETHODNAMEXX /metrics HTTP/1.1\r\n\r\n", HTTP_BAD_REQUEST, 0 },
};

static void check_case(const char *in, size_t len, enum http_result want, int want_head)
{
	int head = -1;

	CHECK_EQ(http_parse(in, len, &head), want);
	if (want == HTTP_OK)
		CHECK_EQ(head, want_head);
}

static void test_cases(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tap_label("case %zu: '%.40s'", i, cases[i].in);
		check_case(cases[i].in, strlen(cases[i].in), cases[i].want, cases[i].head_only);
		if (tap_failed())
			break;
	}
	tap_unlabel();
}

/* A NUL anywhere is no request; a head that never ends is too large. */
static void test_limits(void)
{
	static char big[HTTP_MAX_REQUEST + 10];
	static const char nul[] = "GET /metrics HTTP/1.1\r\nX: a\0b\r\n\r\n";
	int head;

	check_case(nul, sizeof(nul) - 1, HTTP_BAD_REQUEST, 0);
	memset(big, 'a', sizeof(big));
	memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
	CHECK_EQ(http_parse(big, HTTP_MAX_REQUEST - 1, &head), HTTP_MORE);
	CHECK_EQ(http_parse(big, HTTP_MAX_REQUEST, &head), HTTP_TOO_LARGE);
	memset(big, 'A', sizeof(big));	/* a request line that never ends */
	CHECK_EQ(http_parse(big, HTTP_MAX_REQUEST, &head), HTTP_TOO_LARGE);
}

static void test_respond(void)
{
	struct strbuf body, out;

	strbuf_init(&body);
	strbuf_init(&out);
	strbuf_printf(&body, "ovpn_up 1\n");
	http_respond(&out, HTTP_OK, &body, 0);
	strbuf_append(&out, "", 1);
	CHECK_STR_CONTAINS(out.data, "HTTP/1.1 200 OK\r\n");
	CHECK_STR_CONTAINS(out.data, "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n");
	CHECK_STR_CONTAINS(out.data, "Content-Length: 10\r\nConnection: close\r\n\r\novpn_up 1\n");
	strbuf_reset(&out);
	http_respond(&out, HTTP_OK, &body, 1);
	strbuf_append(&out, "", 1);
	CHECK(strstr(out.data, "ovpn_up") == NULL);
	CHECK_STR_CONTAINS(out.data, "Content-Length: 10\r\n");
	strbuf_reset(&out);
	http_respond(&out, HTTP_BAD_METHOD, &body, 0);
	strbuf_append(&out, "", 1);
	CHECK_STR_CONTAINS(out.data, "HTTP/1.1 405 Method Not Allowed\r\n");
	CHECK_STR_CONTAINS(out.data, "Allow: GET, HEAD\r\n");
	CHECK(strstr(out.data, "ovpn_up") == NULL);
	strbuf_free(&body);
	strbuf_free(&out);
}

int main(void)
{
	RUN(test_cases());
	RUN(test_limits());
	RUN(test_respond());
	return tap_done();
}

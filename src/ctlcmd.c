/* SPDX-License-Identifier: ISC */
/* Peers changed at runtime are applied by writing the running
 * configuration as text with the change in it and parsing that with every
 * check of the config file (the same messages), then running it as a
 * reload does: unchanged peers keep their sessions, routes follow. The
 * file on disk is not touched: a restart or reload reads it again. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctlargs.h"
#include "ctlcmd.h"
#include "dump.h"
#include "metrics.h"
#include "secmem.h"
#include "showconf.h"

static void cmd_dump_named(const struct ctlcmd_ctx *c, struct strbuf *reply, uint64_t now)
{
	struct strbuf tmp;
	const char *line, *nl;

	strbuf_init(&tmp);
	dump_render(c->src, &tmp, now);
	reply->failed |= tmp.failed;
	for (line = tmp.data; line && line < tmp.data + tmp.len; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(tmp.data + tmp.len - line));
		if (!nl)
			break;
		strbuf_printf(reply, "%s\t%.*s\n", c->src->dp->ifname, (int)(nl - line), line);
	}
	strbuf_free(&tmp);
}

/* Config messages "ovpnctl:LINE: option: ..." lose their lines (also a
 * " (line N)" inside), which are those of the generated text, not of
 * anything the user wrote. */
static void edit_error(const char *msg, void *arg)
{
	const char *label = "ovpnctl:", *rest = msg, *at;
	struct strbuf *reply = arg;

	if (!strncmp(msg, label, strlen(label))) {
		rest = msg + strlen(label);
		rest += strspn(rest, "0123456789");
		rest += *rest == ':';
		rest += *rest == ' ';
	}
	strbuf_printf(reply, "error: ");
	while ((at = strstr(rest, " (line ")) && at[7 + strspn(at + 7, "0123456789")] == ')') {
		strbuf_append(reply, rest, (size_t)(at - rest));
		rest = at + 8 + strspn(at + 7, "0123456789");
	}
	strbuf_printf(reply, "%s\n", rest);
}

static const struct conf_peer *conf_peer_named(const struct conf *c, const char *name)
{
	for (size_t i = 0; i < c->n_peers; i++)
		if (!strcmp(c->peers[i].name, name))
			return &c->peers[i];
	return NULL;
}

/* Parse text as the new configuration and run it. */
static int edit_apply(const struct ctlcmd_ctx *c, const char *text, struct strbuf *reply)
{
	struct conf *nc = secmem_alloc(sizeof(*nc));	/* holds the private key */
	char *file = strdup(c->cfg->file);
	int rc = -1;

	conf_set_error_func(edit_error, reply);
	if (nc && file && conf_load_text("ovpnctl", text, nc, c->cfg->private_key) == 0) {
		free(nc->file);
		nc->file = file;	/* reload still reads the file */
		file = NULL;
		rc = c->apply(c->ctx, nc);	/* c->cfg is gone after this */
		nc = NULL;
		if (rc < 0)
			strbuf_printf(reply, "error: the change failed; see the daemon's log\n");
	}
	conf_set_error_func(NULL, NULL);
	if (nc)
		secmem_free(nc);
	free(file);
	return rc;
}

static void set_fields(struct showconf_peer *sp, const struct ctlcmd_set *s)
{
	const char *const *v = s->value;

	snprintf(sp->public_key, sizeof(sp->public_key), "%s", v[CTLCMD_PUBLIC_KEY]);
	if (v[CTLCMD_ENDPOINT])
		snprintf(sp->endpoint, sizeof(sp->endpoint), "%s", v[CTLCMD_ENDPOINT]);
	if (v[CTLCMD_ALLOWED_IPS]) {
		strbuf_reset(&sp->allowed_ips);
		strbuf_printf(&sp->allowed_ips, "%s", v[CTLCMD_ALLOWED_IPS]);
	}
	if (v[CTLCMD_KEEPALIVE])
		snprintf(sp->keepalive, sizeof(sp->keepalive), "%s", v[CTLCMD_KEEPALIVE]);
}

static void cmd_set_peer(const struct ctlcmd_ctx *c, const char *args, struct strbuf *reply)
{
	char *copy = strdup(args), err[160];
	const struct conf_peer *old;
	struct showconf_peer sp;
	struct ctlcmd_set s;
	struct strbuf text;
	const char *routes;

	if (!copy || ctlargs_parse_set(copy, &s, err, sizeof(err)) < 0) {
		strbuf_printf(reply, "error: set peer: %s\n", copy ? err : "out of memory");
		free(copy);
		return;
	}
	routes = s.value[CTLCMD_ROUTES];
	if (routes && strcmp(routes, "on") && strcmp(routes, "off")) {
		strbuf_printf(reply, "error: set peer: routes: not on or off '%.64s'\n", routes);
		free(copy);
		return;
	}
	old = conf_peer_named(c->cfg, s.name);
	if (old) {
		showconf_peer_init(&sp, old);
	} else {
		memset(&sp, 0, sizeof(sp));
		strbuf_init(&sp.allowed_ips);
		sp.name = s.name;
		snprintf(sp.keepalive, sizeof(sp.keepalive), "0");
		sp.routes = true;
	}
	set_fields(&sp, &s);
	if (routes)
		sp.routes = !strcmp(routes, "on");
	strbuf_init(&text);
	showconf_render(&text, c->cfg, s.name, &sp);
	if (!text.failed && edit_apply(c, text.data, reply) == 0)
		strbuf_printf(reply, "peer %s %s: %zu peers\n", s.name, old ? "changed" : "added",
			      c->src->peers->n_peers);
	strbuf_free(&text);
	showconf_peer_free(&sp);
	free(copy);
}

static void cmd_remove_peer(const struct ctlcmd_ctx *c, const char *name, struct strbuf *reply)
{
	struct strbuf text;

	if (!conf_peer_named(c->cfg, name)) {
		strbuf_printf(reply, "error: remove peer: no peer named '%.64s'\n", name);
		return;
	}
	strbuf_init(&text);
	showconf_render(&text, c->cfg, name, NULL);
	if (!text.failed && edit_apply(c, text.data, reply) == 0)
		strbuf_printf(reply, "peer %s removed: %zu peers\n", name, c->src->peers->n_peers);
	strbuf_free(&text);
}

bool ctlcmd_request(const struct ctlcmd_ctx *c, const char *request, struct strbuf *reply)
{
	uint64_t now = timerq_now();

	if (!strcmp(request, "show dump"))
		dump_render(c->src, reply, now);
	else if (!strcmp(request, "show dump named"))
		cmd_dump_named(c, reply, now);
	else if (!strcmp(request, "metrics"))
		metrics_render(c->src, reply, now);
	else if (!strcmp(request, "showconf"))
		showconf_render(reply, c->cfg, NULL, NULL);
	else if (!strncmp(request, "set peer ", 9))
		cmd_set_peer(c, request + 9, reply);
	else if (!strncmp(request, "remove peer ", 12))
		cmd_remove_peer(c, request + 12, reply);
	else
		return false;
	return true;
}

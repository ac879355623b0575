/* SPDX-License-Identifier: ISC */
/* Every option is written, defaults included, so the text stands alone;
 * strings are quoted with libconfuse's escapes. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "showconf.h"

static void quoted(struct strbuf *out, const char *s)
{
	strbuf_append(out, "\"", 1);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			strbuf_append(out, "\\", 1);
		strbuf_append(out, s, 1);
	}
	strbuf_append(out, "\"", 1);
}

static void option(struct strbuf *out, const char *indent, const char *name, const char *value)
{
	strbuf_printf(out, "%s%-20s = ", indent, name);
	quoted(out, value);
	strbuf_append(out, "\n", 1);
}

void showconf_peer_init(struct showconf_peer *sp, const struct conf_peer *cp)
{
	char ip[CIDR_STRLEN];

	memset(sp, 0, sizeof(*sp));
	strbuf_init(&sp->allowed_ips);
	sp->name = cp->name;
	sp->preshared_key_file = cp->preshared_key_file;
	key_to_base64(sp->public_key, cp->public_key);
	if (cp->has_endpoint)
		snprintf(sp->endpoint, sizeof(sp->endpoint), strchr(cp->endpoint_host, ':') ? "[%s]:%u" : "%s:%u",
			 cp->endpoint_host, cp->endpoint_port);
	for (size_t i = 0; i < cp->n_allowed_ips; i++) {
		cidr_format(&cp->allowed_ips[i], ip);
		strbuf_printf(&sp->allowed_ips, "%s%s", i ? "," : "", ip);
	}
	snprintf(sp->keepalive, sizeof(sp->keepalive), "%u", cp->persistent_keepalive);
	sp->routes = cp->routes;
}

void showconf_peer_free(struct showconf_peer *sp)
{
	strbuf_free(&sp->allowed_ips);
}

/* "A,B" as {"A", "B"}; "" as {}. */
static void option_list(struct strbuf *out, const char *name, const char *list, size_t n)
{
	size_t start = 0;

	strbuf_printf(out, "    %-20s = {", name);
	for (size_t i = 0; n && i <= n; i++) {
		if (i < n && list[i] != ',')
			continue;
		strbuf_printf(out, "%s\"%.*s\"", start ? ", " : "", (int)(i - start), list + start);
		start = i + 1;
	}
	strbuf_printf(out, "}\n");
}

void showconf_peer_render(struct strbuf *out, const struct showconf_peer *sp)
{
	strbuf_printf(out, "\npeer ");
	quoted(out, sp->name);
	strbuf_printf(out, " {\n");
	option(out, "    ", "public-key", sp->public_key);
	if (sp->preshared_key_file)
		option(out, "    ", "preshared-key-file", sp->preshared_key_file);
	if (sp->endpoint[0])
		option(out, "    ", "endpoint", sp->endpoint);
	option_list(out, "allowed-ips", sp->allowed_ips.len ? sp->allowed_ips.data : "",
		    sp->allowed_ips.len);
	strbuf_printf(out, "    %-20s = %s\n    %-20s = %s\n}\n", "persistent-keepalive",
		      sp->keepalive, "routes", sp->routes ? "true" : "false");
}

static const char *level_name(enum log_level l)
{
	switch (l) {
	case LOG_LEVEL_ERROR: return "error";
	case LOG_LEVEL_WARNING: return "warning";
	case LOG_LEVEL_DEBUG: return "debug";
	default: return "info";
	}
}

void showconf_render(struct strbuf *out, const struct conf *c, const char *skip,
		     const struct showconf_peer *with)
{
	char ip[CIDR_STRLEN];

	strbuf_printf(out, "# The running configuration of %s (read from %s; changes made with\n"
		      "# ovpnctl set/remove are in it). No private key: its file.\n", c->interface, c->file);
	option(out, "", "interface", c->interface);
	option(out, "", "private-key-file", c->private_key_file ? c->private_key_file : "");
	strbuf_printf(out, "%-20s = %u\n%-20s = %u\n%-20s = {", "listen-port", c->listen_port, "mtu", c->mtu, "address");
	for (size_t i = 0; i < c->n_addresses; i++) {
		cidr_format(&c->addresses[i], ip);
		strbuf_printf(out, "%s\"%s\"", i ? ", " : "", ip);
	}
	strbuf_printf(out, "}\n");
	option(out, "", "user", c->user);
	option(out, "", "group", c->group);
	option(out, "", "log-level", level_name(c->log_level));
	option(out, "", "control-socket", c->control_socket);
	if (c->table == CONF_TABLE_OFF || c->table == CONF_TABLE_MAIN)
		option(out, "", "table", c->table == CONF_TABLE_OFF ? "off" : "main");
	else
		strbuf_printf(out, "%-20s = \"%u\"\n", "table", (unsigned)c->table);
	if (c->fwmark)
		strbuf_printf(out, "%-20s = \"0x%x\"\n", "fwmark", (unsigned)c->fwmark);
	else
		option(out, "", "fwmark", "off");
	if (c->metrics_listen)
		option(out, "", "metrics-listen", c->metrics_listen);
	if (c->workers == CONF_WORKERS_AUTO)
		option(out, "", "workers", "auto");
	else
		strbuf_printf(out, "%-20s = %u\n", "workers", c->workers);
	for (size_t i = 0; i < c->n_peers; i++) {
		struct showconf_peer sp;

		if (skip && !strcmp(c->peers[i].name, skip)) {
			if (with)
				showconf_peer_render(out, with);
			with = NULL;
			continue;
		}
		showconf_peer_init(&sp, &c->peers[i]);
		showconf_peer_render(out, &sp);
		showconf_peer_free(&sp);
	}
	if (with)
		showconf_peer_render(out, with);
}

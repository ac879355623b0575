#include "config.h"

#include <string.h>

#include "ctlcmd.h"
#include "daemon.h"
#include "dump.h"
#include "metrics.h"

static void cmd_dump_named(struct daemon *d, struct strbuf *reply, uint64_t now)
{
	struct strbuf tmp;
	const char *line, *nl;

	strbuf_init(&tmp);
	dump_render(d, &tmp, now);
	reply->failed |= tmp.failed;
	for (line = tmp.data; line && line < tmp.data + tmp.len; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(tmp.data + tmp.len - line));
		if (!nl)
			break;
		strbuf_printf(reply, "%s\t%.*s\n", d->ifname, (int)(nl - line), line);
	}
	strbuf_free(&tmp);
}

bool ctlcmd_request(struct daemon *d, const char *request, struct strbuf *reply)
{
	uint64_t now = timerq_now();

	if (!strcmp(request, "show dump"))
		dump_render(d, reply, now);
	else if (!strcmp(request, "show dump named"))
		cmd_dump_named(d, reply, now);
	else if (!strcmp(request, "metrics"))
		metrics_render(d, reply, now);
	else
		return false;
	return true;
}

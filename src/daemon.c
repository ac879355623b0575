/* Placeholder until the data plane lands in this tree: it is replaced,
 * not extended. */
#include "config.h"

#include "daemon.h"
#include "log.h"

int daemon_run(struct conf *cfg, bool foreground)
{
	(void)cfg;
	(void)foreground;
	log_err("data plane not built in this tree");
	return 1;
}

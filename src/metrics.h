/* Prometheus text exposition (format 0.0.4) of a daemon's counters: what
 * `ovpnctl metrics` prints and GET /metrics on metrics-listen serves. */
#ifndef OVPN_METRICS_H
#define OVPN_METRICS_H

#include <stdint.h>

#include "strbuf.h"

struct daemon;

/* Render every metric of d at monotonic time now. */
void metrics_render(struct daemon *d, struct strbuf *out, uint64_t now);

/* An http_handler: ctx is the daemon. */
void metrics_serve(void *ctx, struct strbuf *body);

#endif

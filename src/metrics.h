/* SPDX-License-Identifier: ISC */
/* Prometheus text exposition (format 0.0.4) of a daemon's counters: what
 * `ovpnctl metrics` prints and GET /metrics on metrics-listen serves. */
#ifndef OVPN_METRICS_H
#define OVPN_METRICS_H

#include <stdint.h>

#include "status.h"
#include "strbuf.h"

/* Render every metric of the parts in src (those `ovpnctl show` renders)
 * at time now (timerq_now's clock). */
void metrics_render(const struct status_src *src, struct strbuf *out, uint64_t now);

/* An http_handler: ctx is a const struct status_src. */
void metrics_serve(void *ctx, struct strbuf *body);

#endif

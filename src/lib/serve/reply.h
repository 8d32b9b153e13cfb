/*
 * reply.h - errors as the API gives them: one line of text, or the JSON
 * InfluxDB's clients read ({"error":"..."} and X-Influxdb-Error).
 */
#ifndef HEARTH_SERVE_REPLY_H
#define HEARTH_SERVE_REPLY_H

#include "serve/http.h"

/* reply_error: status and msg as text, or as InfluxDB's JSON when
 * influx is set.  Returns 0 (a handler's return). */
int reply_error(struct http_resp *resp, int influx, int status,
		const char *msg);

#endif

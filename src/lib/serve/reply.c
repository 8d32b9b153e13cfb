/*
 * reply.c - the API's error answers.
 */
#include "serve/reply.h"

#include <string.h>

#include "chart/format.h"

int reply_error(struct http_resp *resp, int influx, int status,
		const char *msg)
{
	if (!influx)
		return http_resp_error(resp, status, "%s", msg);
	resp->status = status;
	resp->content_type = "application/json";
	buf_reset(&resp->body);
	buf_addstr(&resp->body, "{\"error\":");
	format_json_string(&resp->body, msg, strlen(msg));
	buf_addstr(&resp->body, "}\n");
	/* InfluxDB 1.x clients read the message from this header too. */
	http_resp_header(resp, "X-Influxdb-Error", msg);
	return 0;
}

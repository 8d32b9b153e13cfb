/*
 * api.c - the HTTP API routes.
 */
#include "serve.h"

#include <string.h>

static int healthz(struct http_req *req, struct http_resp *resp, void *ud)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = http_store(req, &err);
	int64_t one = 0;

	(void)ud;
	if (!s || store_query_int(s, "SELECT 1", &one, &err,
				  (const char *)NULL) < 0)
		return http_resp_error(resp, 503, "database: %s", err.msg);
	buf_addstr(&resp->body, "ok\n");
	return 0;
}

const struct http_route api_routes[] = {
	{ "GET", "/healthz", healthz, NULL, 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};

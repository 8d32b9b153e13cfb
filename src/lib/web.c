/*
 * web.c - the dashboard pages.
 */
#include "serve.h"

#include <string.h>

#include "format.h"

/* Escape text for HTML element content and attribute values. */
static void html_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': buf_addstr(b, "&lt;"); break;
		case '>': buf_addstr(b, "&gt;"); break;
		case '&': buf_addstr(b, "&amp;"); break;
		case '"': buf_addstr(b, "&quot;"); break;
		case '\'': buf_addstr(b, "&#39;"); break;
		default: buf_addch(b, *s);
		}
	}
}

static int index_page(struct http_req *req, struct http_resp *resp, void *ud)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	const struct schema *s = http_schema(req, &err);
	size_t i;

	(void)ud;
	if (!s)
		return http_resp_error(resp, 503, "database: %s", err.msg);
	resp->content_type = "text/html; charset=utf-8";
	buf_addstr(&resp->body,
		   "<!doctype html><html><head><meta charset=\"utf-8\">"
		   "<meta name=\"viewport\" content=\"width=device-width\">"
		   "<title>hearth</title></head><body><h1>hearth</h1><ul>");
	for (i = 0; i < s->ntables; i++) {
		if (!schema_is_series(&s->tables[i]))
			continue;
		buf_addstr(&resp->body, "<li>");
		html_escape(&resp->body, s->tables[i].name);
		buf_addstr(&resp->body, "</li>");
	}
	buf_addstr(&resp->body, "</ul></body></html>\n");
	return 0;
}

const struct http_route web_routes[] = {
	{ "GET", "/", index_page, NULL, 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};

/*
 * web.c - the dashboard page and the chart route.
 *
 *   GET /                   energy panels (web_energy.h), every series
 *                           table charted; ?w=1h|12h|24h|7d|30d|1y
 *                           or ?from=T&to=T (as the command line takes them)
 *   GET /chart/TABLE.svg    one chart; ?since=T&until=T&width=N&height=N,
 *                           and ?COLUMN=VALUE: only the rows holding it
 *
 * The page works without JavaScript: windows are links, the custom range
 * a GET form, charts inline SVG.  A small script only reloads a relative
 * window once a minute while the page is visible.
 */
#include "serve/web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart/axis.h"
#include "chart/chart.h"
#include "store/kv.h"
#include "chart/svg.h"
#include "rollup/retention.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "serve/api_read.h"
#include "serve/auth.h"
#include "serve/dbcache.h"
#include "serve/serve.h"
#include "serve/web_energy.h"

static const struct {
	const char *name, *since;
} windows[] = {
	{ "1h", "-1h" },   { "12h", "-12h" }, { "24h", "-24h" },
	{ "7d", "-7d" },   { "30d", "-30d" }, { "1y", "-1y" },
};
#define NWINDOWS (sizeof(windows) / sizeof(windows[0]))

static const char style[] =
	"body{font-family:sans-serif;margin:0;padding:0 12px 24px;"
	"color:#222;background:#fafafa;max-width:1100px}"
	"header{display:flex;flex-wrap:wrap;align-items:center;gap:8px 16px;"
	"padding:8px 0}"
	"h1{font-size:1.4em;margin:0}h2{font-size:1.1em;margin:16px 0 4px}"
	"nav a{display:inline-block;padding:6px 10px;margin:2px;border:1px solid "
	"#bbb;border-radius:4px;text-decoration:none;color:#222;background:#fff}"
	"nav a.on{background:#1f77b4;color:#fff;border-color:#1f77b4}"
	"form{display:flex;flex-wrap:wrap;gap:6px;align-items:center}"
	"input,button{font-size:1em;padding:4px}"
	".demo{background:#b00020;color:#fff;font-weight:bold;padding:8px 12px;"
	"border-radius:4px;letter-spacing:.05em}"
	".pollers{font-size:.9em;background:#fff;border:1px solid #ddd;"
	"padding:4px 10px;border-radius:4px}"
	".pollers td{padding:2px 8px 2px 0}.err{color:#b00020}"
	"section.table{background:#fff;border:1px solid #ddd;border-radius:4px;"
	"padding:4px 10px;margin:12px 0;overflow-x:auto}"
	"svg.chart{width:100%;height:auto;display:block}"
	/* Below this the labels get too small to read: scroll instead. */
	"@media (max-width:640px){svg.chart{min-width:600px}}"
	".meta{font-size:.85em;color:#666}";

/* Percent-encode for a URL path segment or query value. */
static void url_escape(struct buf *b, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-_.~", c))
			buf_addch(b, (char)c);
		else
			buf_addf(b, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
}

/* Escaped for HTML, after percent-encoding: an href value. */
static void href_escape(struct buf *b, const char *s)
{
	struct buf u = BUF_INIT;

	url_escape(&u, s);
	svg_escape(b, buf_cstr(&u));
	buf_release(&u);
}

struct poll_ctx {
	struct buf *b;
	int n;
};

static int poll_row(void *ctx, const char *key, const struct kv_value *v)
{
	struct poll_ctx *p = ctx;
	struct buf val = BUF_INIT;
	size_t kl = strlen(key);
	int is_err = kl > 6 && !strcmp(key + kl - 6, ".error");

	kv_value_format(v, &val);
	buf_addstr(p->b, is_err && val.len ? "<tr class=\"err\"><td>" : "<tr><td>");
	svg_escape(p->b, key);
	buf_addstr(p->b, "</td><td>");
	svg_escape(p->b, buf_cstr(&val));
	buf_addstr(p->b, "</td></tr>");
	buf_release(&val);
	p->n++;
	return 0;
}

/* The window the request asks for; *label gets the preset name or NULL. */
static int request_window(struct http_req *req, int64_t *t0, int64_t *t1,
			  const char **preset, struct hearth_err *err)
{
	const char *w = http_arg(req, "w"), *from = http_arg(req, "from"),
		   *to = http_arg(req, "to");
	size_t i;

	*preset = NULL;
	if ((from && *from) || (to && *to))
		return chart_window(from, to, timefmt_now(), t0, t1, err);
	if (!w || !*w)
		w = "24h";
	for (i = 0; i < NWINDOWS; i++)
		if (!strcmp(w, windows[i].name)) {
			*preset = windows[i].name;
			return chart_window(windows[i].since, NULL,
					    timefmt_now(), t0, t1, err);
		}
	return err_set(err, "unknown window '%.32s' (1h, 12h, 24h, 7d, 30d, 1y)",
		       w);
}

static void local_input(int64_t t, char *out, size_t n)
{
	axis_format_time(t, "%Y-%m-%dT%H:%M", out, n);
}

static void header(struct buf *b, const char *preset, int64_t t0, int64_t t1)
{
	char from[40], to[40];
	size_t i;

	buf_addf(b, "<!doctype html><html lang=\"en\"><head><meta charset="
		 "\"utf-8\"><meta name=\"viewport\" content=\"width=device-"
		 "width, initial-scale=1\"><title>hearth</title><style>%s"
		 "</style></head><body><header><h1>hearth</h1><nav "
		 "class=\"windows\">", style);
	for (i = 0; i < NWINDOWS; i++)
		buf_addf(b, "<a href=\"/?w=%s\"%s>%s</a>", windows[i].name,
			 preset && !strcmp(preset, windows[i].name)
				 ? " class=\"on\""
				 : "",
			 windows[i].name);
	local_input(t0, from, sizeof(from));
	local_input(t1, to, sizeof(to));
	buf_addf(b, "</nav><form class=\"range\" method=\"get\" action=\"/\">"
		 "<label>from <input type=\"datetime-local\" name=\"from\" "
		 "value=\"%s\"></label><label>to <input type=\"datetime-local\" "
		 "name=\"to\" value=\"%s\"></label><button type=\"submit\">"
		 "show</button></form></header>", from, to);
}

static void banners(struct buf *b, struct store *s)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct kv_value v = KV_VALUE_INIT;
	struct buf rows = BUF_INIT, val = BUF_INIT;
	struct poll_ctx pc = { &rows, 0 };

	if (kv_get(s, "demo", &v, &err) == 1) {
		kv_value_format(&v, &val);
		buf_addstr(b, "<div class=\"demo\" role=\"alert\">DEMO DATA: ");
		svg_escape(b, buf_cstr(&val));
		buf_addstr(b, "</div>");
	}
	kv_value_release(&v);
	buf_addstr(b, "<section class=\"pollers\"><strong>Pollers</strong>");
	if (kv_list(s, "poll.", poll_row, &pc, &err) < 0) {
		buf_addstr(b, " <span class=\"err\">");
		svg_escape(b, err.msg);
		buf_addstr(b, "</span>");
	} else if (!pc.n) {
		buf_addstr(b, " <span class=\"meta\">none has run</span>");
	} else {
		buf_addf(b, "<table>%s</table>", rows.s);
	}
	buf_addstr(b, "</section>");
	buf_release(&rows);
	buf_release(&val);
}

/* A window that reaches back before the raw rows [retention] keeps is
 * drawn from the rollups alone there: say so. */
static void history_note(struct buf *b, struct store *s, const char *table,
			 int64_t t0)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	int64_t kept = 0;
	char when[40];

	if (retention_kept_from(s, table, &kept, &err) != 1 || t0 >= kept)
		return;
	buf_addf(b, "<p class=\"meta history\">Before %s only per-minute and "
		 "per-hour summaries are kept ([retention]): the chart draws "
		 "those, not single readings.</p>",
		 axis_format_time(kept, "%Y-%m-%d %H:%M", when, sizeof(when)));
}

static int dashboard(struct http_req *req, struct http_resp *resp, void *ctx)
{
	struct serve_ctx *x = ctx;
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = dbcache_store(x->dbs, &err);
	const struct schema *sc = s ? dbcache_schema(x->dbs, &err) : NULL;
	struct buf *b = &resp->body, q = BUF_INIT;
	const char *preset;
	char from[40], to[40];
	int64_t t0, t1;
	size_t i, n = 0;

	if (!auth_browser(x->cfg, req, resp))
		return 0;
	if (!sc)
		return http_resp_error(resp, 503, "database: %s", err.msg);
	if (request_window(req, &t0, &t1, &preset, &err) < 0)
		return http_resp_error(resp, 400, "%s", err.msg);
	resp->content_type = "text/html; charset=utf-8";
	header(b, preset, t0, t1);
	banners(b, s);
	/* Chart links carry the window as absolute unix seconds, so the
	 * SVG shows what the page shows. */
	buf_addf(&q, "since=%lld&amp;until=%lld", (long long)(t0 / US_PER_SEC),
		 (long long)(t1 / US_PER_SEC));
	buf_addstr(b, "<main>");
	web_energy_panels(b, s, sc, x->cfg, t0, t1);
	for (i = 0; i < sc->ntables; i++) {
		const struct schema_table *t = &sc->tables[i];
		struct chart ch = CHART_INIT;
		struct chart_opts co;

		if (!schema_is_series(t))
			continue;
		n++;
		memset(&co, 0, sizeof(co));
		co.t0 = t0;
		co.t1 = t1;
		co.ncols = svg_columns(0);
		co.cfg = x->cfg;
		buf_addstr(b, "<section class=\"table\" id=\"t-");
		href_escape(b, t->name);
		buf_addstr(b, "\"><h2>");
		svg_escape(b, t->name);
		buf_addstr(b, "</h2>");
		if (chart_load(&ch, s, sc, t->name, &co, &err) < 0) {
			buf_addstr(b, "<p class=\"err\">");
			svg_escape(b, err.msg);
			buf_addstr(b, "</p>");
		} else {
			svg_draw(b, &ch, NULL);
			buf_addf(b, "<p class=\"meta\">%lld %s read, ",
				 (long long)ch.rows,
				 ch.level == ROLLUP_RAW ? "rows"
				 : ch.level == ROLLUP_MINUTE ? "minute buckets"
							     : "hour buckets");
			buf_addstr(b, "<a href=\"/chart/");
			href_escape(b, t->name);
			buf_addf(b, ".svg?%s\">SVG</a></p>", q.s);
		}
		history_note(b, s, t->name, t0);
		chart_release(&ch);
		buf_addstr(b, "</section>");
	}
	if (!n)
		buf_addstr(b, "<p>No series tables yet: a table with a TIMESTAMP "
			   "column is charted here.</p>");
	buf_addf(b, "</main><p class=\"meta\">%s to %s, local time</p>",
		 axis_format_time(t0, "%Y-%m-%d %H:%M", from, sizeof(from)),
		 axis_format_time(t1, "%Y-%m-%d %H:%M", to, sizeof(to)));
	if (preset)
		buf_addstr(b, "<script>setInterval(function(){if(!document.hidden)"
			   "location.reload()},60000)</script>");
	buf_addstr(b, "</body></html>\n");
	buf_release(&q);
	return 0;
}

static int px_arg(struct http_req *req, const char *name, int *out)
{
	const char *v = http_arg(req, name);
	char *end;
	long n;

	if (!v || !*v)
		return 0;
	n = strtol(v, &end, 10);
	if (*end || n < 200 || n > 4000)
		return -1;
	*out = (int)n;
	return 0;
}

static int chart_svg(struct http_req *req, struct http_resp *resp, void *ctx)
{
	struct serve_ctx *x = ctx;
	static const char *const chart_args[] = { "since", "until", "width",
						  "height", NULL };
	struct series_eq *eq = NULL;
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = dbcache_store(x->dbs, &err);
	const struct schema *sc = s ? dbcache_schema(x->dbs, &err) : NULL;
	struct svg_opts so = { 0, 0, 1 };
	struct chart ch = CHART_INIT;
	struct chart_opts co;
	const struct schema_table *t;
	const char *name = req->path + strlen("/chart/");
	size_t len = strlen(name);
	char table[256];
	int ret = 0;

	if (!auth_browser(x->cfg, req, resp))
		return 0;
	if (!sc)
		return http_resp_error(resp, 503, "database: %s", err.msg);
	if (len < 5 || strcmp(name + len - 4, ".svg") || len - 4 >= sizeof(table))
		return http_resp_error(resp, 404, "want /chart/TABLE.svg");
	memcpy(table, name, len - 4);
	table[len - 4] = '\0';
	t = schema_find_table(sc, table);
	if (!t || !schema_is_series(t))
		return http_resp_error(resp, 404, "no series table '%s'", table);
	memset(&co, 0, sizeof(co));
	if (px_arg(req, "width", &so.width) < 0 ||
	    px_arg(req, "height", &so.height) < 0)
		return http_resp_error(resp, 400, "width and height want 200 "
				       "to 4000");
	if (chart_window(http_arg(req, "since"), http_arg(req, "until"),
			 timefmt_now(), &co.t0, &co.t1, &err) < 0)
		return http_resp_error(resp, 400, "%s", err.msg);
	co.ncols = svg_columns(so.width);
	co.cfg = x->cfg;
	eq = xcalloc(t->ncols + 1, sizeof(*eq));
	co.eq = eq;
	co.neq = api_read_filters(req, t,
			     schema_time_column(t, config_get(co.cfg,
							      "time_columns",
							      t->name)),
			     chart_args, eq);
	if (chart_load(&ch, s, sc, t->name, &co, &err) < 0) {
		ret = http_resp_error(resp, 500, "%s", err.msg);
		goto out;
	}
	resp->content_type = "image/svg+xml; charset=utf-8";
	svg_draw(&resp->body, &ch, &so);
out:
	chart_release(&ch);
	free(eq);
	return ret;
}

const struct http_route web_routes[] = {
	{ "GET", "/", dashboard, NULL, 0 },
	{ "GET", "/chart/*", chart_svg, NULL, 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};

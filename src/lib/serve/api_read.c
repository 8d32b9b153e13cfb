/*
 * api_read.c - the API's reads: health, ping, metrics, the tables and
 * their rows.
 *
 *   GET /healthz               the database answers
 *   GET|any /ping              InfluxDB clients ping before they write
 *   GET /metrics               Prometheus counters
 *   GET /api/v1/tables         tables, columns, kinds and units (JSON)
 *   GET /api/v1/TABLE          a time window: ?since, until, format,
 *                              bucket, agg, last, COLUMN=VALUE
 */
#include "serve/api_read.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "base/units.h"
#include "base/xalloc.h"
#include "chart/format.h"
#include "chart/resample.h"
#include "chart/series.h"
#include "serve/auth.h"
#include "serve/dbcache.h"
#include "serve/metrics.h"
#include "serve/serve.h"
#include "serve/stream.h"

static int healthz(struct http_req *req, struct http_resp *resp, void *ctx)
{
	struct serve_ctx *sc = ctx;
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = dbcache_store(sc->dbs, &err);
	int64_t one = 0;

	(void)req;
	if (!s || store_query_int(s, "SELECT 1", &one, &err,
				  (const char *)NULL) < 0)
		return http_resp_error(resp, 503, "database: %s", err.msg);
	buf_addstr(&resp->body, "ok\n");
	return 0;
}

/* InfluxDB clients ping before they write. */
static int ping(struct http_req *req, struct http_resp *resp, void *ctx)
{
	(void)req;
	(void)ctx;
	resp->status = 204;
	http_resp_header(resp, "X-Influxdb-Version", "1.8-compatible (hearth)");
	return 0;
}

static int metrics_page(struct http_req *req, struct http_resp *resp,
			void *ctx)
{
	struct serve_ctx *sc = ctx;
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s;
	const struct schema *schema;

	if (!auth_api(sc->cfg, req, resp, 0, 0))
		return 0;
	s = dbcache_store(sc->dbs, &err);
	schema = s ? dbcache_schema(sc->dbs, &err) : NULL;
	if (!schema)
		return http_resp_error(resp, 503, "database: %s", err.msg);
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	metrics_render(sc->metrics, &resp->body);
	if (metrics_render_db(s, schema, sc->cfg, &resp->body, &err) < 0)
		return http_resp_error(resp, 503, "database: %s", err.msg);
	return 0;
}

static const char *column_kind(const struct schema_column *c,
			       const struct schema_column *tc)
{
	if (c == tc)
		return "time";
	switch (schema_affinity(c->type)) {
	case AFF_TEXT:
	case AFF_TIME:
		return "label";
	default:
		return "series";
	}
}

static int tables(struct http_req *req, struct http_resp *resp, void *ctx)
{
	struct serve_ctx *sc = ctx;
	struct hearth_err err = HEARTH_ERR_INIT;
	struct config *cfg = sc->cfg;
	const struct schema *schema;
	json_t *arr;
	size_t i, j;
	char *text;

	if (!auth_api(cfg, req, resp, 0, 0))
		return 0;
	schema = dbcache_schema(sc->dbs, &err);
	if (!schema)
		return http_resp_error(resp, 503, "database: %s", err.msg);
	arr = json_array();
	for (i = 0; i < schema->ntables; i++) {
		const struct schema_table *t = &schema->tables[i];
		const struct schema_column *tc;
		json_t *o, *cols;

		if (t->internal)
			continue;
		tc = schema_time_column(t, config_get(cfg, "time_columns",
						      t->name));
		o = json_object();
		cols = json_array();
		json_object_set_new(o, "name", json_string(t->name));
		json_object_set_new(o, "series", json_boolean(tc != NULL));
		json_object_set_new(o, "time_column",
				    tc ? json_string(tc->name) : json_null());
		for (j = 0; j < t->ncols; j++) {
			const struct schema_column *c = &t->cols[j];
			const char *kind = column_kind(c, tc);
			json_t *co = json_object();

			json_object_set_new(co, "name", json_string(c->name));
			json_object_set_new(co, "type", json_string(c->type));
			json_object_set_new(co, "kind", json_string(kind));
			if (!strcmp(kind, "series"))
				json_object_set_new(co, "unit",
						    json_string(units_for(
							    cfg, t->name, c->name)));
			json_array_append_new(cols, co);
		}
		json_object_set_new(o, "columns", cols);
		json_array_append_new(arr, o);
	}
	text = json_dumps(arr, JSON_INDENT(1) | JSON_ENSURE_ASCII);
	json_decref(arr);
	resp->content_type = "application/json";
	buf_addstr(&resp->body, text);
	buf_addch(&resp->body, '\n');
	free(text);
	return 0;
}

/*
 * Reads stream: the rows are selected again and written on a thread of
 * the read's own (stream.h), so a year of readings costs the server a
 * buffer, not the whole answer in memory.
 */
struct read_job {
	char *table, *time_col;
	struct series_window w;
	struct series_eq *eq; /* w's filters, their strings the job's */
	enum format_kind kind;
	int64_t width; /* bucket=, 0: rows as they are */
	enum resample_agg agg;
	stream_write_fn write;
	void *wctx;
	struct buf out;   /* written in pieces of READ_FLUSH bytes */
	int gone;         /* the client went away */
};

#define READ_FLUSH 65536

static int flush_job(struct read_job *j)
{
	if (!j->gone && j->out.len && j->write(j->wctx, j->out.s, j->out.len) < 0)
		j->gone = 1;
	buf_reset(&j->out);
	return j->gone ? -1 : 0;
}

static int to_job(void *ctx, const char *p, size_t n)
{
	struct read_job *j = ctx;

	if (buf_add(&j->out, p, n) < 0)
		return -1;
	return j->out.len >= READ_FLUSH ? flush_job(j) : 0;
}

static void read_job_free(void *ctx)
{
	struct read_job *j = ctx;
	size_t i;

	for (i = 0; i < j->w.neq; i++) {
		free((char *)j->eq[i].col);
		free((char *)j->eq[i].val);
	}
	free(j->eq);
	free(j->table);
	free(j->time_col);
	buf_release(&j->out);
	free(j);
}

/* On the read's own thread and connection.  An error now can only cut
 * the body short: the status went out already. */
static void read_stream(void *ctx, struct store *s, stream_write_fn write,
			void *wctx)
{
	struct read_job *j = ctx;
	struct hearth_err err = HEARTH_ERR_INIT;
	struct schema schema = SCHEMA_INIT;
	struct format_sink sink = { to_job, NULL };
	const struct schema_table *t;
	struct store_stmt *st = NULL;
	int64_t n;
	int time_idx;

	j->write = write;
	j->wctx = wctx;
	sink.ctx = j;
	if (store_introspect(s, &schema, &err) < 0 ||
	    !(t = schema_find_table(&schema, j->table)) ||
	    series_select(s, &schema, j->table, j->time_col, &j->w, &st,
			  &time_idx, &err) < 0)
		goto out;
	if (j->width ? resample_rows(st, t, time_idx, j->width, j->agg,
				     j->kind, &sink, &n, &err)
		     : format_rows(st, time_idx, j->kind, &sink, &n, &err))
		goto out;
	flush_job(j);
out:
	store_finalize(st);
	schema_release(&schema);
}

static int read_time_arg(struct http_req *req, const char *name, int64_t now,
			 int64_t *out, struct http_resp *resp)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	const char *v = http_arg(req, name);

	if (!v || !*v)
		return 0;
	/* Machines call the API: a time without a zone is UTC here. */
	if (timefmt_parse(v, now, TIMEFMT_UTC, out, &err) < 0) {
		http_resp_error(resp, 400, "%s: %s", name, err.msg);
		return -1;
	}
	return 0;
}

static int is_arg(const char *name, const char *const *own)
{
	static const char *const everyones[] = { "token", "p", "u", NULL };
	const char *const *a;

	for (a = own; *a; a++)
		if (!strcmp(name, *a))
			return 1;
	for (a = everyones; *a; a++)
		if (!strcmp(name, *a))
			return 1;
	return 0;
}

size_t api_read_filters(struct http_req *req, const struct schema_table *t,
		   const struct schema_column *tc, const char *const *own,
		   struct series_eq *eq)
{
	size_t i, n = 0;
	const char *v;

	for (i = 0; i < t->ncols; i++)
		if (&t->cols[i] != tc && !is_arg(t->cols[i].name, own) &&
		    (v = http_arg(req, t->cols[i].name))) {
			eq[n].col = t->cols[i].name;
			eq[n++].val = v;
		}
	return n;
}

/* The route's data: the path's part before the table's name. */
static int read_table(struct http_req *req, struct http_resp *resp, void *ctx)
{
	struct serve_ctx *sc = ctx;
	static const char *const read_args[] = { "since", "until", "format",
						 "bucket", "agg", "last", NULL };
	struct hearth_err err = HEARTH_ERR_INIT;
	struct series_window w = SERIES_WINDOW_INIT;
	const char *table = req->path + strlen(req->route->data);
	const char *fmt = http_arg(req, "format"), *bucket = http_arg(req, "bucket");
	const char *agg_s = http_arg(req, "agg"), *last = http_arg(req, "last");
	const struct schema *schema;
	const struct schema_table *t;
	struct store_stmt *st = NULL;
	enum format_kind kind = FORMAT_JSON;
	enum resample_agg agg = RESAMPLE_AVG;
	int64_t now = timefmt_now(), width = 0;
	const char *time_col;
	struct read_job *j;
	int time_idx;
	struct store *s;
	size_t i;

	if (!auth_api(sc->cfg, req, resp, 0, 0))
		return 0;
	if (read_time_arg(req, "since", now, &w.since, resp) < 0 ||
	    read_time_arg(req, "until", now, &w.until, resp) < 0)
		return 0;
	if (fmt && format_parse(fmt, &kind) < 0)
		return http_resp_error(resp, 400, "format: '%.32s' is not json, "
				       "csv or table", fmt);
	if (bucket && resample_parse_width(bucket, &width, &err) < 0)
		return http_resp_error(resp, 400, "%s", err.msg);
	if (agg_s && !bucket)
		return http_resp_error(resp, 400, "agg: only with bucket=");
	if (agg_s && resample_parse_agg(agg_s, &agg) < 0)
		return http_resp_error(resp, 400, "agg: '%.32s' is not avg, min, "
				       "max, sum, first, last or count", agg_s);
	if (last) {
		char *end;
		w.limit = strtoll(last, &end, 10);
		if (*end || w.limit <= 0)
			return http_resp_error(resp, 400, "last: want a positive "
					       "number of rows");
		if (bucket)
			return http_resp_error(resp, 400, "last: not with bucket=");
		w.newest_first = 1;
	}
	s = dbcache_store(sc->dbs, &err);
	schema = s ? dbcache_schema(sc->dbs, &err) : NULL;
	if (!schema)
		return http_resp_error(resp, 503, "database: %s", err.msg);
	t = schema_find_table(schema, table);
	if (!t || t->internal)
		return http_resp_error(resp, 404, "unknown table '%.128s'", table);
	/* What can fail is found here, while the status can still say so;
	 * the read itself runs again on the stream's thread. */
	time_col = config_get(sc->cfg, "time_columns", t->name);
	j = xcalloc(1, sizeof(*j));
	j->eq = xcalloc(t->ncols + 1, sizeof(*j->eq));
	w.eq = j->eq;
	w.neq = api_read_filters(req, t, schema_time_column(t, time_col), read_args,
			    j->eq);
	if (series_select(s, schema, t->name, time_col, &w, &st, &time_idx,
			  &err) < 0) {
		w.neq = 0; /* the strings are borrowed yet */
		j->w = w;
		read_job_free(j);
		return http_resp_error(resp, 400, "%s", err.msg);
	}
	store_finalize(st);
	for (i = 0; i < w.neq; i++) {
		j->eq[i].col = xstrdup(j->eq[i].col);
		j->eq[i].val = xstrdup(j->eq[i].val);
	}
	j->table = xstrdup(t->name);
	j->time_col = time_col ? xstrdup(time_col) : NULL;
	j->w = w;
	j->kind = kind;
	j->width = bucket ? width : 0;
	j->agg = agg;
	buf_init(&j->out, 0);
	if (stream_start(sc->streams, req, resp, read_stream, j, read_job_free,
			 &err) < 0) {
		read_job_free(j);
		return http_resp_error(resp, 503, "read %s: %s", t->name,
				       err.msg);
	}
	resp->content_type = kind == FORMAT_JSON ? "application/json"
			     : kind == FORMAT_CSV ? "text/csv; charset=utf-8"
						  : "text/plain; charset=utf-8";
	return 0;
}

const struct http_route api_read_routes[] = {
	{ "GET", "/healthz", healthz, NULL, 0 },
	{ "GET", "/metrics", metrics_page, NULL, 0 },
	{ NULL, "/ping", ping, NULL, 0 },
	{ "GET", "/api/v1/tables", tables, NULL, 0 },
	/* The same read; the only way to a table named "tables". */
	{ "GET", "/api/v1/tables/*", read_table, "/api/v1/tables/", 0 },
	{ "GET", "/api/v1/*", read_table, "/api/v1/", 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};

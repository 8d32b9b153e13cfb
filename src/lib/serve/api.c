/*
 * api.c - the HTTP API routes: health, metrics, tokens and reads.  Writes
 * are in api_write.c.
 */
#include "serve/serve.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "serve/api.h"
#include "chart/resample.h"
#include "chart/format.h"
#include "chart/series.h"
#include "base/timefmt.h"
#include "serve/token.h"
#include "base/units.h"
#include "base/xalloc.h"

#define MAX_TOKEN 1024

static struct metrics *metrics;

struct metrics *api_metrics(void)
{
	return metrics;
}

/* Token files must be readable when serve starts: a typo in the path is
 * better found then than by the first sensor that posts. */
int api_start(struct config *cfg, struct hearth_err *err)
{
	static const char *const keys[] = { "write_token_file",
					    "read_token_file" };
	size_t i;

	for (i = 0; i < 2; i++) {
		char *path = config_path(cfg, "serve", keys[i], NULL), *tok = NULL;
		int rc = 0;

		if (path)
			rc = token_read(path, &tok, err);
		free(path);
		free(tok);
		if (rc < 0)
			return err_prefix(err, "[serve] %s", keys[i]);
	}
	metrics = metrics_new();
	return 0;
}

void api_stop(void)
{
	api_write_stop();
	metrics_free(metrics);
	metrics = NULL;
}

void api_observe(const struct http_route *route, const char *method,
		 int status, int handled, double seconds)
{
	if (!metrics)
		return;
	metrics_request(metrics, route ? route->path : NULL, method, status,
			seconds);
	/* A write the HTTP layer refused (body too large, bad gzip) is a
	 * write error too; which table it was for is not known then. */
	if (!handled && route &&
	    (route->fn == api_write_v1 || route->fn == api_write_lp))
		metrics_write_error(metrics, NULL);
}

int api_error(struct http_resp *resp, int influx, int status, const char *msg)
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

/* The token the client sent, in out; 0 when it sent none. */
static long given_token(struct http_req *req, char *out, size_t outsz)
{
	const char *h = http_header(req, "Authorization");
	const char *q;
	size_t n;

	if (h)
		return token_from_authorization(h, out, outsz);
	/* ?token= for scripts; ?p= is InfluxDB 1.x's password parameter. */
	q = http_arg(req, "token");
	if (!q)
		q = http_arg(req, "p");
	if (!q)
		return 0;
	n = strlen(q);
	if (n >= outsz)
		return -1;
	memcpy(out, q, n + 1);
	return (long)n;
}

/* 1 when the token in file key matches, 0 when not, -1 when the file
 * cannot be read. */
static int token_matches(struct config *cfg, const char *key,
			 const char *given, long n)
{
	char *path = config_path(cfg, "serve", key, NULL), *want = NULL;
	struct hearth_err err = HEARTH_ERR_INIT;
	int ok;

	/* Read on every request, so a rotated token takes effect without a
	 * restart; the file is a few bytes. */
	if (token_read(path, &want, &err) < 0) {
		free(path);
		return -1;
	}
	ok = n > 0 && token_equal(want, given, (size_t)n);
	free(path);
	free(want);
	return ok;
}

/* api_auth, with challenge as the WWW-Authenticate of a 401. */
static int auth(struct http_req *req, struct http_resp *resp, int write,
		int influx, const char *challenge)
{
	struct config *cfg = http_config(req);
	int has_write = config_get(cfg, "serve", "write_token_file") != NULL;
	int has_read = config_get(cfg, "serve", "read_token_file") != NULL;
	char tok[MAX_TOKEN];
	long n;
	int rc = 0;

	if (write && !has_write)
		return api_error(resp, influx, 403, "writes disabled: set "
				 "[serve] write_token_file"), 0;
	if (!write && !has_read)
		return 1;
	n = given_token(req, tok, sizeof(tok));
	if (n > 0) {
		rc = token_matches(cfg, write ? "write_token_file"
					      : "read_token_file", tok, n);
		/* The write token reads too. */
		if (rc == 0 && !write && has_write)
			rc = token_matches(cfg, "write_token_file", tok, n);
	}
	memset(tok, 0, sizeof(tok));
	if (rc < 0)
		return api_error(resp, influx, 500, "server token file cannot "
				 "be read"), 0;
	if (rc > 0)
		return 1;
	api_error(resp, influx, 401, "unauthorized: send a valid token "
		  "(Authorization: Bearer TOKEN)");
	http_resp_header(resp, "WWW-Authenticate", challenge);
	return 0;
}

int api_auth(struct http_req *req, struct http_resp *resp, int write,
	     int influx)
{
	return auth(req, resp, write, influx, "Bearer realm=\"hearth\"");
}

int api_browser_auth(struct http_req *req, struct http_resp *resp)
{
	/* Basic makes a browser ask; the token is the password. */
	return auth(req, resp, 0, 0, "Basic realm=\"hearth\", charset=\"UTF-8\"");
}

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

/* InfluxDB clients ping before they write. */
static int ping(struct http_req *req, struct http_resp *resp, void *ud)
{
	(void)req;
	(void)ud;
	resp->status = 204;
	http_resp_header(resp, "X-Influxdb-Version", "1.8-compatible (hearth)");
	return 0;
}

static int metrics_page(struct http_req *req, struct http_resp *resp,
			void *ud)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s;
	const struct schema *schema;

	(void)ud;
	if (!api_auth(req, resp, 0, 0))
		return 0;
	s = http_store(req, &err);
	schema = s ? http_schema(req, &err) : NULL;
	if (!schema)
		return http_resp_error(resp, 503, "database: %s", err.msg);
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	metrics_render(metrics, &resp->body);
	if (metrics_render_db(s, schema, http_config(req), &resp->body,
			      &err) < 0)
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

static int tables(struct http_req *req, struct http_resp *resp, void *ud)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct config *cfg = http_config(req);
	const struct schema *schema;
	json_t *arr;
	size_t i, j;
	char *text;

	(void)ud;
	if (!api_auth(req, resp, 0, 0))
		return 0;
	schema = http_schema(req, &err);
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
 * the read's own (http_resp_stream), so a year of readings costs the
 * server a buffer, not the whole answer in memory.
 */
struct read_job {
	char *table, *time_col;
	struct series_window w;
	struct series_eq *eq; /* w's filters, their strings the job's */
	enum format_kind kind;
	int64_t width; /* bucket=, 0: rows as they are */
	enum resample_agg agg;
	http_write_fn write;
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
static void read_stream(void *ctx, struct store *s, http_write_fn write,
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

size_t api_filters(struct http_req *req, const struct schema_table *t,
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

/* ud: the path's part before the table's name. */
static int read_table(struct http_req *req, struct http_resp *resp, void *ud)
{
	static const char *const read_args[] = { "since", "until", "format",
						 "bucket", "agg", "last", NULL };
	struct hearth_err err = HEARTH_ERR_INIT;
	struct series_window w = SERIES_WINDOW_INIT;
	const char *table = req->path + strlen(ud);
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

	if (!api_auth(req, resp, 0, 0))
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
	s = http_store(req, &err);
	schema = s ? http_schema(req, &err) : NULL;
	if (!schema)
		return http_resp_error(resp, 503, "database: %s", err.msg);
	t = schema_find_table(schema, table);
	if (!t || t->internal)
		return http_resp_error(resp, 404, "unknown table '%.128s'", table);
	/* What can fail is found here, while the status can still say so;
	 * the read itself runs again on the stream's thread. */
	time_col = config_get(http_config(req), "time_columns", t->name);
	j = xcalloc(1, sizeof(*j));
	j->eq = xcalloc(t->ncols + 1, sizeof(*j->eq));
	w.eq = j->eq;
	w.neq = api_filters(req, t, schema_time_column(t, time_col), read_args,
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
	if (http_resp_stream(req, resp, read_stream, j, read_job_free,
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

const struct http_route api_routes[] = {
	{ "GET", "/healthz", healthz, NULL, 0 },
	{ "GET", "/metrics", metrics_page, NULL, 0 },
	{ NULL, "/ping", ping, NULL, 0 },
	{ "GET", "/api/v1/tables", tables, NULL, 0 },
	/* The same read; the only way to a table named "tables". */
	{ "GET", "/api/v1/tables/*", read_table, "/api/v1/tables/", 0 },
	{ "GET", "/api/v1/*", read_table, "/api/v1/", 0 },
	{ "POST", "/api/v1/*", api_write_v1, NULL, 0 },
	{ "POST", "/write", api_write_lp, NULL, 0 },
	{ "POST", "/api/v2/write", api_write_lp, NULL, 0 },
	{ "POST", "/query", api_query_compat, NULL, 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};

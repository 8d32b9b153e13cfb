/*
 * api_write.c - the write routes: POST /api/v1/TABLE (JSON, CSV, line
 * protocol), POST /write and /api/v2/write (InfluxDB 1.x and 2.x line
 * protocol, so Telegraf and InfluxDB client libraries send unchanged),
 * and POST /query for the one InfluxQL statement their clients send
 * before writing.
 *
 * Every request is one transaction, committed before the response, all
 * or nothing whatever its size: the body is parsed and converted into
 * batches on the request's thread, and the server's writing thread
 * stores them (ingest/writeq.h).
 */
#include "serve/api_write.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"
#include "chart/format.h"
#include "ingest/batch.h"
#include "ingest/ingest.h"
#include "ingest/writeq.h"
#include "serve/auth.h"
#include "serve/autocol.h"
#include "serve/dbcache.h"
#include "serve/metrics.h"
#include "serve/reply.h"
#include "serve/serve.h"

/* Rows converted before they go to the writing thread: a request of at
 * most this many is one batch, and may share its commit with others
 * (writeq.h); a longer one is stored batch by batch in a transaction of
 * its own.  Writers: one per set of columns a request names. */
#define BATCH_ROWS 65536
#define MAX_SHAPES 64

enum body_kind { BODY_JSON, BODY_CSV, BODY_LP, BODY_UNSUPPORTED };

static int content_is(const char *ct, const char *want)
{
	size_t n = strlen(want);

	return !strncasecmp(ct, want, n) &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

static enum body_kind body_kind(struct http_req *req)
{
	const char *ct = http_header(req, "Content-Type");
	const char *p = req->body;

	if (ct && (content_is(ct, "application/json") ||
		   content_is(ct, "text/json")))
		return BODY_JSON;
	if (ct && (content_is(ct, "text/csv") || content_is(ct, "application/csv")))
		return BODY_CSV;
	if (ct && !content_is(ct, "text/plain") &&
	    !content_is(ct, "application/x-www-form-urlencoded") &&
	    !content_is(ct, "application/octet-stream"))
		return BODY_UNSUPPORTED;
	/* No useful type (curl -d sends form-urlencoded): look. */
	while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
		p++;
	if (*p == '{' || *p == '[')
		return BODY_JSON;
	return strcmp(ingest_sniff(req->body, req->body_len), "lp") ? BODY_CSV
								      : BODY_LP;
}

/* gzip bodies arrive decompressed (http.h); other encodings are refused
 * by name rather than parsed as garbage. */
static int encoded(struct http_req *req)
{
	const char *ce = http_header(req, "Content-Encoding");

	return ce && *ce && strcasecmp(ce, "identity") &&
	       strcasecmp(ce, "gzip") && strcasecmp(ce, "x-gzip");
}

static int serve_flag(const struct config *cfg, const char *key)
{
	const char *v = config_get(cfg, "serve", key);

	return v && (!strcasecmp(v, "yes") || !strcasecmp(v, "true") ||
		     !strcasecmp(v, "on") || !strcmp(v, "1"));
}

/* What [serve] auto_columns and auto_tables let a request add (autocol.h);
 * tables only where the rows name their table, not to a route that does
 * (POST /api/v1/TABLE). */
static unsigned auto_adds(const struct config *cfg, enum ingest_format f,
			  int route_names_table)
{
	if (f == INGEST_CSV)
		return 0;
	return (serve_flag(cfg, "auto_columns") ? AUTOCOL_COLUMNS : 0) |
	       (!route_names_table && serve_flag(cfg, "auto_tables")
			? AUTOCOL_TABLES
			: 0);
}

/*
 * Add the tables and columns the body names and the database lacks, when
 * the settings allow, and leave the schema after that in *schema.  The
 * write lock is taken only when there is something to add, so that no
 * other request writes a revision at the same time; the schema is read
 * again under it (another request may have added the same since
 * autocol_pending looked).
 */
static int add_columns(struct serve_ctx *sc, struct http_req *req,
		       struct store *s, enum ingest_format f, const char *table,
		       const struct schema **schema, int *bad,
		       struct hearth_err *err)
{
	unsigned adds = auto_adds(sc->cfg, f, table != NULL);
	int rc, added = 0;

	if (!adds)
		return 0;
	rc = autocol_pending(*schema, adds, f, table, req->body, req->body_len,
			     err);
	if (rc <= 0) {
		*bad = rc < 0;
		return rc;
	}
	writeq_hold(sc->writes, s);
	rc = -1;
	if ((*schema = dbcache_schema(sc->dbs, err)) &&
	    autocol_apply(s, *schema, sc->cfg, adds, f, table, req->body,
			  req->body_len, &added, bad, err) == 0 &&
	    (!added || (*schema = dbcache_schema(sc->dbs, err))))
		rc = 0;
	writeq_release(sc->writes, s);
	return rc;
}

/*
 * The body's rows into the database through s (the request thread's
 * connection, whose schema is schema), in one transaction.  *rows gets
 * the rows stored, counted per table in /metrics; *bad is set when the
 * error is the request's fault (HTTP 400), else it is the server's (503).
 */
static int write_body(struct serve_ctx *sc, struct http_req *req,
		      struct store *s, const struct schema *schema,
		      enum ingest_format f, const char *table,
		      enum lp_precision prec, int64_t *rows, int *bad,
		      struct hearth_err *err)
{
	struct writeq_req wr = WRITEQ_REQ_INIT;
	struct counts counts = COUNTS_INIT;
	struct ingest_src *src = NULL;
	struct ingest_parser *p = NULL;
	struct batch *b = NULL;
	struct batch_opts bo;
	long bad_at = 0;
	int ret = -1, fill;
	size_t i;

	*rows = 0;
	*bad = 0;
	if (add_columns(sc, req, s, f, table, &schema, bad, err) < 0)
		return -1;
	/* The route's table is in a new schema now (auto_columns). */
	if (table && !schema_find_table(schema, table))
		return err_set(err, "table '%.128s' is gone", table);
	src = xmalloc(sizeof(*src));
	ingest_src_mem(src, req->body, req->body_len);
	p = ingest_open(f, src, prec);
	memset(&bo, 0, sizeof(bo));
	bo.s = s;
	bo.schema = schema;
	bo.cfg = sc->cfg;
	bo.table = table;
	bo.max_shapes = MAX_SHAPES;
	b = batch_new(&bo);
	do {
		fill = batch_fill(b, p, BATCH_ROWS, &bad_at, err);
		if (fill < 0) {
			/* The input's fault, wherever it is: the batches put
			 * before it are undone. */
			writeq_abort(sc->writes, &wr);
			*bad = 1;
			goto out;
		}
		batch_count(b, &counts);
		if (writeq_put(sc->writes, &wr, b, fill == 0, &bad_at, err) < 0) {
			*bad = bad_at != 0;
			goto out;
		}
		batch_reset(b);
	} while (fill > 0);
	for (i = 0; i < counts.n; i++)
		metrics_rows(sc->metrics, counts.v[i].table, counts.v[i].rows);
	*rows = counts.rows;
	ret = 0;
out:
	counts_release(&counts);
	batch_free(b);
	ingest_free(p);
	free(src);
	return ret;
}

static int write_v1(struct http_req *req, struct http_resp *resp, void *ctx)
{
	struct serve_ctx *sc = ctx;
	struct hearth_err err = HEARTH_ERR_INIT;
	const char *name = req->path + strlen("/api/v1/");
	const struct schema_table *t;
	const struct schema *schema;
	enum body_kind kind;
	struct store *s;
	int64_t rows = 0;
	int bad;

	if (!auth_api(sc->cfg, req, resp, 1, 0)) {
		metrics_write_error(sc->metrics, NULL);
		return 0;
	}
	s = dbcache_store(sc->dbs, &err);
	schema = s ? dbcache_schema(sc->dbs, &err) : NULL;
	if (!schema)
		return http_resp_error(resp, 503, "database: %s", err.msg);
	t = schema_find_table(schema, name);
	if (!t || t->internal) {
		metrics_write_error(sc->metrics, NULL);
		return http_resp_error(resp, 404, "unknown table '%.128s'", name);
	}
	kind = body_kind(req);
	if (kind == BODY_UNSUPPORTED || encoded(req)) {
		metrics_write_error(sc->metrics, t->name);
		return http_resp_error(resp, 415, "unsupported body: send "
				       "Content-Type application/json, text/csv "
				       "or text/plain (line protocol), "
				       "uncompressed or gzipped");
	}
	if (write_body(sc, req, s, schema, kind == BODY_JSON ? INGEST_JSON
				: kind == BODY_CSV ? INGEST_CSV : INGEST_LP,
		       t->name, LP_NS, &rows, &bad, &err) < 0) {
		metrics_write_error(sc->metrics, t->name);
		/* Nothing of the request is stored: say so, so a client
		 * knows it can resend the whole body once fixed. */
		return http_resp_error(resp, bad ? 400 : 503,
				       "%s: %s (nothing stored)", t->name,
				       err.msg);
	}
	resp->content_type = "application/json";
	buf_addf(&resp->body, "{\"table\":");
	format_json_string(&resp->body, t->name, strlen(t->name));
	buf_addf(&resp->body, ",\"rows\":%lld}\n", (long long)rows);
	return 0;
}

static int write_lp(struct http_req *req, struct http_resp *resp, void *ctx)
{
	struct serve_ctx *sc = ctx;
	struct hearth_err err = HEARTH_ERR_INIT;
	const char *p = http_arg(req, "precision");
	const struct schema *schema;
	enum lp_precision prec;
	struct store *s;
	int64_t rows = 0;
	int bad;
	char msg[HEARTH_ERR_MAX + 32], nrows[32];

	if (!auth_api(sc->cfg, req, resp, 1, 1)) {
		metrics_write_error(sc->metrics, NULL);
		return 0;
	}
	if (lp_parse_precision(p, &prec) < 0) {
		metrics_write_error(sc->metrics, NULL);
		snprintf(msg, sizeof(msg), "precision '%.16s': want ns, us, ms, "
			 "s, m or h", p);
		return reply_error(resp, 1, 400, msg);
	}
	if (encoded(req)) {
		metrics_write_error(sc->metrics, NULL);
		return reply_error(resp, 1, 415, "Content-Encoding: send line "
				   "protocol gzipped or uncompressed");
	}
	s = dbcache_store(sc->dbs, &err);
	schema = s ? dbcache_schema(sc->dbs, &err) : NULL;
	if (!schema) {
		snprintf(msg, sizeof(msg), "database: %s", err.msg);
		return reply_error(resp, 1, 503, msg);
	}
	if (write_body(sc, req, s, schema, INGEST_LP, NULL, prec, &rows, &bad,
		       &err) < 0) {
		metrics_write_error(sc->metrics, NULL);
		snprintf(msg, sizeof(msg), "%s (nothing stored)", err.msg);
		return reply_error(resp, 1, bad ? 400 : 503, msg);
	}
	/* InfluxDB answers a write with 204 and no body, and its clients
	 * insist on it; the row count goes in a header. */
	resp->status = 204;
	snprintf(nrows, sizeof(nrows), "%lld", (long long)rows);
	http_resp_header(resp, "X-Hearth-Rows", nrows);
	return 0;
}

/* Clients of InfluxDB 1.x send `CREATE DATABASE` before writing; hearth
 * has one database, so that is a no-op.  Anything else is InfluxQL,
 * which hearth does not run. */
static int query_compat(struct http_req *req, struct http_resp *resp,
			void *ctx)
{
	struct serve_ctx *sc = ctx;
	const char *q = http_arg(req, "q");

	if (!auth_api(sc->cfg, req, resp, 1, 1))
		return 0;
	if (!q) {
		q = req->body;
		if (!strncmp(q, "q=", 2))
			q += 2;
	}
	while (isspace((unsigned char)*q))
		q++;
	if (!strncasecmp(q, "create", 6) &&
	    (q[6] == ' ' || q[6] == '+' || !strncmp(q + 6, "%20", 3))) {
		resp->content_type = "application/json";
		buf_addstr(&resp->body, "{\"results\":[{\"statement_id\":0}]}\n");
		return 0;
	}
	return reply_error(resp, 1, 400, "hearth does not run InfluxQL "
			   "queries: read with GET /api/v1/TABLE?since=...");
}

const struct http_route api_write_routes[] = {
	{ "POST", "/api/v1/*", write_v1, NULL, 0 },
	{ "POST", "/write", write_lp, NULL, 0 },
	{ "POST", "/api/v2/write", write_lp, NULL, 0 },
	{ "POST", "/query", query_compat, NULL, 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};

int api_write_is_write(const struct http_route *route)
{
	return route && (route->fn == write_v1 || route->fn == write_lp);
}

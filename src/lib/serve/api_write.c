/*
 * api_write.c - the write routes: POST /api/v1/TABLE (JSON, CSV, line
 * protocol), POST /write and /api/v2/write (InfluxDB 1.x and 2.x line
 * protocol, so Telegraf and InfluxDB client libraries send unchanged).
 *
 * Every request is one transaction, committed before the response.
 */
#include <ctype.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "serve/api.h"
#include "serve/autocol.h"
#include "store/checkpointer.h"
#include "ingest/commitq.h"
#include "base/config.h"
#include "chart/format.h"
#include "ingest/import.h"
#include "ingest/ingest.h"
#include "ingest/jsonrows.h"
#include "serve/serve.h"
#include "ingest/stage.h"
#include "base/xalloc.h"

/* SQLite has one writer at a time.  Writers that meet a held lock poll
 * with growing sleeps (the busy handler), which wastes most of the time
 * when several clients post at once; queueing them on a mutex here hands
 * the lock over as soon as it is free. */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER;

/* Bodies up to this size are parsed and converted before the write lock
 * is taken (stage.h); bigger ones stream through import under the lock,
 * in constant memory. */
#define STAGE_MAX_BODY (4u << 20)

enum body_kind { BODY_JSON, BODY_CSV, BODY_LP, BODY_UNSUPPORTED };

/* WAL checkpoints copy committed pages into the database file.  SQLite
 * runs them in the committing connection, i.e. under the write lock; a
 * checkpoint can run beside a writer, so API connections skip the
 * automatic one and a thread of its own checkpoints (checkpointer.h)
 * each time the log has grown by CHECKPOINT_AT pages.
 *
 * Under constant load those checkpoints never quite catch up with the
 * log, which then never starts over; past CHECKPOINT_FORCE pages one runs
 * under the lock, after which the next writer starts the log over. */
#define CHECKPOINT_AT 1000     /* pages of the log (SQLite's default) */
#define CHECKPOINT_FORCE 16000 /* pages: 64 MB of 4 KB pages */
static struct checkpointer *checkpointer; /* these under write_lock */
static int64_t poked_at; /* the log's length at the last checkpoint asked */

static int is_sqlite_file(struct store *s)
{
	return !strcmp(store_dialect(s), "sqlite") && store_path(s);
}

static void checkpoint(struct store *s)
{
	struct hearth_err ignore;

	/* PASSIVE never waits: a busy reader or a running checkpoint just
	 * means less is copied this time. */
	store_checkpoint(s, &ignore);
}

static void lock_writes(struct store *s)
{
	struct hearth_err ignore;

	if (strcmp(store_dialect(s), "sqlite"))
		return;
	pthread_mutex_lock(&write_lock);
	if (!is_sqlite_file(s))
		return;
	store_autocheckpoint(s, 0);
	/* Without the thread, the writers checkpoint themselves. */
	if (!checkpointer)
		checkpointer_start(&checkpointer, store_path(s), &ignore);
}

static void unlock_writes(struct store *s)
{
	struct checkpointer *c = checkpointer;
	int64_t frames;
	int ask = 0;

	if (strcmp(store_dialect(s), "sqlite"))
		return;
	/* s's count is the log's length after s's commit, and no one else
	 * of this server has committed since: the lock is still held. */
	frames = is_sqlite_file(s) ? store_wal_frames(s) : 0;
	if (frames < poked_at)
		poked_at = 0; /* the log started over */
	if (frames > CHECKPOINT_FORCE) {
		checkpoint(s);
	} else if (frames >= poked_at + CHECKPOINT_AT) {
		ask = 1;
		poked_at = frames;
	}
	pthread_mutex_unlock(&write_lock);
	if (ask && c)
		checkpointer_poke(c);
	else if (ask)
		checkpoint(s);
}

void api_write_hold(void)
{
	pthread_mutex_lock(&write_lock);
}

void api_write_release(void)
{
	pthread_mutex_unlock(&write_lock);
}

/* Staged bodies of a SQLite file are stored by the writing thread
 * (commitq.h), started with the first; when it cannot start, each
 * request stores its own under the write lock, as other writes do. */
static pthread_mutex_t commitq_lock = PTHREAD_MUTEX_INITIALIZER;
static struct commitq *commitq; /* these under commitq_lock */
static int commitq_failed;

void api_write_stop(void)
{
	/* The thread first: it may still be committing, and checkpoints. */
	commitq_stop(commitq);
	commitq = NULL;
	commitq_failed = 0;
	checkpointer_stop(checkpointer);
	checkpointer = NULL;
}

static void count_rows(void *ctx, const char *table, int64_t rows)
{
	metrics_rows(ctx, table, rows);
}

static struct commitq *writing_thread(struct store *s)
{
	static const struct commitq_hooks hooks = { lock_writes,
						    unlock_writes };
	struct hearth_err ignore;
	struct commitq *q;

	if (!is_sqlite_file(s))
		return NULL;
	pthread_mutex_lock(&commitq_lock);
	if (!commitq && !commitq_failed)
		commitq_failed = commitq_start(&commitq, store_path(s), &hooks,
					       &ignore) < 0;
	q = commitq;
	pthread_mutex_unlock(&commitq_lock);
	return q;
}

/* Store a staged body, committed before this returns. */
static int store_stage(struct store *s, struct stage *st, long *bad_line,
		       struct hearth_err *err)
{
	struct commitq *q = writing_thread(s);
	int rc;

	if (q)
		return commitq_store(q, st, count_rows, api_metrics(), bad_line,
				     err);
	lock_writes(s);
	rc = stage_store(st, s, count_rows, api_metrics(), bad_line, err);
	unlock_writes(s);
	return rc;
}

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

static int serve_flag(struct http_req *req, const char *key)
{
	const char *v = config_get(http_config(req), "serve", key);

	return v && (!strcasecmp(v, "yes") || !strcasecmp(v, "true") ||
		     !strcasecmp(v, "on") || !strcmp(v, "1"));
}

/* What [serve] auto_columns and auto_tables let a request add (autocol.h);
 * tables only where the measurement names the table, not to a route that
 * does (POST /api/v1/TABLE). */
static unsigned auto_adds(struct http_req *req, int route_names_table)
{
	return (serve_flag(req, "auto_columns") ? AUTOCOL_COLUMNS : 0) |
	       (!route_names_table && serve_flag(req, "auto_tables")
			? AUTOCOL_TABLES
			: 0);
}

/* Under the write lock: add what the body names and the database lacks,
 * against the schema as it is now (another request may have added the
 * same since autocol_pending looked), and leave the schema after it in
 * *schema. */
static int fresh_autocol(struct http_req *req, struct store *s, unsigned adds,
			 const char *json_table,
			 const struct schema **schema, int *added, int *bad,
			 struct hearth_err *err)
{
	if (!(*schema = http_schema(req, err)) ||
	    autocol_apply(s, *schema, http_config(req), adds, json_table,
			  req->body, req->body_len, added, bad, err) < 0)
		return -1;
	if (*added && !(*schema = http_schema(req, err)))
		return -1;
	return 0;
}

/* Import the body in one transaction.  *bad is set when the error is the
 * request's fault (HTTP 400). */
static int run_import(struct http_req *req, struct store *s,
		      const struct schema *schema, enum import_format format,
		      const char *table, enum lp_precision prec,
		      struct import_result *res, int *bad,
		      struct hearth_err *err)
{
	struct import_opts o;
	struct ingest_src *src;
	struct stage *st = NULL;
	long bad_line = 0;
	unsigned adds = auto_adds(req, table != NULL);
	int rc = -1, added = 0;

	memset(res, 0, sizeof(*res));
	*bad = 0;
	/* New tables and columns first, under the write lock, so that no
	 * other request writes a revision at the same time; the lock only
	 * when there is something to add. */
	if (format == IMPORT_LP && adds) {
		rc = autocol_pending(schema, adds, NULL, req->body,
				     req->body_len, err);
		if (rc < 0) {
			*bad = 1;
			return -1;
		}
		if (rc > 0) {
			lock_writes(s);
			rc = fresh_autocol(req, s, adds, NULL, &schema, &added,
					   bad, err);
			unlock_writes(s);
			if (rc < 0)
				return -1;
		}
	}
	if (req->body_len <= STAGE_MAX_BODY) {
		if (stage_prepare(&st, s, schema, http_config(req), format,
				  table, prec, req->body, req->body_len,
				  &bad_line, err) < 0) {
			*bad = bad_line != 0;
			return -1;
		}
		rc = store_stage(s, st, &bad_line, err);
		*bad = bad_line != 0;
		res->rows = rc == 0 ? (int64_t)stage_rows(st) : 0;
		stage_free(st);
		return rc;
	}
	memset(&o, 0, sizeof(o));
	o.table = table;
	o.format = format;
	o.precision = prec;
	o.cfg = http_config(req);
	o.atomic = 1;
	o.committed = count_rows;
	o.committed_ctx = api_metrics();
	src = xmalloc(sizeof(*src));
	ingest_src_mem(src, req->body, req->body_len);
	lock_writes(s);
	rc = import_run(s, schema, src, &o, res, err);
	unlock_writes(s);
	*bad = res->bad_line != 0;
	free(src);
	return rc;
}

int api_write_v1(struct http_req *req, struct http_resp *resp, void *ud)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	const char *name = req->path + strlen("/api/v1/");
	const struct schema_table *t;
	const struct schema *schema;
	enum body_kind kind;
	struct store *s;
	int64_t rows = 0;
	int rc, bad;

	(void)ud;
	if (!api_auth(req, resp, 1, 0)) {
		metrics_write_error(api_metrics(), NULL);
		return 0;
	}
	s = http_store(req, &err);
	schema = s ? http_schema(req, &err) : NULL;
	if (!schema)
		return http_resp_error(resp, 503, "database: %s", err.msg);
	t = schema_find_table(schema, name);
	if (!t || t->internal) {
		metrics_write_error(api_metrics(), NULL);
		return http_resp_error(resp, 404, "unknown table '%.128s'", name);
	}
	kind = body_kind(req);
	if (kind == BODY_UNSUPPORTED || encoded(req)) {
		metrics_write_error(api_metrics(), t->name);
		return http_resp_error(resp, 415, "unsupported body: send "
				       "Content-Type application/json, text/csv "
				       "or text/plain (line protocol), "
				       "uncompressed or gzipped");
	}
	if (kind == BODY_JSON) {
		struct jsonrows_result jr;
		unsigned adds = auto_adds(req, 1);
		int added = 0;

		memset(&jr, 0, sizeof(jr));
		rc = adds ? autocol_pending(schema, adds, t->name, req->body,
					    req->body_len, &err)
			  : 0;
		jr.bad_input = rc < 0;
		if (rc > 0) {
			lock_writes(s);
			rc = fresh_autocol(req, s, adds, t->name, &schema,
					   &added, &jr.bad_input, &err);
			unlock_writes(s);
		}
		/* The table is in a new schema now. */
		if (rc >= 0 && !(t = schema_find_table(schema, name)))
			rc = err_set(&err, "table '%.128s' is gone", name);
		if (rc < 0) {
			metrics_write_error(api_metrics(), name);
			return http_resp_error(resp, jr.bad_input ? 400 : 503,
					       "%s: %s (nothing stored)", name,
					       err.msg);
		}
		lock_writes(s);
		rc = jsonrows_write(s, schema, t->name,
				    config_get(http_config(req), "time_columns",
					       t->name),
				    req->body, req->body_len, &jr, &err);
		unlock_writes(s);
		bad = jr.bad_input;
		rows = jr.rows;
		if (rc == 0 && rows)
			metrics_rows(api_metrics(), t->name, rows);
	} else {
		struct import_result res;
		rc = run_import(req, s, schema,
				kind == BODY_CSV ? IMPORT_CSV : IMPORT_LP,
				t->name, LP_NS, &res, &bad, &err);
		rows = res.rows;
	}
	if (rc < 0) {
		metrics_write_error(api_metrics(), t->name);
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

int api_write_lp(struct http_req *req, struct http_resp *resp, void *ud)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	const char *p = http_arg(req, "precision");
	const struct schema *schema;
	struct import_result res;
	enum lp_precision prec;
	struct store *s;
	int bad;
	char msg[HEARTH_ERR_MAX + 32], nrows[32];

	(void)ud;
	if (!api_auth(req, resp, 1, 1)) {
		metrics_write_error(api_metrics(), NULL);
		return 0;
	}
	if (lp_parse_precision(p, &prec) < 0) {
		metrics_write_error(api_metrics(), NULL);
		snprintf(msg, sizeof(msg), "precision '%.16s': want ns, us, ms, "
			 "s, m or h", p);
		return api_error(resp, 1, 400, msg);
	}
	if (encoded(req)) {
		metrics_write_error(api_metrics(), NULL);
		return api_error(resp, 1, 415, "Content-Encoding: send line "
				 "protocol gzipped or uncompressed");
	}
	s = http_store(req, &err);
	schema = s ? http_schema(req, &err) : NULL;
	if (!schema) {
		snprintf(msg, sizeof(msg), "database: %s", err.msg);
		return api_error(resp, 1, 503, msg);
	}
	if (run_import(req, s, schema, IMPORT_LP, NULL, prec, &res, &bad,
		       &err) < 0) {
		metrics_write_error(api_metrics(), NULL);
		snprintf(msg, sizeof(msg), "%s (nothing stored)", err.msg);
		return api_error(resp, 1, bad ? 400 : 503, msg);
	}
	/* InfluxDB answers a write with 204 and no body, and its clients
	 * insist on it; the row count goes in a header. */
	resp->status = 204;
	snprintf(nrows, sizeof(nrows), "%lld", (long long)res.rows);
	http_resp_header(resp, "X-Hearth-Rows", nrows);
	return 0;
}

/* Clients of InfluxDB 1.x send `CREATE DATABASE` before writing; hearth
 * has one database, so that is a no-op.  Anything else is InfluxQL,
 * which hearth does not run. */
int api_query_compat(struct http_req *req, struct http_resp *resp, void *ud)
{
	const char *q = http_arg(req, "q");

	(void)ud;
	if (!api_auth(req, resp, 1, 1))
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
	return api_error(resp, 1, 400, "hearth does not run InfluxQL queries: "
			 "read with GET /api/v1/TABLE?since=...");
}

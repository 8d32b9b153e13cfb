/*
 * store/pg.c - the PostgreSQL backend: connections and statements over
 * libpq.
 *
 * Statements are prepared on the server under a name of their own and run
 * in single-row mode, so that a read of a year of rows holds one row at a
 * time.  libpq runs one query at a time per connection: when a statement
 * starts while another has rows still coming, the rest of those rows are
 * read into memory first (rare: hearth's readers finish a loop before the
 * next statement).  `?` placeholders become $1, $2, ...; `?N` becomes $N.
 */
#include "store/pg.h"

#include <ctype.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "store/backend.h"
#include "store/pg_introspect.h"
#include "store/pg_scratch.h"
#include "store/pg_sql.h"
#include "store/sqltok.h"

/* Type OIDs of the built-in types hearth reads as numbers or bytes
 * (pg_type.h, stable across versions). */
#define OID_BOOL 16
#define OID_BYTEA 17
#define OID_INT8 20
#define OID_INT2 21
#define OID_INT4 23
#define OID_OID 26
#define OID_FLOAT4 700
#define OID_FLOAT8 701
#define OID_TIMESTAMP 1114
#define OID_TIMESTAMPTZ 1184
#define OID_NUMERIC 1700

struct pg_stmt;

struct pg_store {
	struct store base;
	PGconn *conn;
	unsigned next_name;      /* statements are h1, h2, ... */
	int64_t changes;         /* rows of the last INSERT/UPDATE/DELETE */
	struct pg_stmt *active;  /* running, its rows read one at a time */
};

struct pg_param {
	char *v;        /* NUL-terminated text, or bytes for a bytea */
	size_t cap;
	int len;
	int fmt;        /* 0 text, 1 binary */
	int null;
};

struct pg_stmt {
	struct store_stmt base;
	struct pg_store *owner;
	char name[24];
	int nparams;
	struct pg_param *params;
	PGresult *desc;          /* the columns, before a row is read */
	PGresult *row;           /* the current row */
	PGresult **queue;        /* rows read ahead (see the top) */
	size_t nqueue, aqueue, qnext;
	int running, done;
	unsigned char *blob;     /* the current bytea, unescaped */
	struct hearth_err deferred; /* an error read ahead, for its step */
	int failed;
};

static const struct store_ops pg_ops;

#define PS(s) ((struct pg_store *)(s))
#define PT(st) ((struct pg_stmt *)(st))

/* The line of sql that the server's position (characters from 1) falls
 * on; 0 when it gave none or sql is one line, where a line says nothing. */
static long error_line(PGresult *res, const char *sql)
{
	const char *pos = res ? PQresultErrorField(res,
						   PG_DIAG_STATEMENT_POSITION)
			      : NULL;
	long left = pos ? strtol(pos, NULL, 10) - 1 : -1, line = 1;
	const unsigned char *p = (const unsigned char *)sql;

	if (!sql || left < 0 || !strchr(sql, '\n'))
		return 0;
	for (; *p && left > 0; p++) {
		if ((*p & 0xC0) == 0x80)
			continue; /* a UTF-8 continuation byte: same character */
		line += *p == '\n';
		left--;
	}
	return line;
}

/* The primary message of a failed result, with the detail that says what
 * was wrong where the primary message alone does not; for a script (sql
 * not NULL) of several lines, the line the server points at. */
static int result_error(PGresult *res, PGconn *conn, const char *sql,
			struct hearth_err *err)
{
	const char *msg = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY)
			      : NULL;
	const char *detail = res ? PQresultErrorField(res,
						      PG_DIAG_MESSAGE_DETAIL)
				 : NULL;
	long line = error_line(res, sql);

	if (!msg)
		return err_set(err, "%s", PQerrorMessage(conn));
	if (detail && (strstr(msg, "violates") || strstr(msg, "invalid input")))
		err_set(err, "%s (%s)", msg, detail);
	else
		err_set(err, "%s", msg);
	return line ? err_prefix(err, "line %ld", line) : -1;
}

static void clear_row(struct pg_stmt *st)
{
	PQclear(st->row);
	st->row = NULL;
	PQfreemem(st->blob);
	st->blob = NULL;
}

/* Read what is left of st's results: into its queue (keep) or away. */
static void drain(struct pg_stmt *st, int keep)
{
	PGconn *conn = st->owner->conn;
	PGresult *res;

	while ((res = PQgetResult(conn))) {
		ExecStatusType t = PQresultStatus(res);
		if (t == PGRES_SINGLE_TUPLE && keep) {
			XGROW(st->queue, st->nqueue + 1, st->aqueue);
			st->queue[st->nqueue++] = res;
			continue;
		}
		if (keep && t != PGRES_TUPLES_OK && t != PGRES_COMMAND_OK &&
		    !st->failed) {
			result_error(res, conn, NULL, &st->deferred);
			st->failed = 1;
		}
		PQclear(res);
	}
	st->running = 0;
	if (st->owner->active == st)
		st->owner->active = NULL;
}

/* Before another query on the connection: the running one's rows are
 * kept for its next steps. */
static void make_room(struct pg_store *ps)
{
	if (ps->active)
		drain(ps->active, 1);
}

static void pg_close(struct store *s)
{
	struct pg_store *ps = PS(s);

	PQfinish(ps->conn);
	free(ps);
}

/* The text of the statement of sql after the first `done`, in one line
 * and cut at 100 bytes, for an error the server does not place: which
 * of a revision's ALTERs failed names the table and column. */
static void failed_statement(const char *sql, int done, struct buf *out)
{
	const char *p = sql, *at = NULL;
	size_t n = 0, i;
	int k;

	for (k = 0; k <= done; k++)
		if (!(p = sqltok_statement(p, &at, &n)))
			return;
	for (i = 0; i < n && out->len < 100; i++)
		if (!isspace((unsigned char)at[i]))
			buf_addch(out, at[i]);
		else if (out->len && out->s[out->len - 1] != ' ')
			buf_addch(out, ' ');
	if (i < n)
		buf_addstr(out, " ...");
}

static int pg_exec(struct store *s, const char *sql, struct hearth_err *err)
{
	struct pg_store *ps = PS(s);
	PGresult *res;
	int done = 0, failed = 0;

	make_room(ps);
	/* Statement by statement, so that a failure says which one ran
	 * last (PQexec gives the last result alone). */
	if (!PQsendQuery(ps->conn, sql))
		return result_error(NULL, ps->conn, NULL, err);
	while ((res = PQgetResult(ps->conn))) {
		ExecStatusType st = PQresultStatus(res);
		/* Nothing but comments (an empty revision) is no error. */
		if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ||
		    st == PGRES_EMPTY_QUERY) {
			const char *n = PQcmdTuples(res);
			ps->changes = n && *n ? strtoll(n, NULL, 10) : 0;
			done++;
		} else if (!failed++) {
			struct buf stmt = BUF_INIT;
			result_error(res, ps->conn, sql, err);
			/* a script: one with a semicolon */
			if (!error_line(res, sql) && strchr(sql, ';'))
				failed_statement(sql, done, &stmt);
			if (stmt.len)
				err_prefix(err, "statement %d (%s)", done + 1,
					   stmt.s);
			buf_release(&stmt);
		}
		if (st == PGRES_COPY_IN)
			PQputCopyEnd(ps->conn, "not from exec");
		PQclear(res);
	}
	return failed ? -1 : 0;
}

/* sql with ? and ?N as $N, outside quotes and comments; *n gets the
 * highest parameter number. */
static char *number_params(const char *sql, int *n)
{
	struct buf b = BUF_INIT;
	const char *p = sql;
	int next = 0;

	*n = 0;
	while (*p) {
		char c = *p;
		if (c == '\'' || c == '"') {
			const char *q = p + 1;
			while (*q && !(*q == c && q[1] != c))
				q += *q == c ? 2 : 1;
			if (*q)
				q++;
			buf_add(&b, p, (size_t)(q - p));
			p = q;
		} else if (c == '-' && p[1] == '-') {
			const char *q = strchr(p, '\n');
			q = q ? q : p + strlen(p);
			buf_add(&b, p, (size_t)(q - p));
			p = q;
		} else if (c == '?') {
			int k = 0;
			p++;
			while (*p >= '0' && *p <= '9')
				k = k * 10 + (*p++ - '0');
			if (!k)
				k = ++next;
			else if (k > next)
				next = k;
			buf_addf(&b, "$%d", k);
			if (k > *n)
				*n = k;
		} else {
			buf_addch(&b, c);
			p++;
		}
	}
	return buf_detach(&b, NULL);
}

static int pg_prepare(struct store *s, const char *sql,
		      struct store_stmt **out, struct hearth_err *err)
{
	struct pg_store *ps = PS(s);
	struct pg_stmt *st;
	PGresult *res;
	char *text;
	int n;

	make_room(ps);
	text = number_params(sql, &n);
	st = xcalloc(1, sizeof(*st));
	st->base.ops = &pg_ops;
	st->owner = ps;
	snprintf(st->name, sizeof(st->name), "h%u", ++ps->next_name);
	res = PQprepare(ps->conn, st->name, text, 0, NULL);
	free(text);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		result_error(res, ps->conn, NULL, err);
		PQclear(res);
		free(st);
		return -1;
	}
	PQclear(res);
	st->nparams = n;
	st->params = xcalloc(n ? (size_t)n : 1, sizeof(*st->params));
	*out = &st->base;
	return 0;
}

static void pg_finalize(struct store_stmt *base)
{
	struct pg_stmt *st = PT(base);
	struct pg_store *ps = st->owner;
	char sql[40];
	size_t i;
	int k;

	if (st->running)
		drain(st, 0);
	clear_row(st);
	for (i = st->qnext; i < st->nqueue; i++)
		PQclear(st->queue[i]);
	free(st->queue);
	PQclear(st->desc);
	for (k = 0; k < st->nparams; k++)
		free(st->params[k].v);
	free(st->params);
	/* The server keeps a prepared statement until told, or until the
	 * connection ends. */
	if (PQstatus(ps->conn) == CONNECTION_OK) {
		make_room(ps);
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", st->name);
		PQclear(PQexec(ps->conn, sql));
	}
	free(st);
}

/* Parameter i (1-based) set to n bytes of p, as text (NUL added) or in
 * binary format. */
static int set_param(struct pg_stmt *st, int i, const void *p, size_t n,
		     int fmt)
{
	struct pg_param *pa;

	if (i < 1 || i > st->nparams)
		return -1;
	pa = &st->params[i - 1];
	if (n + 1 > pa->cap) {
		pa->cap = n + 1 > 64 ? n + 1 : 64;
		pa->v = xrealloc(pa->v, pa->cap);
	}
	memcpy(pa->v, p, n);
	pa->v[n] = '\0';
	pa->len = (int)n;
	pa->fmt = fmt;
	pa->null = 0;
	return 0;
}

static int pg_bind_null(struct store_stmt *st, int i)
{
	if (i < 1 || i > PT(st)->nparams)
		return -1;
	PT(st)->params[i - 1].null = 1;
	return 0;
}

static int pg_bind_int(struct store_stmt *st, int i, int64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%lld", (long long)v);

	return set_param(PT(st), i, tmp, (size_t)n, 0);
}

static int pg_bind_real(struct store_stmt *st, int i, double v)
{
	char tmp[32];
	/* %.17g reads back as the same double. */
	int n = snprintf(tmp, sizeof(tmp), "%.17g", v);

	return set_param(PT(st), i, tmp, (size_t)n, 0);
}

static int pg_bind_text(struct store_stmt *st, int i, const char *p, size_t n)
{
	/* Text goes as text: the server converts it to the column's type
	 * (a time, a number), as it would the same literal. */
	return set_param(PT(st), i, p, n, 0);
}

static int pg_bind_blob(struct store_stmt *st, int i, const void *p, size_t n)
{
	return set_param(PT(st), i, p, n, 1);
}

static int start(struct pg_stmt *st, struct hearth_err *err)
{
	struct pg_store *ps = st->owner;
	const char **vals = xcalloc((size_t)st->nparams + 1, sizeof(*vals));
	int *lens = xcalloc((size_t)st->nparams + 1, sizeof(*lens));
	int *fmts = xcalloc((size_t)st->nparams + 1, sizeof(*fmts));
	int k, ok;

	make_room(ps);
	for (k = 0; k < st->nparams; k++) {
		struct pg_param *pa = &st->params[k];
		vals[k] = pa->null || !pa->v ? NULL : pa->v;
		lens[k] = pa->len;
		fmts[k] = pa->fmt;
	}
	ok = PQsendQueryPrepared(ps->conn, st->name, st->nparams, vals, lens,
				 fmts, 0);
	free(vals);
	free(lens);
	free(fmts);
	if (!ok)
		return err_set(err, "%s", PQerrorMessage(ps->conn));
	PQsetSingleRowMode(ps->conn);
	st->running = 1;
	ps->active = st;
	return 0;
}

/* The next result of st: from its queue, else the connection. */
static PGresult *next_result(struct pg_stmt *st)
{
	if (st->qnext < st->nqueue)
		return st->queue[st->qnext++];
	if (!st->running)
		return NULL;
	return PQgetResult(st->owner->conn);
}

static int pg_step(struct store_stmt *base, struct hearth_err *err)
{
	struct pg_stmt *st = PT(base);
	PGresult *res;

	clear_row(st);
	if (st->done)
		return 0;
	if (!st->running && !st->nqueue && !st->failed && start(st, err) < 0)
		return -1;
	for (;;) {
		res = next_result(st);
		if (!res) {
			st->done = 1;
			st->running = 0;
			if (st->owner->active == st)
				st->owner->active = NULL;
			if (st->failed) {
				*err = st->deferred;
				return -1;
			}
			return 0;
		}
		switch (PQresultStatus(res)) {
		case PGRES_SINGLE_TUPLE:
			st->row = res;
			return 1;
		case PGRES_TUPLES_OK:
		case PGRES_COMMAND_OK: {
			const char *n = PQcmdTuples(res);
			if (n && *n)
				st->owner->changes = strtoll(n, NULL, 10);
			PQclear(res);
			continue;
		}
		default:
			if (!st->failed) {
				result_error(res, st->owner->conn, NULL,
					     &st->deferred);
				st->failed = 1;
			}
			PQclear(res);
			continue;
		}
	}
}

static void pg_reset(struct store_stmt *base)
{
	struct pg_stmt *st = PT(base);
	int k;

	if (st->running)
		drain(st, 0);
	clear_row(st);
	for (; st->qnext < st->nqueue; st->qnext++)
		PQclear(st->queue[st->qnext]);
	st->nqueue = st->qnext = 0;
	st->done = st->failed = 0;
	for (k = 0; k < st->nparams; k++) {
		st->params[k].null = 1;
		st->params[k].fmt = 0;
	}
}

/* The result that describes st's columns: the current row, else the
 * statement as the server describes it. */
static PGresult *columns(struct pg_stmt *st)
{
	if (st->row)
		return st->row;
	if (!st->desc) {
		make_room(st->owner);
		st->desc = PQdescribePrepared(st->owner->conn, st->name);
	}
	return st->desc;
}

static int pg_column_count(struct store_stmt *st)
{
	return PQnfields(columns(PT(st)));
}

static const char *pg_column_name(struct store_stmt *st, int i)
{
	return PQfname(columns(PT(st)), i);
}

static enum store_type pg_column_type(struct store_stmt *base, int i)
{
	struct pg_stmt *st = PT(base);

	if (!st->row || PQgetisnull(st->row, 0, i))
		return STORE_NULL;
	switch (PQftype(st->row, i)) {
	case OID_BOOL:
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_OID:
		return STORE_INT;
	case OID_FLOAT4:
	case OID_FLOAT8:
	case OID_NUMERIC:
		return STORE_REAL;
	case OID_BYTEA:
		return STORE_BLOB;
	default:
		return STORE_TEXT;
	}
}

static const char *value(struct pg_stmt *st, int i)
{
	return st->row ? PQgetvalue(st->row, 0, i) : "";
}

static int64_t pg_column_int(struct store_stmt *st, int i)
{
	const char *v = value(PT(st), i);

	if (*v == 't')
		return 1;
	return strtoll(v, NULL, 10);
}

static double pg_column_real(struct store_stmt *st, int i)
{
	const char *v = value(PT(st), i);

	if (*v == 't')
		return 1;
	return strtod(v, NULL);
}

static const char *pg_column_text(struct store_stmt *base, int i, size_t *len)
{
	struct pg_stmt *st = PT(base);
	char *v = st->row ? PQgetvalue(st->row, 0, i) : (char *)"";
	size_t n = st->row ? (size_t)PQgetlength(st->row, 0, i) : 0;

	/* A time with its zone reads "2014-11-23 22:15:00+00" in UTC: the
	 * zone goes, as SQLite's times have none (they are UTC). */
	if (st->row && PQftype(st->row, i) == OID_TIMESTAMPTZ && n > 3 &&
	    !strcmp(v + n - 3, "+00")) {
		n -= 3;
		v[n] = '\0';
	}
	if (len)
		*len = n;
	return v;
}

static const void *pg_column_blob(struct store_stmt *base, int i, size_t *len)
{
	struct pg_stmt *st = PT(base);
	size_t n = 0;

	if (!st->row || PQgetisnull(st->row, 0, i)) {
		if (len)
			*len = 0;
		return NULL;
	}
	if (PQftype(st->row, i) != OID_BYTEA) {
		n = (size_t)PQgetlength(st->row, 0, i);
		if (len)
			*len = n;
		return PQgetvalue(st->row, 0, i);
	}
	PQfreemem(st->blob);
	st->blob = PQunescapeBytea((const unsigned char *)
				   PQgetvalue(st->row, 0, i), &n);
	if (len)
		*len = n;
	return st->blob;
}

static int64_t pg_changes(struct store *s)
{
	return PS(s)->changes;
}

static const char *pg_path(const struct store *s)
{
	(void)s;
	return NULL;
}

static const struct store_ops pg_ops = {
	.sql = &pg_sql,
	.close = pg_close,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.finalize = pg_finalize,
	.bind_null = pg_bind_null,
	.bind_int = pg_bind_int,
	.bind_real = pg_bind_real,
	.bind_text = pg_bind_text,
	.bind_text_ref = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.step = pg_step,
	.reset = pg_reset,
	.column_count = pg_column_count,
	.column_name = pg_column_name,
	.column_type = pg_column_type,
	.column_int = pg_column_int,
	.column_real = pg_column_real,
	.column_text = pg_column_text,
	.column_blob = pg_column_blob,
	.changes = pg_changes,
	.introspect = pg_introspect,
	.path = pg_path,
	.schema_version = pg_sql_schema_version,
	.has_table = pg_sql_has_table,
	.has_row_order = pg_sql_has_row_order,
	.upsert = pg_sql_upsert,
	.scratch_schema = pg_scratch_schema,
	.migration_begin = pg_sql_migration_begin,
	.migration_check = pg_sql_migration_check,
	.migration_end = pg_sql_migration_end,
};

/* libpq's message for a connection that failed, as one line: its first
 * line, without the "connection to server at ... failed:" that names
 * what the URL already names. */
static void connect_error(PGconn *conn, const char *url, struct hearth_err *err)
{
	const char *msg = conn ? PQerrorMessage(conn) : "out of memory";
	const char *p = strstr(msg, "failed: ");
	char line[HEARTH_ERR_MAX];
	size_t n;

	if (p && strncmp(msg, "connection to server", 20) == 0)
		msg = p + 8;
	if (!strncmp(msg, "FATAL:  ", 8))
		msg += 8;
	n = strcspn(msg, "\n");
	if (n >= sizeof(line))
		n = sizeof(line) - 1;
	memcpy(line, msg, n);
	line[n] = '\0';
	err_set(err, "database %s: %s", url, line);
}

static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

int store_pg_open(struct store **out, const char *url, const char *password,
		  int flags, struct hearth_err *err)
{
	/* UTC, so that naive times mean UTC as in SQLite; ISO output;
	 * doubles that read back the same.  The password last: a given
	 * one wins over libpq's search. */
	const char *keys[] = { "dbname", "client_encoding", "options",
			       "connect_timeout", "application_name",
			       "password", NULL };
	const char *vals[] = { url, "UTF8",
			       "-c TimeZone=UTC -c DateStyle=ISO,YMD "
			       "-c extra_float_digits=3",
			       "10", "hearth", password, NULL };
	struct pg_store *ps;
	PGconn *conn;

	*out = NULL;
	if (!password)
		keys[5] = NULL;
	conn = PQconnectdbParams(keys, vals, 1);
	if (!conn || PQstatus(conn) != CONNECTION_OK) {
		connect_error(conn, url, err);
		PQfinish(conn);
		return -1;
	}
	/* A NOTICE ("relation already exists, skipping") is not for the
	 * user: libpq would print it on stderr. */
	PQsetNoticeProcessor(conn, quiet, NULL);
	ps = xcalloc(1, sizeof(*ps));
	ps->base.ops = &pg_ops;
	ps->conn = conn;
	if ((flags & STORE_READONLY) &&
	    pg_exec(&ps->base, "SET default_transaction_read_only = on",
		    err) < 0) {
		pg_close(&ps->base);
		return -1;
	}
	*out = &ps->base;
	return 0;
}

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
 *
 * A connection that breaks (the server restarted, the network went) is
 * made again at the next statement, so that a long-running hearth serve
 * carries on when the server is back; until then each statement fails
 * at once (a server that does not answer is waited for 3 seconds, then
 * not tried again for 5), and a request gets its error, never a hang.  Statements prepared before the break are prepared again on
 * the new connection when next run.  A transaction the break cut short
 * was rolled back by the server: until the caller ends it (ROLLBACK,
 * COMMIT, or a new BEGIN), its statements fail, rather than run one by
 * one outside a transaction.
 */
#include "store/pg.h"

#include <ctype.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "store/backend.h"
#include "store/pg_bulk.h"
#include "store/pg_introspect.h"
#include "store/pg_scratch.h"
#include "store/pg_sql.h"
#include "store/pg_value.h"
#include "store/sqltok.h"

struct pg_stmt;

struct pg_store {
	struct store base;
	PGconn *conn;
	unsigned next_name;      /* statements are h1, h2, ... */
	int64_t changes;         /* rows of the last INSERT/UPDATE/DELETE */
	struct pg_stmt *active;  /* running, its rows read one at a time */
	unsigned gen;            /* connections made: 1, then one per break */
	int in_tx;               /* a transaction was open before this call */
	int lost_tx;             /* ... and the connection broke under it */
	time_t next_try;         /* the next attempt to connect again */
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
	char *text;              /* as prepared: with $N */
	unsigned gen;            /* the connection it was prepared on */
	int nparams;
	struct pg_param *params;
	PGresult *desc;          /* the columns, before a row is read */
	PGresult *row;           /* the current row: row `rowi` of it */
	int rowi;
	int few;                 /* store_few_rows: rows in one result */
	PGresult *all;           /* ... that result, rowi the current */
	PGresult **queue;        /* rows read ahead (see the top) */
	size_t nqueue, aqueue, qnext;
	int running, done;
	int yielded, retried;    /* a row was read; the query was sent again */
	int binary;              /* rows come in binary (pg_value.h) */
	struct buf *cells;       /* per column: its value made text, or bytes */
	int ncells;
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
	if (st->row != st->all)
		PQclear(st->row);
	st->row = NULL;
}

static void clear_all(struct pg_stmt *st)
{
	clear_row(st);
	PQclear(st->all);
	st->all = NULL;
}

/* Read what is left of st's results: into its queue (keep) or away. */
static void drain(struct pg_stmt *st, int keep)
{
	PGconn *conn = st->owner->conn;
	PGresult *res;

	while ((res = PQgetResult(conn))) {
		ExecStatusType t = PQresultStatus(res);
		if (keep && (t == PGRES_SINGLE_TUPLE ||
			     (t == PGRES_TUPLES_OK && PQntuples(res) > 0))) {
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

/* libpq's message for a connection that failed, as one line in line:
 * its first line, without the "connection to server at ... failed:" that
 * names what the URL already names. */
static const char *conn_message(PGconn *conn, char line[HEARTH_ERR_MAX])
{
	const char *msg = conn ? PQerrorMessage(conn) : "out of memory";
	const char *p = strstr(msg, "failed: ");
	size_t n;

	if (p && strncmp(msg, "connection to server", 20) == 0)
		msg = p + 8;
	if (!strncmp(msg, "FATAL:  ", 8))
		msg += 8;
	n = strcspn(msg, "\n");
	if (n >= HEARTH_ERR_MAX)
		n = HEARTH_ERR_MAX - 1;
	memcpy(line, msg, n);
	line[n] = '\0';
	return line;
}

/* Make the broken connection again, waiting at most a few seconds for
 * the server: a request must not hang on an unreachable one. */
static int reconnect(struct pg_store *ps, struct hearth_err *err)
{
	struct timespec t0, t;
	PostgresPollingStatusType st;
	char line[HEARTH_ERR_MAX];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!PQresetStart(ps->conn))
		goto fail;
	for (st = PGRES_POLLING_WRITING; st != PGRES_POLLING_OK;) {
		struct pollfd pfd = { PQsocket(ps->conn), 0, 0 };
		long ms;

		if (st == PGRES_POLLING_FAILED || pfd.fd < 0)
			goto fail;
		pfd.events = st == PGRES_POLLING_READING ? POLLIN : POLLOUT;
		clock_gettime(CLOCK_MONOTONIC, &t);
		ms = 3000 - (t.tv_sec - t0.tv_sec) * 1000 -
		     (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (ms <= 0 || poll(&pfd, 1, (int)ms) <= 0) {
			/* The next statements fail at once for a while, not
			 * each after a wait of its own. */
			ps->next_try = time(NULL) + 5;
			err_set(err, "lost the connection to the database "
				"server, and it does not answer (retrying)");
			return -1;
		}
		st = PQresetPoll(ps->conn);
	}
	ps->gen++;
	return 0;
fail:
	err_set(err, "lost the connection to the database server, and "
		"cannot connect again: %s", conn_message(ps->conn, line));
	return -1;
}

/* A statement that failed because the connection had broken before it
 * reached the server may run again on a new one: when it started no
 * transaction's work and changes nothing by itself (a BEGIN, a read).
 * The first statement after a quiet spell finds the break this way. */
static int may_retry(struct pg_store *ps, const char *sql)
{
	return PQstatus(ps->conn) == CONNECTION_BAD && !ps->in_tx &&
	       (!strncasecmp(sql, "BEGIN", 5) ||
		!strncasecmp(sql, "SELECT", 6) || !strncasecmp(sql, "SHOW", 4));
}

/* Before a statement (sql, as the caller wrote it) starts: a broken
 * connection made again, a transaction it cut short accounted for. */
static int ensure_conn(struct pg_store *ps, const char *sql,
		       struct hearth_err *err)
{
	int ends = !strcasecmp(sql, "ROLLBACK") || !strcasecmp(sql, "COMMIT");
	int begins = !strncasecmp(sql, "BEGIN", 5);

	if (PQstatus(ps->conn) == CONNECTION_OK) {
		PGTransactionStatusType t = PQtransactionStatus(ps->conn);
		ps->in_tx = t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
		return 0;
	}
	if (ps->active) {
		ps->active->running = 0;
		ps->active->done = 1;
		ps->active = NULL;
	}
	if (ps->in_tx) {
		ps->in_tx = 0;
		ps->lost_tx = 1;
	}
	/* The server rolled back what was open when the connection went. */
	if (!strcasecmp(sql, "ROLLBACK")) {
		ps->lost_tx = 0;
		return 1;
	}
	if (ps->lost_tx && (ends || begins)) {
		ps->lost_tx = 0;
		if (ends)
			return err_set(err, "lost the connection to the database "
				       "server: the transaction was rolled back");
	}
	if (ps->lost_tx)
		return err_set(err, "lost the connection to the database "
			       "server: the transaction was rolled back");
	if (time(NULL) < ps->next_try)
		return err_set(err, "lost the connection to the database "
			       "server (retrying)");
	return reconnect(ps, err);
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

/* Run sql, a statement or a script, statement by statement, so that a
 * failure says which one ran last (PQexec gives the last result
 * alone). */
static int run_script(struct pg_store *ps, const char *sql,
		      struct hearth_err *err)
{
	PGresult *res;
	int done = 0, failed = 0;

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

static int pg_exec(struct store *s, const char *sql, struct hearth_err *err)
{
	struct pg_store *ps = PS(s);
	int rc;

	if ((rc = ensure_conn(ps, sql, err)) != 0)
		return rc > 0 ? 0 : -1;
	make_room(ps);
	if (run_script(ps, sql, err) == 0)
		return 0;
	if (!may_retry(ps, sql))
		return -1;
	/* a BEGIN or read that found the connection broken: once more */
	err_clear(err);
	if (ensure_conn(ps, sql, err) < 0)
		return -1;
	return run_script(ps, sql, err);
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

/* Prepare st on the server, on the connection of now. */
static int server_prepare(struct pg_stmt *st, struct hearth_err *err)
{
	struct pg_store *ps = st->owner;
	PGresult *res;
	int ret = -1;

	make_room(ps);
	PQclear(st->desc);
	st->desc = NULL;
	res = PQprepare(ps->conn, st->name, st->text, 0, NULL);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		result_error(res, ps->conn, NULL, err);
		goto out;
	}
	/* Its columns, to ask for binary rows when hearth reads every
	 * one of their types. */
	PQclear(res);
	res = NULL;
	st->desc = PQdescribePrepared(ps->conn, st->name);
	if (PQresultStatus(st->desc) != PGRES_COMMAND_OK) {
		result_error(st->desc, ps->conn, NULL, err);
		goto out;
	}
	st->binary = pg_value_binary(st->desc);
	st->gen = ps->gen;
	ret = 0;
out:
	PQclear(res);
	return ret;
}

/* st may run: the connection is up, st is prepared on it.  1 when st is
 * a ROLLBACK that the broken connection's server did already. */
static int ready(struct pg_stmt *st, struct hearth_err *err)
{
	int rc = ensure_conn(st->owner, st->text, err);

	if (rc != 0)
		return rc;
	if (st->gen != st->owner->gen && server_prepare(st, err) < 0)
		return -1;
	return 0;
}

static void stmt_free(struct pg_stmt *st)
{
	free(st->text);
	free(st);
}

static int pg_prepare(struct store *s, const char *sql,
		      struct store_stmt **out, struct hearth_err *err)
{
	struct pg_store *ps = PS(s);
	struct pg_stmt *st;
	int n;

	st = xcalloc(1, sizeof(*st));
	st->base.ops = &pg_ops;
	st->owner = ps;
	st->text = number_params(sql, &n);
	snprintf(st->name, sizeof(st->name), "h%u", ++ps->next_name);
	/* Prepared now, so that a mistake shows at once. */
	st->gen = ps->gen - 1;
	if (ready(st, err) < 0) {
		stmt_free(st);
		return -1;
	}
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
	clear_all(st);
	for (i = st->qnext; i < st->nqueue; i++)
		PQclear(st->queue[i]);
	free(st->queue);
	PQclear(st->desc);
	for (k = 0; k < st->nparams; k++)
		free(st->params[k].v);
	free(st->params);
	for (k = 0; k < st->ncells; k++)
		buf_release(&st->cells[k]);
	free(st->cells);
	/* The server keeps a prepared statement until told, or until the
	 * connection ends. */
	if (PQstatus(ps->conn) == CONNECTION_OK && st->gen == ps->gen) {
		make_room(ps);
		snprintf(sql, sizeof(sql), "DEALLOCATE %s", st->name);
		PQclear(PQexec(ps->conn, sql));
	}
	stmt_free(st);
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

/* Send st's query; 1 when there is none to send (ready's ROLLBACK). */
static int start(struct pg_stmt *st, struct hearth_err *err)
{
	struct pg_store *ps = st->owner;
	const char **vals;
	int *lens, *fmts;
	int k, ok, rc;

	if ((rc = ready(st, err)) != 0)
		return rc;
	vals = xcalloc((size_t)st->nparams + 1, sizeof(*vals));
	lens = xcalloc((size_t)st->nparams + 1, sizeof(*lens));
	fmts = xcalloc((size_t)st->nparams + 1, sizeof(*fmts));
	make_room(ps);
	for (k = 0; k < st->nparams; k++) {
		struct pg_param *pa = &st->params[k];
		vals[k] = pa->null || !pa->v ? NULL : pa->v;
		lens[k] = pa->len;
		fmts[k] = pa->fmt;
	}
	ok = PQsendQueryPrepared(ps->conn, st->name, st->nparams, vals, lens,
				 fmts, st->binary);
	free(vals);
	free(lens);
	free(fmts);
	if (!ok)
		return err_set(err, "%s", PQerrorMessage(ps->conn));
	if (!st->few)
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
	if (st->all && ++st->rowi < PQntuples(st->all)) {
		st->row = st->all;
		return 1;
	}
	clear_all(st);
	if (st->done)
		return 0;
	if (!st->running && !st->nqueue && !st->failed) {
		int rc = start(st, err);
		if (rc < 0)
			return -1;
		if (rc > 0) {
			st->done = 1;
			return 0;
		}
	}
	for (;;) {
		res = next_result(st);
		if (!res) {
			st->done = 1;
			st->running = 0;
			if (st->owner->active == st)
				st->owner->active = NULL;
			if (st->failed && !st->yielded && !st->retried &&
			    may_retry(st->owner, st->text)) {
				int rc;
				st->retried = 1;
				st->failed = st->done = 0;
				err_clear(&st->deferred);
				if ((rc = start(st, err)) < 0)
					return -1;
				if (rc == 0)
					continue;
				st->done = 1;
				return 0;
			}
			if (st->failed) {
				*err = st->deferred;
				return -1;
			}
			return 0;
		}
		switch (PQresultStatus(res)) {
		case PGRES_SINGLE_TUPLE:
			st->row = res;
			st->rowi = 0;
			st->yielded = 1;
			return 1;
		case PGRES_TUPLES_OK:
			if (PQntuples(res) > 0) {
				/* store_few_rows: all of them at once */
				st->row = st->all = res;
				st->rowi = 0;
				st->yielded = 1;
				return 1;
			}
			/* fall through */
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
	clear_all(st);
	for (; st->qnext < st->nqueue; st->qnext++)
		PQclear(st->queue[st->qnext]);
	st->nqueue = st->qnext = 0;
	st->done = st->failed = st->yielded = st->retried = 0;
	for (k = 0; k < st->nparams; k++) {
		st->params[k].null = 1;
		st->params[k].fmt = 0;
	}
}

static void pg_few_rows(struct store_stmt *st)
{
	PT(st)->few = 1;
}

/* The result that describes st's columns: the current row, else the
 * statement as the server describes it. */
static PGresult *columns(struct pg_stmt *st)
{
	if (st->row)
		return st->row;
	if (!st->desc) {
		struct hearth_err err = HEARTH_ERR_INIT;
		/* A statement not prepared on this connection has no columns
		 * to tell (its step says why). */
		if (st->gen != st->owner->gen && ready(st, &err) != 0)
			return NULL;
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

static enum store_type pg_column_type(struct store_stmt *st, int i)
{
	return pg_value_type(PT(st)->row, PT(st)->rowi, i);
}

static int64_t pg_column_int(struct store_stmt *st, int i)
{
	return pg_value_int(PT(st)->row, PT(st)->rowi, i);
}

static double pg_column_real(struct store_stmt *st, int i)
{
	return pg_value_real(PT(st)->row, PT(st)->rowi, i);
}

/* Column i's cell, for a value made text or bytes. */
static struct buf *cell(struct pg_stmt *st, int i)
{
	int n = PQnfields(st->row), k;

	if (n > st->ncells) {
		st->cells = xrealloc(st->cells, (size_t)n * sizeof(*st->cells));
		for (k = st->ncells; k < n; k++)
			buf_init(&st->cells[k], 0);
		st->ncells = n;
	}
	return &st->cells[i];
}

static const char *pg_column_text(struct store_stmt *base, int i, size_t *len)
{
	struct pg_stmt *st = PT(base);

	return pg_value_text(st->row, st->rowi, i,
			     st->row ? cell(st, i) : NULL, len);
}

static const void *pg_column_blob(struct store_stmt *base, int i, size_t *len)
{
	struct pg_stmt *st = PT(base);

	return pg_value_blob(st->row, st->rowi, i,
			     st->row ? cell(st, i) : NULL, len);
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

static int pg_bulk(struct store *s, const char *table,
		   const char *const *cols, size_t ncols,
		   struct store_bulk **out, struct hearth_err *err)
{
	make_room(PS(s));
	return pg_bulk_begin(PS(s)->conn, table, cols, ncols, out, err);
}

/* A copy of a server's database is pg_dump's job: it takes one
 * snapshot of the server's own, and restores into any version.  Say what
 * to run for this database. */
static int pg_backup(struct store *s, const char *file,
		     struct hearth_err *err)
{
	PGconn *c = PS(s)->conn;

	return err_set(err, "backups of a PostgreSQL database are pg_dump's "
		       "job, not hearth's: run pg_dump -h %s -p %s -U %s "
		       "--format=custom --file='%s' %s (pg_restore reads it "
		       "back)",
		       PQhost(c), PQport(c), PQuser(c), file, PQdb(c));
}

static const struct store_ops pg_ops = {
	.sql = &pg_sql,
	.close = pg_close,
	.exec = pg_exec,
	.create = pg_sql_create,
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
	.few_rows = pg_few_rows,
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
	.size = pg_sql_size,
	.schema_version = pg_sql_schema_version,
	.has_table = pg_sql_has_table,
	.has_row_order = pg_sql_has_row_order,
	.upsert = pg_sql_upsert,
	.scratch_schema = pg_scratch_schema,
	.migration_begin = pg_sql_migration_begin,
	.migration_check = pg_sql_migration_check,
	.migration_end = pg_sql_migration_end,
	.bulk_begin = pg_bulk,
	.backup = pg_backup,
};

static void connect_error(PGconn *conn, const char *url, struct hearth_err *err)
{
	char line[HEARTH_ERR_MAX];

	err_set(err, "database %s: %s", url, conn_message(conn, line));
}

static void quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* The URL holds a password (user:pw@host, ?password=): refused, as it
 * would show in ps, in shell history and in hearth.ini. */
static int has_password(const char *url)
{
	PQconninfoOption *opts = PQconninfoParse(url, NULL), *o;
	int found = 0;

	for (o = opts; o && o->keyword; o++)
		if (!strcmp(o->keyword, "password") && o->val && *o->val)
			found = 1;
	PQconninfoFree(opts);
	return found;
}

int store_pg_open(struct store **out, const char *url, const char *password,
		  int flags, struct hearth_err *err)
{
	/* Defaults the URL may change first (libpq takes the last value
	 * of a key); then what hearth relies on: UTC, so that naive times
	 * mean UTC as in SQLite; ISO output; doubles that read back the
	 * same.  The password last: a given one wins over libpq's
	 * search. */
	const char *keys[] = { "connect_timeout", "application_name",
			       "dbname", "client_encoding", "options",
			       "password", NULL };
	const char *vals[] = { "10", "hearth", url, "UTF8",
			       "-c TimeZone=UTC -c DateStyle=ISO,YMD "
			       "-c extra_float_digits=3",
			       password, NULL };
	struct pg_store *ps;
	PGconn *conn;

	*out = NULL;
	if (has_password(url))
		return err_set(err, "the database URL holds a password: take it "
			       "out, and put it in the file [hearth] "
			       "password_file names, or in ~/.pgpass");
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
	ps->gen = 1;
	if ((flags & STORE_READONLY) &&
	    pg_exec(&ps->base, "SET default_transaction_read_only = on",
		    err) < 0) {
		pg_close(&ps->base);
		return -1;
	}
	/* durability = full: a commit waits for its WAL flush even where
	 * the server's default is synchronous_commit = off.  normal leaves
	 * the server's choice alone: hearth never weakens it. */
	if ((flags & STORE_DURABLE) &&
	    pg_exec(&ps->base, "SET synchronous_commit = on", err) < 0) {
		pg_close(&ps->base);
		return -1;
	}
	*out = &ps->base;
	return 0;
}

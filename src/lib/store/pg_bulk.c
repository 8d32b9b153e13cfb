/*
 * store/pg_bulk.c - bulk loads as COPY ... FROM STDIN, text format.
 *
 * Text, not binary: the server converts each value as it would the same
 * value bound to an INSERT (a time in the table's style, a number into
 * an integer, real or numeric column), so the load needs no column types.
 * Rows are sent 64 KiB at a time, while the server works on those before.
 *
 * Inside a transaction the COPY runs under a savepoint, sent with it in
 * one round trip: a refused row undoes the load and nothing else, as the
 * writers' rules want (the rows before a bad line stay).  The server says
 * which row it refused in the error's context ("COPY t, line 3, column
 * c: ..."), the line counted from 1 in this load.
 */
#include "store/pg_bulk.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"
#include "store/backend.h"

#define SEND_AT 65536

struct pg_bulk {
	struct store_bulk base;
	PGconn *conn;
	struct buf out;   /* rows not sent yet */
	int saved;        /* under the savepoint hearth_bulk */
	int first;        /* the next value is its row's first */
	int failed;       /* sending failed: end reports it */
	struct hearth_err send_err;
};

#define PB(bk) ((struct pg_bulk *)(bk))

static const struct store_bulk_ops pg_bulk_ops;

/* The error of a failed result, as pg.c words it (the detail where it
 * says what was wrong); *line gets the line of the COPY's data it names,
 * 0 when none. */
static int copy_error(PGresult *res, PGconn *conn, long long *line,
		      struct hearth_err *err)
{
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	const char *ctx = PQresultErrorField(res, PG_DIAG_CONTEXT);
	const char *p = ctx ? strstr(ctx, "COPY ") : NULL;
	const char *at = NULL;

	*line = 0;
	/* The last ", line " of the COPY's context: a table's name could
	 * hold one too. */
	while (p && (p = strstr(p, ", line ")))
		at = p++;
	if (at)
		*line = strtoll(at + 7, NULL, 10);
	if (!msg)
		return err_set(err, "%s", PQerrorMessage(conn));
	if (detail && (strstr(msg, "violates") || strstr(msg, "invalid input")))
		return err_set(err, "%s (%s)", msg, detail);
	return err_set(err, "%s", msg);
}

/* Run sql, whose results are all ignored (undoing the savepoint). */
static void run_quietly(PGconn *conn, const char *sql)
{
	PQclear(PQexec(conn, sql));
}

int pg_bulk_begin(struct pg_conn *conn, const char *table,
		  const char *const *cols, size_t ncols,
		  struct store_bulk **out, struct hearth_err *err)
{
	struct pg_bulk *bk = xcalloc(1, sizeof(*bk));
	struct buf sql = BUF_INIT;
	PGresult *res;
	long long line;
	size_t i;
	int ret = -1;

	bk->base.ops = &pg_bulk_ops;
	bk->conn = conn;
	bk->first = 1;
	bk->saved = PQtransactionStatus(conn) == PQTRANS_INTRANS;
	if (bk->saved)
		buf_addstr(&sql, "SAVEPOINT hearth_bulk; ");
	buf_addstr(&sql, "COPY ");
	store_quote_ident(&sql, table);
	buf_addstr(&sql, " (");
	for (i = 0; i < ncols; i++) {
		if (i)
			buf_addstr(&sql, ", ");
		store_quote_ident(&sql, cols[i]);
	}
	buf_addstr(&sql, ") FROM STDIN");
	/* PQexec stops at the COPY's result, the savepoint's before it
	 * read and dropped. */
	res = PQexec(conn, sql.s);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		copy_error(res, conn, &line, err);
		PQclear(res);
		if (bk->saved && PQtransactionStatus(conn) == PQTRANS_INERROR)
			run_quietly(conn, "ROLLBACK TO SAVEPOINT hearth_bulk; "
				    "RELEASE SAVEPOINT hearth_bulk");
		goto out;
	}
	PQclear(res);
	buf_reserve(&bk->out, SEND_AT + 4096);
	ret = 0;
out:
	buf_release(&sql);
	if (ret < 0) {
		buf_release(&bk->out);
		free(bk);
		bk = NULL;
	}
	*out = bk ? &bk->base : NULL;
	return ret;
}

static void sep(struct pg_bulk *bk)
{
	if (!bk->first)
		buf_addch(&bk->out, '\t');
	bk->first = 0;
}

static void pb_null(struct store_bulk *base)
{
	struct pg_bulk *bk = PB(base);

	sep(bk);
	buf_add(&bk->out, "\\N", 2);
}

static void pb_int(struct store_bulk *base, int64_t v)
{
	struct pg_bulk *bk = PB(base);
	char tmp[24], *p = tmp + sizeof(tmp);
	/* Negated as unsigned: INT64_MIN has no positive twin. */
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	sep(bk);
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	buf_add(&bk->out, p, (size_t)(tmp + sizeof(tmp) - p));
}

static void pb_real(struct store_bulk *base, double v)
{
	struct pg_bulk *bk = PB(base);
	char tmp[32];
	/* The shortest of 15 and 17 digits that reads back as the same
	 * double: 21.3, not 21.300000000000001, is less for the server to
	 * read. */
	int n = snprintf(tmp, sizeof(tmp), "%.15g", v);

	if (strtod(tmp, NULL) != v)
		n = snprintf(tmp, sizeof(tmp), "%.17g", v);

	sep(bk);
	buf_add(&bk->out, tmp, (size_t)n);
}

/* Text with COPY's escapes for the bytes that would end a value or a
 * row, or start an escape. */
static void pb_text(struct store_bulk *base, const char *p, size_t n)
{
	struct pg_bulk *bk = PB(base);
	size_t i, from = 0;

	sep(bk);
	for (i = 0; i < n; i++) {
		char c = p[i], e;
		switch (c) {
		case '\\':
			e = '\\';
			break;
		case '\t':
			e = 't';
			break;
		case '\n':
			e = 'n';
			break;
		case '\r':
			e = 'r';
			break;
		default:
			continue;
		}
		buf_add(&bk->out, p + from, i - from);
		buf_addch(&bk->out, '\\');
		buf_addch(&bk->out, e);
		from = i + 1;
	}
	buf_add(&bk->out, p + from, n - from);
}

static int send_rows(struct pg_bulk *bk)
{
	if (!bk->out.len || bk->failed)
		return bk->failed ? -1 : 0;
	if (PQputCopyData(bk->conn, bk->out.s, (int)bk->out.len) != 1) {
		err_set(&bk->send_err, "%s", PQerrorMessage(bk->conn));
		bk->failed = 1;
		return -1;
	}
	buf_reset(&bk->out);
	return 0;
}

static int pb_row(struct store_bulk *base, struct hearth_err *err)
{
	struct pg_bulk *bk = PB(base);

	buf_addch(&bk->out, '\n');
	bk->first = 1;
	if (bk->out.len >= SEND_AT && send_rows(bk) < 0) {
		*err = bk->send_err;
		return -1;
	}
	return 0;
}

static int pb_end(struct store_bulk *base, int64_t *bad,
		  struct hearth_err *err)
{
	struct pg_bulk *bk = PB(base);
	PGconn *conn = bk->conn;
	PGresult *res;
	long long line = 0;
	int ret = 0;

	*bad = -1;
	send_rows(bk);
	if (PQputCopyEnd(conn, bk->failed ? "hearth: sending rows failed"
					  : NULL) != 1 && !bk->failed) {
		err_set(&bk->send_err, "%s", PQerrorMessage(conn));
		bk->failed = 1;
	}
	while ((res = PQgetResult(conn))) {
		if (PQresultStatus(res) != PGRES_COMMAND_OK && ret == 0) {
			copy_error(res, conn, &line, err);
			ret = -1;
		}
		PQclear(res);
	}
	if (bk->failed) {
		*err = bk->send_err;
		ret = -1;
		line = 0;
	}
	if (ret < 0 && line > 0)
		*bad = line - 1;
	if (bk->saved)
		run_quietly(conn, ret < 0 ? "ROLLBACK TO SAVEPOINT hearth_bulk; "
					    "RELEASE SAVEPOINT hearth_bulk"
					  : "RELEASE SAVEPOINT hearth_bulk");
	buf_release(&bk->out);
	free(bk);
	return ret;
}

static const struct store_bulk_ops pg_bulk_ops = {
	.null = pb_null,
	.integer = pb_int,
	.real = pb_real,
	.text = pb_text,
	.row = pb_row,
	.end = pb_end,
};

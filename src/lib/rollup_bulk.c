/*
 * rollup_bulk.c - keeping rollups current through bulk loads without the
 * per-row trigger (see rollup.h).
 */
#include <stdlib.h>
#include <string.h>

#include "rollup.h"
#include "timefmt.h"
#include "xalloc.h"

struct bulk_table {
	char *table;
	char *trigger;     /* CREATE TRIGGER statement to restore */
	char **cols;       /* value columns */
	size_t ncols;
	char *time_col;
	int64_t start;     /* rows with a larger rowid are new */
};

struct rollup_bulk {
	struct bulk_table *t;
	size_t n;
};

struct rollup_bulk *rollup_bulk_new(void)
{
	return xcalloc(1, sizeof(struct rollup_bulk));
}

static void forget(struct rollup_bulk *rb)
{
	size_t i, j;

	for (i = 0; i < rb->n; i++) {
		free(rb->t[i].table);
		free(rb->t[i].trigger);
		free(rb->t[i].time_col);
		for (j = 0; j < rb->t[i].ncols; j++)
			free(rb->t[i].cols[j]);
		free(rb->t[i].cols);
	}
	free(rb->t);
	rb->t = NULL;
	rb->n = 0;
}

void rollup_bulk_forget(struct rollup_bulk *rb)
{
	forget(rb);
}

void rollup_bulk_free(struct rollup_bulk *rb)
{
	if (!rb)
		return;
	forget(rb);
	free(rb);
}

/* The insert trigger's statement, or NULL when the table has none. */
static int trigger_sql(struct store *s, const char *name, char **out,
		       struct hearth_err *err)
{
	struct store_stmt *st = NULL;
	int rc;

	*out = NULL;
	if (store_prepare(s, "SELECT sql FROM sqlite_master WHERE type = "
			  "'trigger' AND name = ?", &st, err) < 0)
		return -1;
	store_bind_text(st, 1, name, strlen(name));
	rc = store_step(st, err);
	if (rc == 1)
		*out = xstrdup(store_column_text(st, 0, NULL));
	store_finalize(st);
	return rc < 0 ? -1 : 0;
}

int rollup_bulk_add(struct rollup_bulk *rb, struct store *s,
		    const struct schema *schema, const char *table,
		    const char *time_col, struct hearth_err *err)
{
	const struct schema_table *t;
	const struct schema_column *tc;
	struct bulk_table bt;
	struct buf name = BUF_INIT, sql = BUF_INIT;
	struct hearth_err ignore;
	size_t i;
	int ret = -1;

	for (i = 0; i < rb->n; i++)
		if (!strcmp(rb->t[i].table, table))
			return 0;
	t = schema_find_table(schema, table);
	tc = t ? schema_time_column(t, time_col) : NULL;
	if (!tc)
		return 0;
	memset(&bt, 0, sizeof(bt));
	buf_addf(&name, "hearth_rollup_%s_ins", t->name);
	if (trigger_sql(s, name.s, &bt.trigger, err) < 0)
		goto out;
	if (!bt.trigger) {
		ret = 0;
		goto out;
	}
	buf_addstr(&sql, "SELECT coalesce(max(rowid), 0) FROM ");
	store_quote_ident(&sql, t->name);
	if (store_query_int(s, sql.s, &bt.start, &ignore, (const char *)NULL) < 0) {
		ret = 0; /* WITHOUT ROWID: the trigger stays */
		goto out;
	}
	buf_reset(&sql);
	buf_addstr(&sql, "DROP TRIGGER ");
	store_quote_ident(&sql, name.s);
	if (store_exec(s, sql.s, err) < 0)
		goto out;
	bt.table = xstrdup(t->name);
	bt.time_col = xstrdup(tc->name);
	bt.cols = xcalloc(t->ncols + 1, sizeof(char *));
	for (i = 0; i < t->ncols; i++)
		if (rollup_is_value_col(t, tc, i))
			bt.cols[bt.ncols++] = xstrdup(t->cols[i].name);
	rb->t = xreallocarray(rb->t, rb->n + 1, sizeof(*rb->t));
	rb->t[rb->n++] = bt;
	bt.trigger = NULL;
	ret = 0;
out:
	free(bt.trigger);
	buf_release(&name);
	buf_release(&sql);
	return ret;
}

/* Unix seconds of the time column, stored as a number or ISO text. */
static void secs(struct buf *b, const char *qcol)
{
	buf_addf(b, "(CASE WHEN typeof(%s) IN ('integer','real') THEN "
		 "CAST(%s AS INTEGER) ELSE CAST(strftime('%%s', %s) AS "
		 "INTEGER) END)", qcol, qcol, qcol);
}

static void agg_col(struct buf *b, const char *col, const char *agg)
{
	struct buf n = BUF_INIT;

	buf_addf(&n, "%s:%s", col, agg);
	store_quote_ident(b, n.s);
	buf_release(&n);
}

/* Run sql with ?1 = lo and ?2 = hi (unix seconds); with texts set also
 * the range [lo, hi + 60) as text, ?3/?4 spelled "YYYY-MM-DD HH:MM:SS" and
 * ?5/?6 "YYYY-MM-DDTHH:MM:SS", for time columns holding ISO text. */
static int exec_range(struct store *s, const char *sql, int64_t lo, int64_t hi,
		      int texts, struct hearth_err *err)
{
	struct store_stmt *st = NULL;
	char a[64], b[64];
	int ret = -1, k;

	if (store_prepare(s, sql, &st, err) < 0)
		return -1;
	store_bind_int(st, 1, lo);
	store_bind_int(st, 2, hi);
	if (texts)
		for (k = 0; k < 2; k++) {
			size_t n = timefmt_format(lo * US_PER_SEC, TIMEFMT_SQL, a, sizeof(a));
			size_t m = timefmt_format((hi + 60) * US_PER_SEC, TIMEFMT_SQL,
						  b, sizeof(b));
			if (k)
				a[10] = b[10] = 'T';
			store_bind_text(st, 3 + 2 * k, a, n);
			store_bind_text(st, 4 + 2 * k, b, m);
		}
	if (store_step(st, err) < 0)
		goto out;
	ret = 0;
out:
	store_finalize(st);
	return ret;
}

/* Recompute the minute buckets [lo, hi] from the rows and the hour
 * buckets over them from the minutes. */
static int fold(struct store *s, const struct bulk_table *bt,
		struct hearth_err *err)
{
	static const char *const aggs[] = { "min", "max", "sum", "n" };
	struct buf sql = BUF_INIT, qt = BUF_INIT, qc = BUF_INIT, se = BUF_INIT,
		   m = BUF_INIT, h = BUF_INIT, x = BUF_INIT;
	struct store_stmt *st = NULL;
	int64_t lo, hi;
	size_t i, j;
	int ret = -1, rc;

	store_quote_ident(&qt, bt->table);
	store_quote_ident(&qc, bt->time_col);
	secs(&se, qc.s);
	buf_addf(&m, "hearth_rollup_%s_m", bt->table);
	buf_addf(&h, "hearth_rollup_%s_h", bt->table);

	buf_addf(&sql, "SELECT min(%s), max(%s) FROM %s WHERE rowid > ?", se.s,
		 se.s, qt.s);
	if (store_prepare(s, sql.s, &st, err) < 0)
		goto out;
	store_bind_int(st, 1, bt->start);
	rc = store_step(st, err);
	if (rc < 0)
		goto out;
	if (rc == 0 || store_column_type(st, 0) == STORE_NULL) {
		ret = 0; /* no new rows with a time */
		goto out;
	}
	lo = store_column_int(st, 0) / 60 * 60;
	hi = store_column_int(st, 1) / 60 * 60;

	buf_reset(&sql);
	buf_addstr(&sql, "DELETE FROM ");
	store_quote_ident(&sql, m.s);
	buf_addstr(&sql, " WHERE b >= ?1 AND b <= ?2");
	if (exec_range(s, sql.s, lo, hi, 0, err) < 0)
		goto out;
	/* The three spellings of the range keep the time index in use. */
	buf_reset(&sql);
	buf_addstr(&sql, "INSERT INTO ");
	store_quote_ident(&sql, m.s);
	buf_addf(&sql, " SELECT %s / 60 * 60 AS bb", se.s);
	for (i = 0; i < bt->ncols; i++) {
		buf_reset(&x);
		store_quote_ident(&x, bt->cols[i]);
		buf_addf(&sql, ", min(%s), max(%s), sum(%s), count(%s)", x.s,
			 x.s, x.s, x.s);
	}
	buf_addf(&sql, " FROM %s WHERE ((%s >= ?1 AND %s < ?2 + 60) OR "
		 "(%s >= ?3 AND %s < ?4) OR (%s >= ?5 AND %s < ?6)) "
		 "GROUP BY bb HAVING bb IS NOT NULL",
		 qt.s, qc.s, qc.s, qc.s, qc.s, qc.s, qc.s);
	if (exec_range(s, sql.s, lo, hi, 1, err) < 0)
		goto out;

	lo = lo / 3600 * 3600;
	hi = hi / 3600 * 3600;
	buf_reset(&sql);
	buf_addstr(&sql, "DELETE FROM ");
	store_quote_ident(&sql, h.s);
	buf_addstr(&sql, " WHERE b >= ?1 AND b <= ?2");
	if (exec_range(s, sql.s, lo, hi, 0, err) < 0)
		goto out;
	buf_reset(&sql);
	buf_addstr(&sql, "INSERT INTO ");
	store_quote_ident(&sql, h.s);
	buf_addstr(&sql, " SELECT b / 3600 * 3600 AS bb");
	for (i = 0; i < bt->ncols; i++)
		for (j = 0; j < 4; j++) {
			buf_reset(&x);
			agg_col(&x, bt->cols[i], aggs[j]);
			buf_addf(&sql, ", %s(%s)", j == 3 ? "sum" : aggs[j], x.s);
		}
	buf_addstr(&sql, " FROM ");
	store_quote_ident(&sql, m.s);
	buf_addstr(&sql, " WHERE b >= ?1 AND b < ?2 + 3600 GROUP BY bb");
	if (exec_range(s, sql.s, lo, hi, 0, err) < 0)
		goto out;
	ret = 0;
out:
	store_finalize(st);
	buf_release(&sql);
	buf_release(&qt);
	buf_release(&qc);
	buf_release(&se);
	buf_release(&m);
	buf_release(&h);
	buf_release(&x);
	return ret;
}

int rollup_bulk_finish(struct rollup_bulk *rb, struct store *s,
		       struct hearth_err *err)
{
	size_t i;
	int ret = -1;

	for (i = 0; i < rb->n; i++) {
		if (fold(s, &rb->t[i], err) < 0 ||
		    store_exec(s, rb->t[i].trigger, err) < 0) {
			err_prefix(err, "rollup of %s", rb->t[i].table);
			goto out;
		}
	}
	ret = 0;
out:
	forget(rb);
	return ret;
}

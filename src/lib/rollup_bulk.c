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

	/* Tables without rollups are remembered too (trigger NULL): a
	 * line-protocol loader asks once per line. */
	for (i = 0; i < rb->n; i++)
		if (!strcmp(rb->t[i].table, table))
			return 0;
	memset(&bt, 0, sizeof(bt));
	bt.table = xstrdup(table);
	t = schema_find_table(schema, table);
	tc = t ? schema_time_column(t, time_col) : NULL;
	if (!tc)
		goto keep;
	buf_addf(&name, "hearth_rollup_%s_ins", t->name);
	if (trigger_sql(s, name.s, &bt.trigger, err) < 0)
		goto out;
	if (!bt.trigger)
		goto keep;
	buf_addstr(&sql, "SELECT coalesce(max(rowid), 0) FROM ");
	store_quote_ident(&sql, t->name);
	if (store_query_int(s, sql.s, &bt.start, &ignore, (const char *)NULL) < 0) {
		free(bt.trigger); /* WITHOUT ROWID: the trigger stays */
		bt.trigger = NULL;
		goto keep;
	}
	buf_reset(&sql);
	buf_addstr(&sql, "DROP TRIGGER ");
	store_quote_ident(&sql, name.s);
	if (store_exec(s, sql.s, err) < 0)
		goto out;
	bt.time_col = xstrdup(tc->name);
	bt.cols = xcalloc(t->ncols + 1, sizeof(char *));
	for (i = 0; i < t->ncols; i++)
		if (rollup_is_value_col(t, tc, i))
			bt.cols[bt.ncols++] = xstrdup(t->cols[i].name);
keep:
	rb->t = xreallocarray(rb->t, rb->n + 1, sizeof(*rb->t));
	rb->t[rb->n++] = bt;
	memset(&bt, 0, sizeof(bt));
	ret = 0;
out:
	free(bt.table);
	free(bt.trigger);
	buf_release(&name);
	buf_release(&sql);
	return ret;
}

/* The upsert merge of src's bucket rows (columns b, "c:min", "c:max",
 * "c:sum", "c:n") into rollup table rname: what the insert trigger does
 * for one row, here once per bucket.  select is the SELECT that yields
 * those rows. */
static int merge(struct store *s, const struct bulk_table *bt,
		 const char *rname, const char *select, struct hearth_err *err)
{
	static const char *const aggs[] = { "min", "max", "sum", "n" };
	struct buf sql = BUF_INIT, o = BUF_INIT, e = BUF_INIT;
	size_t i, j;
	int ret;

	buf_addstr(&sql, "INSERT INTO ");
	store_quote_ident(&sql, rname);
	buf_addstr(&sql, " (b");
	for (i = 0; i < bt->ncols; i++)
		for (j = 0; j < 4; j++) {
			buf_addstr(&sql, ", ");
			rollup_agg_col(&sql, bt->cols[i], aggs[j]);
		}
	/* (select ends in a WHERE or GROUP BY, which keeps SQLite from
	 * reading ON CONFLICT as a join constraint.) */
	buf_addf(&sql, ") %s ON CONFLICT(b) DO UPDATE SET ", select);
	for (i = 0; i < bt->ncols; i++)
		for (j = 0; j < 4; j++) {
			buf_reset(&o);
			buf_reset(&e);
			rollup_agg_col(&o, bt->cols[i], aggs[j]);
			buf_addstr(&e, "excluded.");
			rollup_agg_col(&e, bt->cols[i], aggs[j]);
			if (i || j)
				buf_addstr(&sql, ", ");
			if (j < 2)
				buf_addf(&sql, "%s = %s(coalesce(%s, %s), "
					 "coalesce(%s, %s))", o.s, aggs[j], o.s,
					 e.s, e.s, o.s);
			else if (j == 2)
				buf_addf(&sql, "%s = CASE WHEN %s IS NULL THEN %s "
					 "WHEN %s IS NULL THEN %s ELSE %s + %s "
					 "END", o.s, e.s, o.s, o.s, e.s, o.s, e.s);
			else
				buf_addf(&sql, "%s = %s + %s", o.s, o.s, e.s);
		}
	ret = store_exec(s, sql.s, err);
	buf_release(&sql);
	buf_release(&o);
	buf_release(&e);
	return ret;
}

/* Fold the rows written since the trigger was dropped into the minute
 * and hour buckets.  The new rows are read once, by rowid (so the cost
 * follows the load, not the table), into per-minute aggregates in a
 * temporary table; the minutes are merged into the minute rollup and,
 * summed per hour, into the hour rollup. */
static int fold(struct store *s, const struct bulk_table *bt,
		struct hearth_err *err)
{
	static const char *const aggs[] = { "min", "max", "sum", "n" };
	static const char *const hfn[] = { "min", "max", "sum", "sum" };
	struct buf sql = BUF_INIT, qc = BUF_INIT, se = BUF_INIT, m = BUF_INIT,
		   h = BUF_INIT, x = BUF_INIT, sel = BUF_INIT;
	struct hearth_err ignore;
	struct store_stmt *st = NULL;
	size_t i, j;
	int ret = -1;

	if (!bt->ncols)
		return 0;
	store_quote_ident(&qc, bt->time_col);
	rollup_secs_sql(&se, qc.s);
	buf_addf(&m, "hearth_rollup_%s_m", bt->table);
	buf_addf(&h, "hearth_rollup_%s_h", bt->table);

	store_exec(s, "DROP TABLE IF EXISTS temp.hearth_bulk_fold", &ignore);
	buf_addf(&sql, "CREATE TEMP TABLE hearth_bulk_fold AS SELECT %s / 60 * 60 "
		 "AS b", se.s);
	for (i = 0; i < bt->ncols; i++) {
		buf_reset(&x);
		store_quote_ident(&x, bt->cols[i]);
		for (j = 0; j < 4; j++) {
			buf_addf(&sql, ", %s(%s) AS ", j == 3 ? "count" : aggs[j],
				 x.s);
			rollup_agg_col(&sql, bt->cols[i], aggs[j]);
		}
	}
	buf_addstr(&sql, " FROM ");
	store_quote_ident(&sql, bt->table);
	buf_addstr(&sql, " WHERE rowid > ? GROUP BY 1 HAVING b IS NOT NULL");
	if (store_prepare(s, sql.s, &st, err) < 0)
		goto out;
	store_bind_int(st, 1, bt->start);
	if (store_step(st, err) < 0)
		goto out;
	store_finalize(st);
	st = NULL;

	if (merge(s, bt, m.s, "SELECT * FROM temp.hearth_bulk_fold WHERE true",
		  err) < 0)
		goto out;
	buf_addstr(&sel, "SELECT b / 3600 * 3600");
	for (i = 0; i < bt->ncols; i++)
		for (j = 0; j < 4; j++) {
			buf_addf(&sel, ", %s(", hfn[j]);
			rollup_agg_col(&sel, bt->cols[i], aggs[j]);
			buf_addch(&sel, ')');
		}
	buf_addstr(&sel, " FROM temp.hearth_bulk_fold GROUP BY 1");
	if (merge(s, bt, h.s, sel.s, err) < 0)
		goto out;
	ret = 0;
out:
	store_finalize(st);
	store_exec(s, "DROP TABLE IF EXISTS temp.hearth_bulk_fold", &ignore);
	buf_release(&sql);
	buf_release(&qc);
	buf_release(&se);
	buf_release(&m);
	buf_release(&h);
	buf_release(&x);
	buf_release(&sel);
	return ret;
}

int rollup_bulk_finish(struct rollup_bulk *rb, struct store *s,
		       struct hearth_err *err)
{
	size_t i;
	int ret = -1;

	for (i = 0; i < rb->n; i++) {
		if (!rb->t[i].trigger)
			continue;
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

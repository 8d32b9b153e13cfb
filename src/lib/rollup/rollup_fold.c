/*
 * rollup_fold.c - folding rows above a table's mark into its rollups, in
 * SQL (see rollup.h).
 */
#include <stdlib.h>
#include <string.h>

#include "rollup/rollup.h"
#include "rollup/rollup_impl.h"
#include "base/xalloc.h"

void rollup_columns(const struct schema *schema, const char *table,
		    char ***cols, size_t *ncols)
{
	struct buf name = BUF_INIT;
	const struct schema_table *m;
	size_t i, n;

	*cols = NULL;
	*ncols = 0;
	rollup_table_name(&name, table, ROLLUP_MINUTE);
	m = schema_find_table(schema, name.s);
	buf_release(&name);
	if (!m)
		return;
	*cols = xcalloc(m->ncols ? m->ncols : 1, sizeof(**cols));
	for (i = 0; i < m->ncols; i++) {
		n = strlen(m->cols[i].name);
		if (n > 4 && !strcmp(m->cols[i].name + n - 4, ":min"))
			(*cols)[(*ncols)++] = xstrndup(m->cols[i].name, n - 4);
	}
}

void rollup_columns_free(char **cols, size_t ncols)
{
	size_t i;

	for (i = 0; i < ncols; i++)
		free(cols[i]);
	free(cols);
}

void rollup_merge_sql(const struct store_sql *d, struct buf *sql,
		      const char *rname, const char *const *cols,
		      size_t ncols, const char *source)
{
	/* The existing row's columns are qualified by the table's name:
	 * PostgreSQL finds an unqualified one ambiguous inside a trigger's
	 * function, where the transition tables share the column names. */
	struct buf o = BUF_INIT, e = BUF_INIT, t = BUF_INIT;
	size_t i, j;

	buf_addstr(sql, "INSERT INTO ");
	store_quote_ident(sql, rname);
	buf_addstr(sql, " (b");
	for (i = 0; i < ncols; i++)
		for (j = 0; j < 4; j++) {
			buf_addstr(sql, ", ");
			rollup_agg_col(sql, cols[i],
				       rollup_aggs[j]);
		}
	buf_addf(sql, ") %s ON CONFLICT(b) DO UPDATE SET ", source);
	for (i = 0; i < ncols; i++)
		for (j = 0; j < 4; j++) {
			buf_reset(&o);
			buf_reset(&e);
			buf_reset(&t);
			rollup_agg_col(&o, cols[i],
				       rollup_aggs[j]);
			store_quote_ident(&t, rname);
			buf_addf(&t, ".%s", o.s);
			buf_addstr(&e, "excluded.");
			rollup_agg_col(&e, cols[i],
				       rollup_aggs[j]);
			if (i || j)
				buf_addstr(sql, ", ");
			buf_addf(sql, "%s = ", o.s);
			if (j < 2)
				store_sql_min_max(d, sql, j == 1, t.s, e.s);
			else if (j == 2)
				buf_addf(sql, "CASE WHEN %s IS NULL THEN %s "
					 "WHEN %s IS NULL THEN %s ELSE %s + %s "
					 "END", e.s, t.s, t.s, e.s, t.s, e.s);
			else
				buf_addf(sql, "%s + %s", t.s, e.s);
		}
	buf_release(&o);
	buf_release(&e);
	buf_release(&t);
}

int rollup_mark_reset(struct store *s, const char *table,
		      struct hearth_err *err)
{
	struct buf sql = BUF_INIT;
	struct store_stmt *st = NULL;
	int ret = -1;

	buf_addf(&sql, "UPDATE " ROLLUP_MARK " SET upto = (SELECT "
		 "coalesce(max(%s), 0) FROM ", store_sql_row_order(store_sql(s)));
	store_quote_ident(&sql, table);
	buf_addstr(&sql, ") WHERE tbl = ?");
	if (store_cached(s, sql.s, &st, err) < 0)
		goto out;
	store_bind_text(st, 1, table, strlen(table));
	if (store_step(st, err) < 0)
		goto out;
	ret = 0;
out:
	if (st)
		store_reset(st);
	buf_release(&sql);
	return ret;
}

/* Fold table's rows numbered above `after` (insertion order) into the
 * minute and hour buckets.  The rows are read once, by number (so the
 * cost follows what is new, not the table), into per-minute aggregates
 * in a temporary table; the minutes are merged into the minute rollup
 * and, summed per hour, into the hour rollup. */
static int fold(struct store *s, const char *table, const char *time_col,
		char **cols, size_t ncols, int64_t after,
		struct hearth_err *err)
{
	static const char *const hfn[] = { "min", "max", "sum", "sum" };
	const struct store_sql *d = store_sql(s);
	struct buf sql = BUF_INIT, qc = BUF_INIT, se = BUF_INIT, m = BUF_INIT,
		   h = BUF_INIT, x = BUF_INIT, sel = BUF_INIT, tmp = BUF_INIT,
		   drop = BUF_INIT;
	struct hearth_err ignore;
	struct store_stmt *st = NULL;
	size_t i, j;
	int ret = -1;

	store_quote_ident(&qc, time_col);
	store_sql_unix_secs(d, &se, qc.s, NULL);
	rollup_table_name(&m, table, ROLLUP_MINUTE);
	rollup_table_name(&h, table, ROLLUP_HOUR);
	buf_addf(&tmp, "%shearth_fold", store_sql_temp_prefix(d));
	buf_addf(&drop, "DROP TABLE IF EXISTS %s", tmp.s);

	store_exec(s, drop.s, &ignore);
	buf_addf(&sql, "CREATE TEMP TABLE hearth_fold AS SELECT %s / 60 * 60 "
		 "AS b", se.s);
	for (i = 0; i < ncols; i++) {
		buf_reset(&x);
		store_quote_ident(&x, cols[i]);
		for (j = 0; j < 4; j++) {
			buf_addf(&sql, ", %s(%s) AS ",
				 j == 3 ? "count" : rollup_aggs[j], x.s);
			rollup_agg_col(&sql, cols[i], rollup_aggs[j]);
		}
	}
	buf_addstr(&sql, " FROM ");
	store_quote_ident(&sql, table);
	buf_addf(&sql, " WHERE %s > ? GROUP BY 1 HAVING b IS NOT NULL",
		 store_sql_row_order(d));
	if (store_prepare(s, sql.s, &st, err) < 0)
		goto out;
	store_bind_int(st, 1, after);
	if (store_step(st, err) < 0)
		goto out;
	store_finalize(st);
	st = NULL;

	buf_reset(&sql);
	buf_addf(&sel, "SELECT * FROM %s WHERE true", tmp.s);
	rollup_merge_sql(d, &sql, m.s, (const char *const *)cols, ncols, sel.s);
	if (store_exec(s, sql.s, err) < 0)
		goto out;
	buf_reset(&sel);
	buf_addstr(&sel, "SELECT b / 3600 * 3600");
	for (i = 0; i < ncols; i++)
		for (j = 0; j < 4; j++) {
			buf_addf(&sel, ", %s(", hfn[j]);
			rollup_agg_col(&sel, cols[i], rollup_aggs[j]);
			buf_addch(&sel, ')');
		}
	buf_addf(&sel, " FROM %s GROUP BY 1", tmp.s);
	buf_reset(&sql);
	rollup_merge_sql(d, &sql, h.s, (const char *const *)cols, ncols, sel.s);
	if (store_exec(s, sql.s, err) < 0)
		goto out;
	ret = 0;
out:
	store_finalize(st);
	store_exec(s, drop.s, &ignore);
	buf_release(&sql);
	buf_release(&qc);
	buf_release(&se);
	buf_release(&m);
	buf_release(&h);
	buf_release(&x);
	buf_release(&sel);
	buf_release(&tmp);
	buf_release(&drop);
	return ret;
}

int rollup_mark_get(struct store *s, const char *table, char **time_col,
		    int64_t *upto, struct hearth_err *err)
{
	struct store_stmt *st = NULL;
	int rc;

	*time_col = NULL;
	if (store_cached(s, "SELECT time_col, upto FROM " ROLLUP_MARK
			 " WHERE tbl = ?", &st, err) < 0)
		return -1;
	store_bind_text(st, 1, table, strlen(table));
	rc = store_step(st, err);
	if (rc == 1) {
		*time_col = xstrdup(store_column_text(st, 0, NULL));
		*upto = store_column_int(st, 1);
	}
	store_reset(st);
	return rc;
}

/* The number of table's newest row in insertion order, 0 when empty. */
static int newest_row(struct store *s, const char *table, int64_t *out,
		      struct hearth_err *err)
{
	struct buf sql = BUF_INIT;
	int rc;

	*out = 0;
	buf_addf(&sql, "SELECT coalesce(max(%s), 0) FROM ",
		 store_sql_row_order(store_sql(s)));
	store_quote_ident(&sql, table);
	rc = store_query_int(s, sql.s, out, err, (const char *)NULL);
	buf_release(&sql);
	return rc < 0 ? -1 : 0;
}

int rollup_columns_match(const struct schema_table *t, const char *time_col,
			 char **cols, size_t ncols)
{
	size_t i;

	if (time_col && !schema_find_column(t, time_col))
		return 0;
	for (i = 0; i < ncols; i++)
		if (!schema_find_column(t, cols[i]))
			return 0;
	return 1;
}

static int catch_up_one(struct store *s, const struct schema *schema,
			const char *table, struct hearth_err *err)
{
	const struct schema_table *t = schema_find_table(schema, table);
	char *time_col = NULL, **cols = NULL;
	size_t ncols = 0;
	int64_t upto = 0, newest;
	int rc, ret = -1;

	if (!t)
		return 0; /* a mark left by a dropped table */
	rc = rollup_mark_get(s, table, &time_col, &upto, err);
	if (rc <= 0) {
		ret = rc;
		goto out;
	}
	rollup_columns(schema, table, &cols, &ncols);
	if (!rollup_columns_match(t, time_col, cols, ncols)) {
		ret = 0;
		goto out;
	}
	if (newest_row(s, table, &newest, err) < 0)
		goto out;
	if (newest > upto && ncols &&
	    fold(s, table, time_col, cols, ncols, upto, err) < 0)
		goto out;
	if (newest != upto && rollup_mark_reset(s, table, err) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		err_prefix(err, "rollup of %s", table);
	free(time_col);
	rollup_columns_free(cols, ncols);
	return ret;
}

int rollup_catch_up(struct store *s, const struct schema *schema,
		    const char *table, struct hearth_err *err)
{
	struct store_stmt *st = NULL;
	char **names = NULL;
	size_t n = 0, alloc = 0, i;
	int rc, ret = -1;

	if (!schema_find_table(schema, ROLLUP_MARK))
		return 0;
	if (table)
		return catch_up_one(s, schema, table, err);
	/* Every table: the names first, as folding writes to the marks. */
	if (store_cached(s, "SELECT tbl FROM " ROLLUP_MARK, &st, err) < 0)
		return -1;
	while ((rc = store_step(st, err)) == 1) {
		XGROW(names, n + 1, alloc);
		names[n++] = xstrdup(store_column_text(st, 0, NULL));
	}
	store_reset(st);
	if (rc < 0)
		goto out;
	for (i = 0; i < n; i++)
		if (catch_up_one(s, schema, names[i], err) < 0)
			goto out;
	ret = 0;
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return ret;
}

int rollup_refresh(struct store *s, const struct schema *schema,
		   const char *table, struct hearth_err *err)
{
	char *time_col = NULL;
	int64_t upto = 0, newest = 0;
	int rc;

	if (!schema_find_table(schema, ROLLUP_MARK) ||
	    !schema_find_table(schema, table))
		return 0;
	rc = rollup_mark_get(s, table, &time_col, &upto, err);
	free(time_col);
	if (rc <= 0)
		return rc;
	if (newest_row(s, table, &newest, err) < 0)
		return -1;
	if (newest == upto)
		return 0;
	if (store_begin_immediate(s, err) < 0)
		return -1;
	if (rollup_catch_up(s, schema, table, err) < 0 ||
	    store_commit(s, err) < 0) {
		store_rollback(s, NULL);
		return -1;
	}
	return 0;
}

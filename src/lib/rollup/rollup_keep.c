/*
 * rollup_keep.c - the retention table the rollup triggers read, and a
 * rebuild of a table's rollups that keeps the history only they hold: the buckets before its kept_from (rollup_impl.h), whose
 * rows retention deleted.  A rebuild computes buckets from rows; without
 * this, a schema change that rebuilds the rollups would erase years of
 * history.
 */
#include <string.h>

#include "rollup/rollup.h"
#include "rollup/rollup_impl.h"
#include "base/xalloc.h"

void rollup_kept_sql(struct buf *b)
{
	buf_addstr(b, "CREATE TABLE IF NOT EXISTS " ROLLUP_KEPT " (tbl TEXT "
		   "PRIMARY KEY, kept_from INTEGER NOT NULL);");
}

void rollup_kept_from_sql(struct buf *b, const char *table)
{
	buf_addstr(b, "(SELECT coalesce(max(kept_from), -9223372036854775807) "
		   "FROM " ROLLUP_KEPT " WHERE tbl = ");
	store_quote_string(b, table);
	buf_addch(b, ')');
}

/* The temporary copy of level lv's old buckets. */
static void keep_name(const struct store_sql *d, struct buf *b, int lv)
{
	buf_addf(b, "%shearth_keep_%s", store_sql_temp_prefix(d),
		 lv ? "h" : "m");
}

int rollup_keep_save(struct store *s, const char *table, int64_t *kept,
		     struct hearth_err *err)
{
	const struct store_sql *d = store_sql(s);
	struct buf sql = BUF_INIT, name = BUF_INIT;
	int rc, lv, ret = -1;

	*kept = 0;
	rollup_table_name(&name, table, ROLLUP_MINUTE);
	if ((rc = store_has_table(s, ROLLUP_KEPT, err)) <= 0 ||
	    (rc = store_has_table(s, name.s, err)) <= 0) {
		ret = rc;
		goto out;
	}
	rc = store_query_int(s, "SELECT kept_from FROM " ROLLUP_KEPT
			     " WHERE tbl = ?", kept, err, table, (const char *)NULL);
	if (rc <= 0) {
		ret = rc;
		goto out;
	}
	for (lv = 0; lv < 2; lv++) {
		buf_reset(&name);
		rollup_table_name(&name, table, lv ? ROLLUP_HOUR : ROLLUP_MINUTE);
		buf_addstr(&sql, "DROP TABLE IF EXISTS ");
		keep_name(d, &sql, lv);
		/* kept is a number hearth computed, not text from outside. */
		buf_addstr(&sql, "; CREATE TEMP TABLE ");
		buf_addstr(&sql, lv ? "hearth_keep_h" : "hearth_keep_m");
		buf_addstr(&sql, " AS SELECT * FROM ");
		store_quote_ident(&sql, name.s);
		buf_addf(&sql, " WHERE b < %lld;", (long long)*kept);
	}
	if (store_exec(s, sql.s, err) < 0)
		goto out;
	ret = 1;
out:
	buf_release(&sql);
	buf_release(&name);
	return ret;
}

/* Whether stmt st (over a kept copy) has the column named name. */
static int has_col(struct store_stmt *st, const char *name)
{
	int i, n = store_column_count(st);

	for (i = 0; i < n; i++)
		if (!strcmp(store_column_name(st, i), name))
			return 1;
	return 0;
}

int rollup_keep_restore(struct store *s, const char *table, int64_t kept,
			const char *const *cols, size_t ncols,
			struct hearth_err *err)
{
	const struct store_sql *d = store_sql(s);
	struct buf sql = BUF_INIT, into = BUF_INIT, from = BUF_INIT,
		   name = BUF_INIT, k = BUF_INIT, c = BUF_INIT;
	struct store_stmt *st = NULL;
	size_t i, a;
	int lv, ret = -1;

	for (lv = 0; lv < 2; lv++) {
		buf_reset(&name);
		rollup_table_name(&name, table, lv ? ROLLUP_HOUR : ROLLUP_MINUTE);
		buf_reset(&k);
		keep_name(d, &k, lv);
		buf_reset(&sql);
		buf_addf(&sql, "SELECT * FROM %s", k.s);
		if (store_prepare(s, sql.s, &st, err) < 0)
			goto out;
		/* The columns both have: a column added since has no
		 * history (NULL), one dropped takes its history along. */
		buf_reset(&into);
		buf_reset(&from);
		buf_addstr(&into, "b");
		buf_addstr(&from, "b");
		for (i = 0; i < ncols; i++)
			for (a = 0; a < 4; a++) {
				buf_reset(&c);
				buf_addf(&c, "%s:%s", cols[i], rollup_aggs[a]);
				if (!has_col(st, c.s))
					continue;
				buf_addstr(&into, ", ");
				store_quote_ident(&into, c.s);
				buf_addstr(&from, ", ");
				store_quote_ident(&from, c.s);
			}
		store_finalize(st);
		st = NULL;
		buf_reset(&sql);
		buf_addstr(&sql, "DELETE FROM ");
		store_quote_ident(&sql, name.s);
		buf_addf(&sql, " WHERE b < %lld; INSERT INTO ", (long long)kept);
		store_quote_ident(&sql, name.s);
		buf_addf(&sql, " (%s) SELECT %s FROM %s; DROP TABLE %s;", into.s,
			 from.s, k.s, k.s);
		if (store_exec(s, sql.s, err) < 0)
			goto out;
	}
	ret = 0;
out:
	store_finalize(st);
	buf_release(&sql);
	buf_release(&into);
	buf_release(&from);
	buf_release(&name);
	buf_release(&k);
	buf_release(&c);
	return ret;
}

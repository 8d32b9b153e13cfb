#include "rollup/rollup.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rollup/rollup_impl.h"
#include "base/timefmt.h"
#include "base/xalloc.h"

const char *const rollup_aggs[4] = { "min", "max", "sum", "n" };

int64_t rollup_width(enum rollup_level lv)
{
	switch (lv) {
	case ROLLUP_MINUTE: return 60 * US_PER_SEC;
	case ROLLUP_HOUR: return 3600 * US_PER_SEC;
	default: return 0;
	}
}

const char *rollup_level_name(enum rollup_level lv)
{
	switch (lv) {
	case ROLLUP_MINUTE: return "minute";
	case ROLLUP_HOUR: return "hour";
	default: return "raw";
	}
}

enum rollup_level rollup_choose(int64_t col_width)
{
	if (col_width >= rollup_width(ROLLUP_HOUR))
		return ROLLUP_HOUR;
	if (col_width >= rollup_width(ROLLUP_MINUTE))
		return ROLLUP_MINUTE;
	return ROLLUP_RAW;
}

int rollup_is_value_col(const struct schema_table *t,
			const struct schema_column *tc, size_t i)
{
	enum schema_affinity a = schema_affinity(t->cols[i].type);

	if (&t->cols[i] == tc || t->cols[i].pk)
		return 0;
	return a == AFF_INTEGER || a == AFF_REAL || a == AFF_NUMERIC;
}

int rollup_has_value_cols(const struct schema_table *t,
			  const struct schema_column *tc)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (rollup_is_value_col(t, tc, i))
			return 1;
	return 0;
}

void rollup_table_name(struct buf *b, const char *table, enum rollup_level lv)
{
	buf_addf(b, "hearth_rollup_%s_%s", table, lv == ROLLUP_HOUR ? "h" : "m");
}

/* "ins" was the per-row insert trigger of older hearths: dropped, never
 * made again (rollup.h says why). */
static const char *const trigger_kinds[] = { "ins", "del", "upd" };

static void trigger_name(struct buf *b, const char *table, const char *kind)
{
	buf_addf(b, "hearth_rollup_%s_%s", table, kind);
}

int rollup_has_trigger(const struct schema *schema, const char *table,
		       const char *kind)
{
	struct buf name = BUF_INIT;
	size_t i;
	int found = 0;

	trigger_name(&name, table, kind);
	for (i = 0; i < schema->ntriggers && !found; i++)
		found = !strcasecmp(schema->triggers[i].name, name.s);
	buf_release(&name);
	return found;
}

void rollup_agg_col(struct buf *b, const char *col, const char *agg)
{
	struct buf n = BUF_INIT;

	buf_addf(&n, "%s:%s", col, agg);
	store_quote_ident(b, n.s);
	buf_release(&n);
}

/* Drop table's trigger of kind (trigger_kinds), if it has one. */
static void drop_trigger_sql(const struct store_sql *d, struct buf *b,
			     const char *table, size_t kind)
{
	struct buf n = BUF_INIT;

	trigger_name(&n, table, trigger_kinds[kind]);
	store_sql_drop_trigger(d, b, n.s, table);
	buf_addstr(b, ";");
	buf_release(&n);
}

static void drop_sql(const struct store_sql *d, struct buf *b,
		     const char *table)
{
	struct buf n = BUF_INIT;
	size_t i;

	for (i = 0; i < 3; i++)
		drop_trigger_sql(d, b, table, i);
	rollup_table_name(&n, table, ROLLUP_MINUTE);
	buf_addstr(b, "DROP TABLE IF EXISTS ");
	store_quote_ident(b, n.s);
	buf_addstr(b, ";");
	buf_reset(&n);
	rollup_table_name(&n, table, ROLLUP_HOUR);
	buf_addstr(b, "DROP TABLE IF EXISTS ");
	store_quote_ident(b, n.s);
	buf_addstr(b, ";");
	buf_release(&n);
}

void rollup_agg_decl(const struct store_sql *d, struct buf *b,
		     const char *col, size_t agg)
{
	int typed = store_sql_typed(d);

	rollup_agg_col(b, col, rollup_aggs[agg]);
	/* A bucket's count is 0, never NULL, so that merging adds.  In
	 * SQLite min and max keep each value's type; where columns are
	 * typed, the aggregates of any number column are doubles. */
	if (agg == 3)
		buf_addstr(b, typed ? " BIGINT NOT NULL DEFAULT 0"
				    : " INTEGER NOT NULL DEFAULT 0");
	else if (agg == 2 || typed)
		buf_addstr(b, typed ? " DOUBLE PRECISION" : " REAL");
}

static void create_sql(const struct store_sql *d, struct buf *b,
		       const char *rname, const char *const *cols,
		       size_t ncols)
{
	size_t i, j;

	buf_addstr(b, "CREATE TABLE ");
	store_quote_ident(b, rname);
	/* Unix seconds pass 2^31 in 2038. */
	buf_addstr(b, store_sql_typed(d) ? " (b BIGINT PRIMARY KEY"
					 : " (b INTEGER PRIMARY KEY");
	for (i = 0; i < ncols; i++)
		for (j = 0; j < 4; j++) {
			buf_addstr(b, ", ");
			rollup_agg_decl(d, b, cols[i], j);
		}
	buf_addstr(b, ");");
}

/*
 * Statements that recompute the minute and hour buckets holding the row
 * `ref` (OLD or NEW) from the table, for the delete and update triggers:
 * min and max cannot be taken back, so the bucket is summed again from
 * its rows up to the mark (`upto`, an SQL expression), found through the
 * time index whether the times are numbers, "YYYY-MM-DD HH:MM:SS" or
 * "YYYY-MM-DDTHH:MM:SS" text (with or without fractions and a Z).
 */
/* A bucket start of the row ref, NULL for a row before the table's
 * kept_from: its bucket is history the rows no longer hold. */
static void bucket_of(const struct store_sql *d, struct buf *b,
		      const char *r, const char *kept, int width)
{
	struct buf u = BUF_INIT;

	store_sql_unix_secs(d, &u, r, NULL);
	buf_addf(b, "(CASE WHEN %s < %s THEN NULL ELSE %s / %d * %d END)",
		 u.s, kept, u.s, width, width);
	buf_release(&u);
}

static void recompute_sql(const struct store_sql *d, struct buf *b,
			  const char *qt, const char *qcol, const char *ref,
			  const char *upto, const char *kept,
			  const char *mname, const char *hname,
			  const char *const *cols, size_t ncols)
{
	struct buf m = BUF_INIT, h = BUF_INIT, r = BUF_INIT, x = BUF_INIT;
	size_t i, j;

	buf_addf(&r, "%s.%s", ref, qcol);
	bucket_of(d, &m, r.s, kept, 60);
	bucket_of(d, &h, r.s, kept, 3600);

	buf_addstr(b, "DELETE FROM ");
	store_quote_ident(b, mname);
	buf_addf(b, " WHERE b = %s; INSERT INTO ", m.s);
	store_quote_ident(b, mname);
	buf_addf(b, " SELECT %s", m.s);
	for (i = 0; i < ncols; i++) {
		buf_reset(&x);
		store_quote_ident(&x, cols[i]);
		buf_addf(b, ", min(%s), max(%s), sum(%s), count(%s)", x.s, x.s,
			 x.s, x.s);
	}
	/* Text times of the minute start with its "YYYY-MM-DD HH:MM" and
	 * sort below that followed by ":60".  (The next minute's start
	 * would not do as the bound: across midnight, "2014-11-24 00:05"
	 * sorts below "2014-11-24T00:00", so the T range of 23:59 would take
	 * in the next day's rows spelled with a space.) */
	buf_addf(b, " FROM %s WHERE ((%s >= %s AND %s < %s + 60)", qt, qcol,
		 m.s, qcol, m.s);
	for (i = 0; i < 2; i++) {
		buf_addf(b, " OR (%s >= ", qcol);
		store_sql_minute_text(d, b, m.s, i ? 'T' : ' ', "");
		buf_addf(b, " AND %s < ", qcol);
		store_sql_minute_text(d, b, m.s, i ? 'T' : ' ', ":60");
		buf_addch(b, ')');
	}
	buf_addf(b, ") AND %s <= %s HAVING count(*) > 0; DELETE FROM ",
		 store_sql_row_order(d), upto);
	store_quote_ident(b, hname);
	buf_addf(b, " WHERE b = %s; INSERT INTO ", h.s);
	store_quote_ident(b, hname);
	buf_addf(b, " SELECT %s", h.s);
	for (i = 0; i < ncols; i++)
		for (j = 0; j < 4; j++) {
			buf_reset(&x);
			rollup_agg_col(&x, cols[i], rollup_aggs[j]);
			buf_addf(b, ", %s(%s)", j == 3 ? "sum" : rollup_aggs[j], x.s);
		}
	buf_addstr(b, " FROM ");
	store_quote_ident(b, mname);
	buf_addf(b, " WHERE b >= %s AND b < %s + 3600 HAVING count(*) > 0;",
		 h.s, h.s);
	buf_release(&m);
	buf_release(&h);
	buf_release(&r);
	buf_release(&x);
}

static int mark_insert(struct store *s, const char *table,
		       const char *time_col, struct hearth_err *err)
{
	struct store_stmt *st = NULL;
	int ret = -1;

	if (store_prepare(s, "INSERT INTO " ROLLUP_MARK " VALUES (?, ?, 0) "
			  "ON CONFLICT(tbl) DO UPDATE SET time_col = "
			  "excluded.time_col", &st, err) < 0)
		return -1;
	store_bind_text(st, 1, table, strlen(table));
	store_bind_text(st, 2, time_col, strlen(time_col));
	if (store_step(st, err) >= 0)
		ret = 0;
	store_finalize(st);
	return ret;
}

/*
 * The CREATE TRIGGER statement of table's delete (kind 1) or update
 * (kind 2) trigger.  A delete of the newest rows lowers the mark first,
 * to the newest row left: the database may give their numbers to the
 * next rows inserted, which must be above the mark.
 */
static void trigger_sql(const struct store_sql *d, struct buf *sql,
			const char *table, const char *time_col,
			const char *const *cols, size_t ncols, size_t kind)
{
	struct buf qt = BUF_INIT, qc = BUF_INIT, lit = BUF_INIT,
		   upto = BUF_INIT, newest = BUF_INIT, m = BUF_INIT,
		   h = BUF_INIT, n = BUF_INIT, body = BUF_INIT,
		   kept = BUF_INIT;

	store_quote_ident(&qt, table);
	store_quote_ident(&qc, time_col);
	store_quote_string(&lit, table);
	rollup_table_name(&m, table, ROLLUP_MINUTE);
	rollup_table_name(&h, table, ROLLUP_HOUR);
	buf_addf(&upto, "(SELECT upto FROM " ROLLUP_MARK " WHERE tbl = %s)",
		 lit.s);
	buf_addf(&newest, "(SELECT coalesce(max(%s), 0) FROM %s)",
		 store_sql_row_order(d), qt.s);
	trigger_name(&n, table, trigger_kinds[kind]);
	rollup_kept_from_sql(&kept, table);
	if (kind == 1)
		buf_addf(&body, "UPDATE " ROLLUP_MARK " SET upto = %s WHERE tbl "
			 "= %s AND upto > %s; ", newest.s, lit.s, newest.s);
	recompute_sql(d, &body, qt.s, qc.s, "OLD", upto.s, kept.s, m.s, h.s,
		      cols, ncols);
	if (kind == 2)
		recompute_sql(d, &body, qt.s, qc.s, "NEW", upto.s, kept.s, m.s,
			      h.s, cols, ncols);
	store_sql_create_trigger(d, sql, n.s, kind == 1 ? "DELETE" : "UPDATE",
				 table, body.s);
	buf_release(&body);
	buf_release(&qt);
	buf_release(&qc);
	buf_release(&lit);
	buf_release(&upto);
	buf_release(&newest);
	buf_release(&m);
	buf_release(&h);
	buf_release(&n);
	buf_release(&kept);
}

void rollup_triggers_sql(const struct store_sql *d, struct buf *sql,
			 const char *table, const struct schema_column *tc,
			 const char *const *cols, size_t ncols)
{
	const char *time_col = tc->name;
	size_t kind;

	rollup_kept_sql(sql);
	buf_addch(sql, ' ');
	if (rollup_by_triggers(d)) {
		rollup_trig_sql(d, sql, table, tc, cols, ncols);
		return;
	}
	for (kind = 1; kind < 3; kind++) {
		drop_trigger_sql(d, sql, table, kind);
		buf_addstr(sql, " ");
		trigger_sql(d, sql, table, time_col, cols, ncols, kind);
		buf_addstr(sql, ";");
	}
}

/* The delete and update triggers of t in schema are the ones
 * rollup_triggers_sql makes now: triggers of an older hearth, or ones
 * SQLite rewrote when a column or the table was renamed, are not.  They
 * are compared as text, in the dialect of the database schema was read
 * from. */
static int triggers_current(const struct schema *schema,
			    const struct schema_table *t,
			    const struct schema_column *tc)
{
	struct buf name = BUF_INIT, want = BUF_INIT;
	char **cols = NULL;
	size_t ncols = 0, kind, i;
	int ok = schema->dialect != NULL;

	rollup_columns(schema, t->name, &cols, &ncols);
	for (kind = 1; kind < 3 && ok; kind++) {
		const struct schema_object *o = NULL;

		buf_reset(&name);
		trigger_name(&name, t->name, trigger_kinds[kind]);
		for (i = 0; i < schema->ntriggers && !o; i++)
			if (!strcasecmp(schema->triggers[i].name, name.s))
				o = &schema->triggers[i];
		buf_reset(&want);
		trigger_sql(schema->dialect, &want, t->name, tc->name,
			    (const char *const *)cols, ncols, kind);
		ok = o && o->sql && !strcmp(o->sql, want.s);
	}
	rollup_columns_free(cols, ncols);
	buf_release(&name);
	buf_release(&want);
	return ok;
}

/* The level's table holds every value column of t and no other. */
static int level_ready(const struct schema *schema,
		       const struct schema_table *t,
		       const struct schema_column *tc, enum rollup_level lv)
{
	const struct schema_table *r;
	struct buf name = BUF_INIT;
	size_t i, j, nvalues = 0;
	int ok = 0;

	rollup_table_name(&name, t->name, lv);
	r = schema_find_table(schema, name.s);
	if (!r)
		goto out;
	for (i = 0; i < t->ncols; i++) {
		if (!rollup_is_value_col(t, tc, i))
			continue;
		nvalues++;
		for (j = 0; j < 4; j++) {
			buf_reset(&name);
			buf_addf(&name, "%s:%s", t->cols[i].name, rollup_aggs[j]);
			if (!schema_find_column(r, name.s))
				goto out;
		}
	}
	/* Nor more: a column the table lost (dropped, renamed, no longer a
	 * number) stops the folding (rollup_impl.h), so the buckets are
	 * stale. */
	ok = r->ncols == 1 + 4 * nvalues;
out:
	buf_release(&name);
	return ok;
}

/* What every level needs: the mark, and the triggers of now; or, where
 * triggers keep the rollups, those. */
static int shared_ready(const struct schema *schema,
			const struct schema_table *t,
			const struct schema_column *tc)
{
	if (rollup_by_triggers(schema->dialect))
		return rollup_trig_current(schema, t);
	return schema_find_table(schema, ROLLUP_MARK) &&
	       !rollup_has_trigger(schema, t->name, "ins") &&
	       triggers_current(schema, t, tc);
}

int rollup_ready(const struct schema *schema, const struct schema_table *t,
		 const struct schema_column *tc, enum rollup_level lv)
{
	return level_ready(schema, t, tc, lv) && shared_ready(schema, t, tc);
}

int rollup_current(const struct schema *schema, const struct schema_table *t,
		   const struct schema_column *tc)
{
	return level_ready(schema, t, tc, ROLLUP_MINUTE) &&
	       level_ready(schema, t, tc, ROLLUP_HOUR) &&
	       shared_ready(schema, t, tc);
}

static int mark_delete(struct store *s, const char *table,
		       struct hearth_err *err)
{
	int64_t have = 0;
	int rc = store_has_table(s, ROLLUP_MARK, err);

	if (rc <= 0)
		return rc;
	return store_query_int(s, "DELETE FROM " ROLLUP_MARK " WHERE tbl = ?",
			       &have, err, table, (const char *)NULL) < 0 ? -1
									 : 0;
}

void rollup_agg_call(const struct store_sql *d, struct buf *b,
		     const char *fn, const char *x)
{
	if (!strcmp(fn, "sum") && store_sql_typed(d))
		buf_addf(b, "sum(CAST(%s AS DOUBLE PRECISION))", x);
	else
		buf_addf(b, "%s(%s)", fn, x);
}

void rollup_buckets_sql(const struct store_sql *d, struct buf *b,
			const char *rows, const struct schema_column *tc,
			const char *const *cols, size_t ncols, int width)
{
	struct buf x = BUF_INIT;
	size_t i, a;

	buf_addf(b, "SELECT s / %d * %d", width, width);
	for (i = 0; i < ncols; i++) {
		buf_reset(&x);
		store_quote_ident(&x, cols[i]);
		for (a = 0; a < 4; a++) {
			buf_addstr(b, ", ");
			rollup_agg_call(d, b, a == 3 ? "count" : rollup_aggs[a],
					x.s);
		}
	}
	buf_addstr(b, " FROM (SELECT ");
	buf_reset(&x);
	store_quote_ident(&x, tc->name);
	store_sql_unix_secs(d, b, x.s, tc->type);
	buf_addstr(b, " AS s");
	for (i = 0; i < ncols; i++) {
		buf_addstr(b, ", ");
		store_quote_ident(b, cols[i]);
	}
	buf_addf(b, " FROM %s) x WHERE s IS NOT NULL GROUP BY 1", rows);
	buf_release(&x);
}

int rollup_rebuild_tx(struct store *s, const struct schema_table *t,
		      const struct schema_column *tc, int64_t *buckets,
		      struct hearth_err *err)
{
	const struct store_sql *d = store_sql(s);
	const char **cols = NULL;
	struct buf sql = BUF_INIT, secs = BUF_INIT, qt = BUF_INIT,
		   mname = BUF_INIT, hname = BUF_INIT, x = BUF_INIT;
	size_t ncols = 0, i, j;
	int64_t kept = 0;
	int ret = -1, keep;

	if (buckets)
		*buckets = 0;
	cols = xcalloc(t->ncols ? t->ncols : 1, sizeof(*cols));
	for (i = 0; i < t->ncols; i++)
		if (rollup_is_value_col(t, tc, i))
			cols[ncols++] = t->cols[i].name;

	store_quote_ident(&qt, t->name);
	rollup_table_name(&mname, t->name, ROLLUP_MINUTE);
	rollup_table_name(&hname, t->name, ROLLUP_HOUR);
	if ((keep = rollup_keep_save(s, t->name, &kept, err)) < 0)
		goto out;
	drop_sql(d, &sql, t->name);
	if (store_exec(s, sql.s, err) < 0)
		goto out;
	if (!ncols) {
		ret = mark_delete(s, t->name, err);
		goto out;
	}
	buf_reset(&sql);
	create_sql(d, &sql, mname.s, cols, ncols);
	create_sql(d, &sql, hname.s, cols, ncols);
	if (store_exec(s, sql.s, err) < 0)
		goto out;

	/* Minutes from the rows, hours from the minutes. */
	buf_reset(&sql);
	buf_addstr(&sql, "INSERT INTO ");
	store_quote_ident(&sql, mname.s);
	buf_addch(&sql, ' ');
	rollup_buckets_sql(d, &sql, qt.s, tc, cols, ncols, 60);
	buf_addstr(&sql, ";INSERT INTO ");
	store_quote_ident(&sql, hname.s);
	buf_addstr(&sql, " SELECT b / 3600 * 3600 AS bb");
	for (i = 0; i < ncols; i++)
		for (j = 0; j < 4; j++) {
			buf_reset(&x);
			rollup_agg_col(&x, cols[i], rollup_aggs[j]);
			buf_addf(&sql, ", %s(%s)", j == 3 ? "sum" : rollup_aggs[j],
				 x.s);
		}
	buf_addstr(&sql, " FROM ");
	store_quote_ident(&sql, mname.s);
	buf_addstr(&sql, " GROUP BY bb;");
	if (store_exec(s, sql.s, err) < 0)
		goto out;
	if (keep && rollup_keep_restore(s, t->name, kept, cols, ncols, err) < 0)
		goto out;

	/* Every row is in: the mark goes to the newest (no mark where
	 * triggers keep the rollups). */
	if (!rollup_by_triggers(d) &&
	    (store_create(s, "CREATE TABLE IF NOT EXISTS " ROLLUP_MARK " (tbl "
			"TEXT PRIMARY KEY, time_col TEXT NOT NULL, upto "
			"INTEGER NOT NULL)", err) < 0 ||
	     mark_insert(s, t->name, tc->name, err) < 0 ||
	     rollup_mark_reset(s, t->name, err) < 0))
		goto out;
	buf_reset(&sql);
	rollup_triggers_sql(d, &sql, t->name, tc, cols, ncols);
	if (store_exec(s, sql.s, err) < 0)
		goto out;
	if (buckets) {
		buf_reset(&sql);
		buf_addstr(&sql, "SELECT count(*) FROM ");
		store_quote_ident(&sql, mname.s);
		if (store_query_int(s, sql.s, buckets, err,
				    (const char *)NULL) < 0)
			goto out;
	}
	ret = 0;
out:
	free(cols);
	buf_release(&sql);
	buf_release(&secs);
	buf_release(&qt);
	buf_release(&mname);
	buf_release(&hname);
	buf_release(&x);
	return ret;
}

int rollup_rebuild(struct store *s, const struct schema *schema,
		   const char *table, const char *time_col, int64_t *buckets,
		   struct hearth_err *err)
{
	const struct schema_table *t = schema_find_table(schema, table);
	const struct schema_column *tc;
	struct hearth_err why;

	if (buckets)
		*buckets = 0;
	if (!t || t->internal)
		return err_set(err, "unknown table '%s'", table);
	tc = schema_time_column(t, time_col);
	if (!tc)
		return err_set(err, "table %s has no time column", t->name);
	if (!rollup_supported(s, t->name, &why))
		return err_set(err, "%s: its charts read its rows, without "
			       "rollups", why.msg);
	if (store_begin_immediate(s, err) < 0)
		goto fail;
	if (rollup_rebuild_tx(s, t, tc, buckets, err) < 0 ||
	    store_commit(s, err) < 0) {
		store_rollback(s, NULL);
		goto fail;
	}
	return 0;
fail:
	return err_prefix(err, "rollup of %s", table);
}

int rollup_supported(struct store *s, const char *table,
		     struct hearth_err *why)
{
	return rollup_by_triggers(store_sql(s)) ||
	       store_has_row_order(s, table, why);
}

int rollup_drop(struct store *s, const char *table, struct hearth_err *err)
{
	struct buf sql = BUF_INIT;
	int ret;

	drop_sql(store_sql(s), &sql, table);
	ret = store_exec(s, sql.s, err);
	if (ret == 0)
		ret = mark_delete(s, table, err);
	buf_release(&sql);
	return ret;
}

int rollup_select(struct store *s, const char *table, enum rollup_level lv,
		  const char *const *cols, size_t ncols, int64_t t0,
		  int64_t t1, struct store_stmt **out, struct hearth_err *err)
{
	struct buf sql = BUF_INIT, n = BUF_INIT;
	size_t i, j;
	int ret = -1;

	*out = NULL;
	buf_addstr(&sql, "SELECT b");
	for (i = 0; i < ncols; i++)
		for (j = 0; j < 4; j++) {
			buf_addstr(&sql, ", ");
			rollup_agg_col(&sql, cols[i], rollup_aggs[j]);
		}
	rollup_table_name(&n, table, lv);
	buf_addstr(&sql, " FROM ");
	store_quote_ident(&sql, n.s);
	buf_addstr(&sql, " WHERE b >= ? AND b <= ? ORDER BY b");
	if (store_prepare(s, sql.s, out, err) < 0)
		goto out;
	/* A chart's window holds thousands of buckets, not millions
	 * (rollup_choose): in one piece. */
	store_few_rows(*out);
	/* A bucket that starts before t0 still holds readings after it. */
	store_bind_int(*out, 1, t0 / US_PER_SEC - rollup_width(lv) / US_PER_SEC + 1);
	store_bind_int(*out, 2, t1 / US_PER_SEC);
	ret = 0;
out:
	buf_release(&sql);
	buf_release(&n);
	return ret;
}

int rollup_ensure(struct store *s, const struct config *cfg,
		  struct buf *built, struct hearth_err *err)
{
	struct schema schema = SCHEMA_INIT;
	size_t i;
	int ret = -1;

	if (store_introspect(s, &schema, err) < 0)
		goto out;
	for (i = 0; i < schema.ntables; i++) {
		const struct schema_table *t = &schema.tables[i];
		const char *tcn = cfg ? config_get(cfg, "time_columns", t->name)
				      : NULL;
		const struct schema_column *tc = schema_time_column(t, tcn);

		if (t->internal || !tc || !rollup_has_value_cols(t, tc) ||
		    !rollup_supported(s, t->name, NULL) ||
		    rollup_current(&schema, t, tc))
			continue;
		if (rollup_rebuild(s, &schema, t->name, tcn, NULL, err) < 0)
			goto out;
		buf_addf(built, "%s%s", built->len ? ", " : "", t->name);
	}
	ret = 0;
out:
	schema_release(&schema);
	return ret;
}

/*
 * retention.c - old raw rows deleted, rollups kept (retention.h).
 */
#include "rollup/retention.h"

#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "base/xalloc.h"
#include "rollup/rollup.h"
#include "rollup/rollup_impl.h"

struct rule {
	char *table;
	int64_t age; /* microseconds */
};

struct rules {
	struct rule *v;
	size_t n;
	struct hearth_err *err;
};

static int add_rule(void *ctx, const char *key, const char *value)
{
	struct rules *r = ctx;
	int64_t age;

	if (timefmt_duration(value, &age) < 0 || age < 3600 * (int64_t)1000000) {
		err_set(r->err, "[retention] %s '%s': want an age such as 400d, "
			"52w or 1y (an hour at least)", key, value);
		return 1;
	}
	r->v = xreallocarray(r->v, r->n + 1, sizeof(*r->v));
	r->v[r->n].table = xstrdup(key);
	r->v[r->n++].age = age;
	return 0;
}

/* The condition "the time column is before ?" (a unix seconds value,
 * bound once per `?` the condition holds: *nparams), through the index. */
static void before_sql(const struct store_sql *d, struct buf *b,
		       const char *qcol, const char *type, int *nparams)
{
	struct buf at = BUF_INIT;

	if (store_sql_time_at(d, &at, "?", type)) {
		buf_addf(b, "%s < %s", qcol, at.s);
		buf_release(&at);
		*nparams = 1;
		return;
	}
	buf_release(&at);
	/* Numbers sort before text: the first range takes the times stored
	 * as unix seconds, the second those stored as ISO text.  Its lower
	 * bound must not read as a number: against a column of numeric
	 * affinity '0' would be 0, and every number would be in range. */
	buf_addf(b, "(%s < ? OR (%s >= '0000-' AND %s < ", qcol, qcol, qcol);
	store_sql_minute_text(d, b, "?", ' ', "");
	buf_addstr(b, "))");
	*nparams = 2;
}

/* One batch's DELETE of t's rows before kept (bound by the caller). */
static void delete_sql(const struct store_sql *d, struct buf *b,
		       const char *table, const char *time_col,
		       const char *type, int *nparams)
{
	struct buf qt = BUF_INIT, qc = BUF_INIT, cond = BUF_INIT;
	const char *id = store_sql_row_id(d), *order = store_sql_row_order(d);

	store_quote_ident(&qt, table);
	store_quote_ident(&qc, time_col);
	before_sql(d, &cond, qc.s, type, nparams);
	buf_addf(b, "DELETE FROM %s WHERE %s IN (SELECT %s FROM %s WHERE %s",
		 qt.s, id, id, qt.s, cond.s);
	if (order)
		buf_addf(b, " AND %s < (SELECT max(%s) FROM %s)", order, order,
			 qt.s);
	buf_addstr(b, " LIMIT ?)");
	buf_release(&qt);
	buf_release(&qc);
	buf_release(&cond);
}

/* On PostgreSQL rollup_current cannot tell the statement triggers of an
 * older hearth, which took deleted rows from the buckets, from today's:
 * make them again before deleting (in the same transaction). */
static void renew_triggers(const struct store_sql *d, struct buf *sql,
			   const struct schema *schema,
			   const struct schema_table *t,
			   const struct schema_column *tc)
{
	const char **cols;
	size_t i, n = 0;

	if (!rollup_by_triggers(d) || !rollup_exists(schema, t->name))
		return;
	cols = xcalloc(t->ncols ? t->ncols : 1, sizeof(*cols));
	for (i = 0; i < t->ncols; i++)
		if (rollup_is_value_col(t, tc, i))
			cols[n++] = t->cols[i].name;
	if (n)
		rollup_triggers_sql(d, sql, t->name, tc, cols, n);
	free(cols);
}

/* Record kept (only ever later), make sure the triggers spare history,
 * and fold what the rollups lack, in the first batch's transaction. */
static int set_kept(struct store *s, const struct schema *schema,
		    const struct schema_table *t,
		    const struct schema_column *tc, int64_t kept,
		    struct hearth_err *err)
{
	const char *table = t->name;
	struct buf sql = BUF_INIT;
	struct store_stmt *st = NULL;
	int ret = -1;

	rollup_kept_sql(&sql);
	renew_triggers(store_sql(s), &sql, schema, t, tc);
	if (store_exec(s, sql.s, err) < 0)
		goto out;
	buf_reset(&sql);
	buf_addstr(&sql, "INSERT INTO " ROLLUP_KEPT " VALUES (?, ?) ON CONFLICT "
		   "(tbl) DO UPDATE SET kept_from = ");
	store_sql_min_max(store_sql(s), &sql, 1, ROLLUP_KEPT ".kept_from",
			  "excluded.kept_from");
	if (store_prepare(s, sql.s, &st, err) < 0)
		goto out;
	store_bind_text(st, 1, table, strlen(table));
	store_bind_int(st, 2, kept);
	if (store_step(st, err) < 0)
		goto out;
	if (store_sql_row_order(store_sql(s)) &&
	    rollup_catch_up(s, schema, table, err) < 0)
		goto out;
	ret = 0;
out:
	store_finalize(st);
	buf_release(&sql);
	return ret;
}

/* Delete t's rows before kept, a batch per transaction; *deleted. */
static int prune_table(struct store *s, const struct schema *schema,
		       const struct schema_table *t,
		       const struct schema_column *tc, int64_t kept,
		       int64_t max_rows, int64_t *deleted,
		       struct hearth_err *err)
{
	struct buf sql = BUF_INIT;
	struct store_stmt *st = NULL;
	int64_t n = RETENTION_BATCH;
	int nparams = 0, i, first = 1, ret = -1;

	*deleted = 0;
	delete_sql(store_sql(s), &sql, t->name, tc->name, tc->type, &nparams);
	while (n == RETENTION_BATCH && (!max_rows || *deleted < max_rows)) {
		if (store_begin_immediate(s, err) < 0)
			goto out;
		if (first && set_kept(s, schema, t, tc, kept, err) < 0)
			goto fail;
		first = 0;
		if (!st && store_prepare(s, sql.s, &st, err) < 0)
			goto fail;
		for (i = 1; i <= nparams; i++)
			store_bind_int(st, i, kept);
		store_bind_int(st, nparams + 1, RETENTION_BATCH);
		if (store_step(st, err) < 0)
			goto fail;
		n = store_changes(s);
		store_reset(st);
		if (store_commit(s, err) < 0)
			goto fail;
		*deleted += n;
	}
	ret = 0;
	goto out;
fail:
	store_rollback(s, NULL);
out:
	store_finalize(st);
	buf_release(&sql);
	if (ret < 0)
		err_prefix(err, "retention of %s", t->name);
	return ret;
}

/* The table and time column of rule r, checked: rows may be deleted only
 * where the rollups hold them (or there are no numbers to roll up). */
static int check_rule(struct store *s, const struct schema *schema,
		      const struct config *cfg, const struct rule *r,
		      const struct schema_table **t,
		      const struct schema_column **tc, struct hearth_err *err)
{
	*t = schema_find_table(schema, r->table);
	if (!*t || (*t)->internal)
		return err_set(err, "[retention] %s: no such table", r->table);
	*tc = schema_time_column(*t, config_get(cfg, "time_columns", r->table));
	if (!*tc)
		return err_set(err, "[retention] %s: the table has no time "
			       "column (name it in [time_columns])", r->table);
	if (!rollup_has_value_cols(*t, *tc))
		return 0;
	if (!rollup_supported(s, r->table, NULL))
		return err_set(err, "[retention] %s: the table has no rollups "
			       "(WITHOUT ROWID), so its old rows are its only "
			       "history", r->table);
	if (!rollup_current(schema, *t, *tc))
		return err_set(err, "[retention] %s: its rollups are not "
			       "current (run 'hearth rollup rebuild %s')",
			       r->table, r->table);
	return 0;
}

int retention_apply(struct store *s, const struct config *cfg,
		    int64_t max_rows, struct buf *log, struct hearth_err *err)
{
	struct rules rules = { NULL, 0, err };
	struct schema schema = SCHEMA_INIT;
	struct buf built = BUF_INIT;
	const struct schema_table **ts = NULL;
	const struct schema_column **tcs = NULL;
	int64_t now = timefmt_now(), freed, left, n;
	size_t i;
	int ret = -1;

	if (config_each(cfg, "retention", add_rule, &rules))
		goto out;
	if (!rules.n) {
		ret = 0;
		goto out;
	}
	if (rollup_ensure(s, cfg, &built, err) < 0)
		goto out;
	if (built.len)
		buf_addf(log, "built chart rollups of %s\n", built.s);
	if (store_introspect(s, &schema, err) < 0)
		goto out;
	ts = xcalloc(rules.n, sizeof(*ts));
	tcs = xcalloc(rules.n, sizeof(*tcs));
	for (i = 0; i < rules.n; i++)
		if (check_rule(s, &schema, cfg, &rules.v[i], &ts[i], &tcs[i],
			       err) < 0)
			goto out;
	for (i = 0; i < rules.n; i++) {
		/* On the hour: no bucket is part history, part rows. */
		int64_t kept = (now - rules.v[i].age) / 1000000;
		char when[40];

		kept -= kept % 3600;
		if (prune_table(s, &schema, ts[i], tcs[i], kept, max_rows, &n,
				err) < 0)
			goto out;
		timefmt_format(kept * 1000000, TIMEFMT_SQL, when, sizeof(when));
		buf_addf(log, "%s: %lld rows before %s UTC deleted, rollups "
			 "kept%s\n", ts[i]->name, (long long)n, when,
			 max_rows && n >= max_rows ? " (more at the next run)"
						   : "");
	}
	if (store_reclaim(s, &freed, &left, err) < 0)
		goto out;
	if (freed || left)
		buf_addf(log, "%lld free pages given back to the file system, "
			 "%lld left in the file%s\n", (long long)freed,
			 (long long)left,
			 left && !freed ? " (auto_vacuum is off: new rows reuse "
					  "them; a VACUUM would shrink the file)" : "");
	ret = 0;
out:
	for (i = 0; i < rules.n; i++)
		free(rules.v[i].table);
	free(rules.v);
	free(ts);
	free(tcs);
	schema_release(&schema);
	buf_release(&built);
	return ret;
}

int retention_check(const struct config *cfg, struct hearth_err *err)
{
	struct rules rules = { NULL, 0, err };
	int ret;
	size_t i;

	ret = config_each(cfg, "retention", add_rule, &rules) ? -1
	      : rules.n ? 0 : 1;
	for (i = 0; i < rules.n; i++)
		free(rules.v[i].table);
	free(rules.v);
	return ret;
}

int retention_kept_from(struct store *s, const char *table, int64_t *out,
			struct hearth_err *err)
{
	int64_t secs = 0;
	int rc = store_has_table(s, ROLLUP_KEPT, err);

	if (rc <= 0)
		return rc;
	rc = store_query_int(s, "SELECT kept_from FROM " ROLLUP_KEPT
			     " WHERE tbl = ?", &secs, err, table,
			     (const char *)NULL);
	if (rc > 0)
		*out = secs * 1000000;
	return rc;
}

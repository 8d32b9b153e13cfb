/*
 * rollup_follow.c - keeping the rollups in line with the tables when a
 * revision changes them (rollup.h).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rollup/rollup.h"
#include "rollup/rollup_impl.h"
#include "base/xalloc.h"

int rollup_exists(const struct schema *schema, const char *table)
{
	struct buf name = BUF_INIT;
	int found;

	rollup_table_name(&name, table, ROLLUP_MINUTE);
	found = schema_find_table(schema, name.s) != NULL;
	buf_release(&name);
	return found;
}

static int is_value_col(const struct schema_table *t,
			const struct schema_column *tc, const char *name)
{
	int k = schema_column_index(t, name);

	return k >= 0 && rollup_is_value_col(t, tc, (size_t)k);
}

/*
 * The value columns of t that its rollups (value columns cols) lack, into
 * *add (names borrowed from t), when those are all the rollups lack and
 * hold no value yet: then adding their (empty) buckets in place makes the
 * rollups whole.  1 when so, 0 when they must be rebuilt.
 */
static int extensible(struct store *s, const struct schema *schema,
		      const struct schema_table *t,
		      const struct schema_column *tc, char **cols,
		      size_t ncols, const char ***add, size_t *nadd,
		      struct hearth_err *err)
{
	const struct schema_table *m, *h;
	struct buf name = BUF_INIT, sql = BUF_INIT;
	size_t i, j;
	int64_t any = 0;
	int ret = 0;

	*add = xcalloc(t->ncols ? t->ncols : 1, sizeof(**add));
	*nadd = 0;
	rollup_table_name(&name, t->name, ROLLUP_MINUTE);
	m = schema_find_table(schema, name.s);
	buf_reset(&name);
	rollup_table_name(&name, t->name, ROLLUP_HOUR);
	h = schema_find_table(schema, name.s);
	if (!m || !h || h->ncols != m->ncols || m->ncols != 1 + 4 * ncols ||
	    !rollup_has_trigger(schema, t->name, "del") ||
	    !rollup_has_trigger(schema, t->name, "upd") ||
	    rollup_has_trigger(schema, t->name, "ins") !=
		    rollup_by_triggers(store_sql(s)))
		goto out;
	for (i = 0; i < ncols; i++)
		if (!is_value_col(t, tc, cols[i]))
			goto out;
	for (i = 0; i < t->ncols; i++) {
		if (!rollup_is_value_col(t, tc, i))
			continue;
		for (j = 0; j < ncols; j++)
			if (!strcasecmp(cols[j], t->cols[i].name))
				break;
		if (j == ncols)
			(*add)[(*nadd)++] = t->cols[i].name;
	}
	if (!*nadd)
		goto out;
	/* ADD COLUMN leaves them NULL; a revision may also have filled
	 * them. */
	buf_addstr(&sql, "SELECT EXISTS (SELECT 1 FROM ");
	store_quote_ident(&sql, t->name);
	buf_addstr(&sql, " WHERE ");
	for (i = 0; i < *nadd; i++) {
		buf_addstr(&sql, i ? " OR " : "");
		store_quote_ident(&sql, (*add)[i]);
		buf_addstr(&sql, " IS NOT NULL");
	}
	buf_addstr(&sql, ")");
	if (store_query_int(s, sql.s, &any, err, (const char *)NULL) < 0)
		ret = -1;
	else
		ret = !any;
out:
	buf_release(&name);
	buf_release(&sql);
	return ret;
}

/* Add the buckets of value columns add to t's rollups (value columns
 * cols), and the triggers that recompute them all. */
static int extend(struct store *s, const struct schema_table *t,
		  const struct schema_column *tc, char **cols, size_t ncols,
		  const char **add, size_t nadd, struct hearth_err *err)
{
	const char **all = xcalloc(ncols + nadd, sizeof(*all));
	struct buf sql = BUF_INIT, name = BUF_INIT;
	size_t i, j, lv;
	int ret;

	for (lv = 0; lv < 2; lv++) {
		buf_reset(&name);
		rollup_table_name(&name, t->name,
				  lv ? ROLLUP_HOUR : ROLLUP_MINUTE);
		for (i = 0; i < nadd; i++)
			for (j = 0; j < 4; j++) {
				buf_addstr(&sql, "ALTER TABLE ");
				store_quote_ident(&sql, name.s);
				buf_addstr(&sql, " ADD COLUMN ");
				rollup_agg_decl(store_sql(s), &sql, add[i], j);
				buf_addstr(&sql, ";");
			}
	}
	/* The rollup tables' order: theirs, then the new ones. */
	for (i = 0; i < ncols; i++)
		all[i] = cols[i];
	for (i = 0; i < nadd; i++)
		all[ncols + i] = add[i];
	rollup_triggers_sql(store_sql(s), &sql, t->name, tc, all, ncols + nadd);
	ret = store_exec(s, sql.s, err);
	free(all);
	buf_release(&sql);
	buf_release(&name);
	return ret;
}

/* t had rollups before the change, as b in before. */
static int follow(struct store *s, const struct schema *before,
		  const struct schema_table *b, const struct schema *after,
		  const struct schema_table *t, struct hearth_err *err)
{
	const struct schema_column *tc, *btc;
	char *time_col = NULL, **cols = NULL;
	const char **add = NULL;
	size_t ncols = 0, nadd = 0;
	int64_t upto;
	int rc, ret = -1;

	/* Where triggers keep the rollups there is no mark: they follow
	 * the table's own time column. */
	if (rollup_by_triggers(store_sql(s))) {
		const struct schema_column *c = schema_time_column(b, NULL);
		time_col = c ? xstrdup(c->name) : NULL;
		rc = c != NULL;
	} else {
		rc = rollup_mark_get(s, t->name, &time_col, &upto, err);
	}
	if (rc < 0)
		goto out;
	tc = schema_time_column(t, time_col);
	if (!tc)
		tc = schema_time_column(t, NULL);
	btc = schema_time_column(b, time_col);
	/* Stale already (a column dropped behind hearth's back, triggers of
	 * an older hearth): nothing to keep, whatever the change. */
	if (!tc || !rollup_supported(s, t->name, NULL) || rc != 1 || !btc ||
	    !rollup_current(before, b, btc)) {
		ret = rollup_drop(s, t->name, err);
		goto out;
	}
	/* A renamed time column leaves triggers that name the old one
	 * (PostgreSQL keeps them through the rename): never current. */
	if (rollup_current(after, t, tc) &&
	    (!time_col || !strcmp(tc->name, time_col))) {
		ret = 0;
		goto out;
	}
	rollup_columns(after, t->name, &cols, &ncols);
	rc = time_col && !strcmp(tc->name, time_col)
		     ? extensible(s, after, t, tc, cols, ncols, &add, &nadd, err)
		     : 0;
	if (rc < 0)
		goto out;
	/* Not rebuilt here: that is a GROUP BY over every row, which would
	 * make a revision cost several times its own copy.  Gone, they are
	 * never read stale; hearth serve builds them again as it starts. */
	ret = rc ? extend(s, t, tc, cols, ncols, add, nadd, err)
		 : rollup_drop(s, t->name, err);
out:
	if (ret < 0)
		err_prefix(err, "rollup of %s", t->name);
	free(time_col);
	free(add);
	rollup_columns_free(cols, ncols);
	return ret;
}

/* A table the change made: rollups if it is a series with numbers. */
static int build(struct store *s, const struct schema_table *t,
		 struct hearth_err *err)
{
	const struct schema_column *tc = schema_time_column(t, NULL);

	if (!tc || !rollup_has_value_cols(t, tc) ||
	    !rollup_supported(s, t->name, NULL))
		return 0;
	if (rollup_rebuild_tx(s, t, tc, NULL, err) < 0)
		return err_prefix(err, "rollup of %s", t->name);
	return 0;
}

int rollup_follow(struct store *s, const struct schema *before,
		  const struct schema *after, struct hearth_err *err)
{
	size_t i;

	for (i = 0; i < before->ntables; i++) {
		const struct schema_table *b = &before->tables[i], *t;

		if (b->internal || !rollup_exists(before, b->name))
			continue;
		t = schema_find_table(after, b->name);
		if (!t ? rollup_drop(s, b->name, err) < 0
		       : follow(s, before, b, after, t, err) < 0)
			return -1;
	}
	for (i = 0; i < after->ntables; i++) {
		const struct schema_table *t = &after->tables[i];

		if (!t->internal && !schema_find_table(before, t->name) &&
		    build(s, t, err) < 0)
			return -1;
	}
	return 0;
}

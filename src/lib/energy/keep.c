#include "energy/keep.h"
#include "energy/readings.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/timefmt.h"
#include "base/xalloc.h"
#include "chart/series.h"

#define SLOTS "hearth_energy"
#define STATE "hearth_energy_state"
#define DIRTY "hearth_energy_dirty"

/* Runs of changed slots closer than this are recomputed as one. */
#define JOIN_SLOTS 16

static int make_tables(struct store *s, struct hearth_err *err)
{
	int typed = store_sql_typed(store_sql(s));
	const char *i64 = typed ? "BIGINT" : "INTEGER";
	const char *dbl = typed ? "DOUBLE PRECISION" : "REAL";
	struct buf sql = BUF_INIT;
	int ret;

	buf_addf(&sql, "CREATE TABLE IF NOT EXISTS " SLOTS " (tbl TEXT NOT NULL, "
		 "col TEXT NOT NULL, b %s NOT NULL, wh %s NOT NULL, covered %s "
		 "NOT NULL, PRIMARY KEY (tbl, col, b));"
		 "CREATE TABLE IF NOT EXISTS " STATE " (tbl TEXT PRIMARY KEY, "
		 "spec TEXT NOT NULL, max_gap %s NOT NULL, upto %s NOT NULL);"
		 "CREATE TABLE IF NOT EXISTS " DIRTY " (tbl TEXT NOT NULL, b %s "
		 "NOT NULL, PRIMARY KEY (tbl, b));",
		 i64, dbl, dbl, i64, i64, i64);
	ret = store_create(s, sql.s, err);
	buf_release(&sql);
	return ret;
}

static void trigger_name(struct buf *b, const char *table, const char *kind)
{
	buf_addf(b, "hearth_energy_%s_%s", table, kind);
}

static int has_trigger(const struct schema *schema, const char *table,
		       const char *kind)
{
	struct buf n = BUF_INIT;
	size_t i;
	int found = 0;

	trigger_name(&n, table, kind);
	for (i = 0; i < schema->ntriggers && !found; i++)
		found = !strcasecmp(schema->triggers[i].name, n.s);
	buf_release(&n);
	return found;
}

/* The statement noting the slots of the rows `rows` (a subquery with
 * column s, unix seconds) in the dirty table. */
static void note_sql(struct buf *b, const char *lit, const char *rows)
{
	buf_addf(b, "INSERT INTO " DIRTY " (tbl, b) SELECT DISTINCT %s, "
		 "s / %d * %d FROM (%s) y WHERE s IS NOT NULL ON CONFLICT DO "
		 "NOTHING;", lit, ENERGY_SLOT, ENERGY_SLOT, rows);
}

/* Append to b the unix seconds of the time column qc of `from`. */
static void secs_of(const struct store_sql *d, struct buf *b,
		    const struct schema_column *tc, const char *ref)
{
	struct buf x = BUF_INIT;

	buf_addf(&x, "%s", ref);
	store_quote_ident(&x, tc->name);
	store_sql_unix_secs(d, b, x.s, tc->type);
	buf_release(&x);
}

/* The kinds of trigger, in make_triggers' order. */
static const char *const kinds[] = { "ins", "upd", "del" };

/* The body of the delete trigger where new rows are found by insertion
 * order: a delete of the newest rows lowers the mark to the newest row
 * left, as the rollups' does (rollup.h), since the database may give
 * their numbers to the next rows inserted, which must be above it.  A
 * delete of old rows (retention) changes nothing. */
static void lower_mark_sql(const struct store_sql *d, struct buf *b,
			   const char *table, const char *lit)
{
	struct buf newest = BUF_INIT;

	buf_addf(&newest, "(SELECT coalesce(max(%s), 0) FROM ",
		 store_sql_row_order(d));
	store_quote_ident(&newest, table);
	buf_addch(&newest, ')');
	buf_addf(b, "UPDATE " STATE " SET upto = %s WHERE tbl = %s AND upto > "
		 "%s;", newest.s, lit, newest.s);
	buf_release(&newest);
}

/* (Re)make table's triggers: per statement where the dialect has them
 * (INSERT and UPDATE), else per row for UPDATE, and for DELETE to keep
 * the mark below new rows (new rows are found by insertion order). */
static int make_triggers(struct store *s, const struct schema_table *t,
			 const struct schema_column *tc,
			 struct hearth_err *err)
{
	const struct store_sql *d = store_sql(s);
	struct buf sql = BUF_INIT, lit = BUF_INIT, n = BUF_INIT,
		   body = BUF_INIT, rows = BUF_INIT, probe = BUF_INIT,
		   note = BUF_INIT;
	int ret, k, set = store_sql_create_set_trigger(d, &probe, "x",
						       "INSERT", t->name, "");

	store_quote_string(&lit, t->name);
	for (k = 0; k < 3; k++) {
		buf_reset(&n);
		trigger_name(&n, t->name, kinds[k]);
		store_sql_drop_trigger(d, &sql, n.s, t->name);
		buf_addstr(&sql, "; ");
		buf_reset(&rows);
		buf_reset(&body);
		buf_reset(&note);
		if (set && k < 2) {
			buf_addstr(&rows, "SELECT ");
			secs_of(d, &rows, tc, "");
			buf_addstr(&rows, " AS s FROM hearth_new");
			if (k) {
				buf_addstr(&rows, " UNION ALL SELECT ");
				secs_of(d, &rows, tc, "");
				buf_addstr(&rows, " FROM hearth_old");
			}
			note_sql(&note, lit.s, rows.s);
			store_sql_trigger_guard(d, &body, note.s);
			store_sql_create_set_trigger(d, &sql, n.s,
						     k ? "UPDATE" : "INSERT",
						     t->name, body.s);
		} else if (!set && k == 1) {
			buf_addstr(&rows, "SELECT ");
			secs_of(d, &rows, tc, "OLD.");
			buf_addstr(&rows, " AS s UNION SELECT ");
			secs_of(d, &rows, tc, "NEW.");
			note_sql(&body, lit.s, rows.s);
			store_sql_create_trigger(d, &sql, n.s, "UPDATE", t->name,
						 body.s);
		} else if (!set && k == 2) {
			lower_mark_sql(d, &body, t->name, lit.s);
			store_sql_create_trigger(d, &sql, n.s, "DELETE", t->name,
						 body.s);
		} else {
			continue;
		}
		buf_addstr(&sql, ";");
	}
	ret = store_exec(s, sql.s, err);
	buf_release(&sql);
	buf_release(&lit);
	buf_release(&n);
	buf_release(&body);
	buf_release(&rows);
	buf_release(&probe);
	buf_release(&note);
	return ret;
}

static int triggers_there(struct store *s, const struct schema *schema,
			  const char *table)
{
	struct buf probe = BUF_INIT;
	int set = store_sql_create_set_trigger(store_sql(s), &probe, "x",
					       "INSERT", table, "");

	buf_release(&probe);
	return has_trigger(schema, table, "upd") &&
	       has_trigger(schema, table, set ? "ins" : "del");
}

static int store_slots(struct store *s, const char *table, const char *col,
		       const struct energy_slots *sl, int64_t a, int64_t b,
		       struct hearth_err *err)
{
	struct store_stmt *st = NULL;
	size_t i;

	if (store_cached(s, "DELETE FROM " SLOTS " WHERE tbl = ? AND col = ? "
			 "AND b >= ? AND b < ?", &st, err) < 0)
		return -1;
	store_bind_text(st, 1, table, strlen(table));
	store_bind_text(st, 2, col, strlen(col));
	store_bind_int(st, 3, a);
	store_bind_int(st, 4, b);
	if (store_step(st, err) < 0) {
		store_reset(st);
		return -1;
	}
	store_reset(st);
	if (store_cached(s, "INSERT INTO " SLOTS " (tbl, col, b, wh, covered) "
			 "VALUES (?, ?, ?, ?, ?)", &st, err) < 0)
		return -1;
	for (i = 0; i < sl->n; i++) {
		if (sl->v[i].b < a || sl->v[i].b >= b)
			continue;
		store_bind_text(st, 1, table, strlen(table));
		store_bind_text(st, 2, col, strlen(col));
		store_bind_int(st, 3, sl->v[i].b);
		store_bind_real(st, 4, sl->v[i].wh);
		store_bind_real(st, 5, sl->v[i].covered);
		if (store_step(st, err) < 0) {
			store_reset(st);
			return -1;
		}
		store_reset(st);
	}
	return 0;
}

/*
 * Move the run's edge *e (unix seconds; its start when before, else its
 * end) out to the slot of the nearest reading beyond it, when the pair
 * that reading makes with the run's may have added to slots outside the
 * run: when it is within max_gap of the edge, or, for counters, after
 * the run (a longer pair counts at its later reading).  *t gets the
 * reading beyond the edge, or where readings start or end when there is
 * none.  Not moving the edge further than that keeps the energy of
 * readings deleted beyond it (retention) where it is.
 */
static int edge(struct store *s, const struct schema *schema,
		const struct energy_spec *sp, const struct energy_col *c,
		int64_t max_gap, int before, int64_t *e, int64_t *t,
		struct hearth_err *err)
{
	int64_t x = 0, at = *e * US_PER_SEC;
	int rc = energy_readings_near(s, schema, sp->table, sp->time_col,
				      c->name, at, before, &x, err);

	if (rc > 0 && ((before ? at - x : x - at) <= max_gap ||
		       (!before && c->kind != ENERGY_POWER))) {
		*e = energy_slot_of(x) + (before ? 0 : ENERGY_SLOT);
		rc = energy_readings_near(s, schema, sp->table, sp->time_col,
					  c->name, *e * US_PER_SEC, before, &x,
					  err);
	}
	if (rc < 0)
		return -1;
	*t = rc ? x : before ? *e * US_PER_SEC : *e * US_PER_SEC - 1;
	return 0;
}

/*
 * Recompute the slots [a, b) (unix seconds; INT64_MIN and INT64_MAX for
 * no bound) of one column.  The run grows to the slots of the readings
 * just outside it whose pairs with the readings inside may have changed
 * slots outside it (edge), and the readings are read from the one before
 * the run to the one after, so that every pair touching a slot of the
 * run is seen.
 */
static int recompute(struct store *s, const struct schema *schema,
		     const struct energy_spec *sp, const struct energy_col *c,
		     int64_t max_gap, int64_t a, int64_t b,
		     struct hearth_err *err)
{
	struct energy_slots sl = ENERGY_SLOTS_INIT;
	int64_t t0 = SERIES_NO_BOUND, t1 = SERIES_NO_BOUND;
	int ret = -1;

	if ((a != INT64_MIN &&
	     edge(s, schema, sp, c, max_gap, 1, &a, &t0, err) < 0) ||
	    (b != INT64_MAX &&
	     edge(s, schema, sp, c, max_gap, 0, &b, &t1, err) < 0))
		goto out;
	if (energy_readings_integrate(s, schema, sp->table, sp->time_col, c,
				  max_gap, t0, t1, &sl, err) < 0 ||
	    store_slots(s, sp->table, c->name, &sl, a, b, err) < 0)
		goto out;
	ret = 0;
out:
	energy_slots_release(&sl);
	return ret;
}

/* What the slots were built from, as the state row keeps it. */
static void spec_text(struct buf *b, const struct schema_column *tc,
		      const struct energy_spec *sp)
{
	size_t i;

	/* The time column's name and type: a revision that renames or
	 * retypes it leaves triggers behind that note nothing (they are
	 * guarded), so the slots are built again. */
	buf_addf(b, "time=%s %s;gap=", tc->name, tc->type);
	if (sp->max_gap)
		buf_addf(b, "%lld", (long long)sp->max_gap);
	else
		buf_addstr(b, "auto");
	for (i = 0; i < sp->ncols; i++)
		buf_addf(b, ";%s=%s", sp->cols[i].name,
			 energy_kind_name(sp->cols[i].kind));
}

struct state {
	int found;
	char *spec;
	int64_t max_gap, upto;
};

static int state_get(struct store *s, const char *table, struct state *o,
		     struct hearth_err *err)
{
	struct store_stmt *st = NULL;
	int rc;

	memset(o, 0, sizeof(*o));
	if (store_cached(s, "SELECT spec, max_gap, upto FROM " STATE
			 " WHERE tbl = ?", &st, err) < 0)
		return -1;
	store_bind_text(st, 1, table, strlen(table));
	rc = store_step(st, err);
	if (rc == 1) {
		o->found = 1;
		o->spec = xstrdup(store_column_text(st, 0, NULL));
		o->max_gap = store_column_int(st, 1);
		o->upto = store_column_int(st, 2);
	}
	store_reset(st);
	return rc < 0 ? -1 : 0;
}

static int state_put(struct store *s, const char *table, const char *spec,
		     int64_t max_gap, int64_t upto, struct hearth_err *err)
{
	struct store_stmt *st = NULL;
	int ret = -1;

	if (store_cached(s, "INSERT INTO " STATE " (tbl, spec, max_gap, upto) "
			 "VALUES (?, ?, ?, ?) ON CONFLICT(tbl) DO UPDATE SET "
			 "spec = excluded.spec, max_gap = excluded.max_gap, "
			 "upto = excluded.upto", &st, err) < 0)
		return -1;
	store_bind_text(st, 1, table, strlen(table));
	store_bind_text(st, 2, spec, strlen(spec));
	store_bind_int(st, 3, max_gap);
	store_bind_int(st, 4, upto);
	if (store_step(st, err) >= 0)
		ret = 0;
	store_reset(st);
	return ret;
}

/* The number of table's newest row in insertion order (0 where rows
 * are not numbered: the triggers find new rows there). */
static int newest_row(struct store *s, const char *table, int64_t *out,
		      struct hearth_err *err)
{
	const char *ro = store_sql_row_order(store_sql(s));
	struct buf sql = BUF_INIT;
	int rc;

	*out = 0;
	if (!ro)
		return 0;
	buf_addf(&sql, "SELECT coalesce(max(%s), 0) FROM ", ro);
	store_quote_ident(&sql, table);
	rc = store_query_int(s, sql.s, out, err, (const char *)NULL);
	buf_release(&sql);
	return rc < 0 ? -1 : 0;
}

struct slot_set {
	int64_t *v;
	size_t n, alloc;
};

/* Append the integers the statement sql (parameters: text, then maybe
 * an integer) gives to set. */
static int collect_slots(struct store *s, const char *sql, const char *table,
			 int64_t after, struct slot_set *set,
			 struct hearth_err *err)
{
	struct store_stmt *st = NULL;
	int rc;

	if (store_prepare(s, sql, &st, err) < 0)
		return -1;
	if (table)
		store_bind_text(st, 1, table, strlen(table));
	else
		store_bind_int(st, 1, after);
	while ((rc = store_step(st, err)) == 1) {
		if (store_column_type(st, 0) == STORE_NULL)
			continue;
		XGROW(set->v, set->n + 1, set->alloc);
		set->v[set->n++] = store_column_int(st, 0);
	}
	store_finalize(st);
	return rc < 0 ? -1 : 0;
}

/* The slots changed since the last update: those the triggers noted
 * (taken out of the dirty table as they are read, so that a writer's
 * note made meanwhile stays for the next update), and on SQLite those of
 * the rows above the mark. */
static int changed_slots(struct store *s, const struct schema_table *t,
			 const struct schema_column *tc, int64_t upto,
			 struct slot_set *set, struct hearth_err *err)
{
	const struct store_sql *d = store_sql(s);
	struct buf sql = BUF_INIT;
	int ret = -1;

	if (collect_slots(s, "DELETE FROM " DIRTY " WHERE tbl = ? RETURNING b",
			  t->name, 0, set, err) < 0)
		goto out;
	if (store_sql_row_order(d)) {
		buf_addstr(&sql, "SELECT DISTINCT ");
		secs_of(d, &sql, tc, "");
		buf_addf(&sql, " / %d * %d FROM ", ENERGY_SLOT, ENERGY_SLOT);
		store_quote_ident(&sql, t->name);
		buf_addf(&sql, " WHERE %s > ?", store_sql_row_order(d));
		if (collect_slots(s, sql.s, NULL, upto, set, err) < 0)
			goto out;
	}
	if (set->n)
		qsort(set->v, set->n, sizeof(*set->v), energy_cmp_i64);
	ret = 0;
out:
	buf_release(&sql);
	return ret;
}

/* Anything to do: rows above the mark, or noted slots. */
static int anything_new(struct store *s, const char *table, int64_t upto,
			int64_t newest, struct hearth_err *err)
{
	int64_t n = 0;

	if (newest != upto)
		return 1;
	if (store_query_int(s, "SELECT count(*) FROM (SELECT 1 FROM " DIRTY
			    " WHERE tbl = ? LIMIT 1) x", &n, err, table,
			    (const char *)NULL) < 0)
		return -1;
	return n > 0;
}

static int check_spec(const struct schema *schema,
		      const struct energy_spec *sp,
		      const struct schema_table **t,
		      const struct schema_column **tc, struct hearth_err *err)
{
	size_t i;

	*t = schema_find_table(schema, sp->table);
	if (!*t || (*t)->internal)
		return err_set(err, "unknown table '%s'", sp->table);
	*tc = schema_time_column(*t, sp->time_col);
	if (!*tc)
		return err_set(err, "table %s has no time column", (*t)->name);
	if (!sp->ncols)
		return err_set(err, "table %s: no energy column", (*t)->name);
	for (i = 0; i < sp->ncols; i++) {
		const struct schema_column *c =
			schema_find_column(*t, sp->cols[i].name);
		enum schema_affinity a = c ? schema_affinity(c->type) : AFF_TEXT;

		if (!c)
			return err_set(err, "unknown column '%s' in table %s",
				       sp->cols[i].name, (*t)->name);
		if (c == *tc || (a != AFF_INTEGER && a != AFF_REAL &&
				 a != AFF_NUMERIC))
			return err_set(err, "column %s.%s is not a number",
				       (*t)->name, c->name);
	}
	return 0;
}

/* Run sql, a statement taking table's name. */
static int clear(struct store *s, const char *sql, const char *table,
		 struct hearth_err *err)
{
	struct store_stmt *st = NULL;
	int rc;

	if (store_cached(s, sql, &st, err) < 0)
		return -1;
	store_bind_text(st, 1, table, strlen(table));
	rc = store_step(st, err);
	store_reset(st);
	return rc < 0 ? -1 : 0;
}

static int update_tx(struct store *s, const struct schema *schema,
		     const struct energy_spec *sp,
		     const struct schema_table *t,
		     const struct schema_column *tc, const char *spec,
		     int full, const struct state *old, int64_t *max_gap,
		     struct hearth_err *err)
{
	struct slot_set set = { NULL, 0, 0 };
	int64_t newest = 0, gap = old->max_gap;
	size_t i, j, k;
	int ret = -1;

	if (newest_row(s, t->name, &newest, err) < 0)
		goto out;
	if (!full && changed_slots(s, t, tc, old->upto, &set, err) < 0)
		goto out;
	/* A gap not yet known (too few readings when built) is worked out
	 * again, from all the readings. */
	if (!full && !sp->max_gap && !gap && set.n)
		full = 1;
	if (full) {
		if (make_triggers(s, t, tc, err) < 0 ||
		    (!(gap = sp->max_gap) &&
		     energy_readings_usual_gap(s, schema, sp->table,
					       sp->time_col, sp->cols[0].name,
					       &gap, err) < 0) ||
		    clear(s, "DELETE FROM " SLOTS " WHERE tbl = ?", t->name,
			  err) < 0 ||
		    clear(s, "DELETE FROM " DIRTY " WHERE tbl = ?", t->name,
			  err) < 0)
			goto out;
		for (k = 0; k < sp->ncols; k++)
			if (recompute(s, schema, sp, &sp->cols[k], gap,
				      INT64_MIN, INT64_MAX, err) < 0)
				goto out;
	}
	/* Changed slots in runs, each recomputed once per column. */
	for (i = 0; !full && i < set.n; i = j) {
		for (j = i + 1; j < set.n &&
				set.v[j] - set.v[j - 1] <= JOIN_SLOTS * ENERGY_SLOT;
		     j++)
			;
		for (k = 0; k < sp->ncols; k++)
			if (recompute(s, schema, sp, &sp->cols[k], gap, set.v[i],
				      set.v[j - 1] + ENERGY_SLOT, err) < 0)
				goto out;
	}
	if (state_put(s, t->name, spec, gap, newest, err) < 0)
		goto out;
	if (max_gap)
		*max_gap = gap;
	ret = 0;
out:
	free(set.v);
	return ret;
}

int energy_keep_update(struct store *s, const struct schema *schema,
		       const struct energy_spec *sp, int rebuild,
		       int64_t *max_gap, struct hearth_err *err)
{
	const struct schema_table *t = NULL;
	const struct schema_column *tc = NULL;
	struct state old;
	struct buf spec = BUF_INIT;
	int64_t newest = 0;
	int full, rc, ret = -1;

	memset(&old, 0, sizeof(old));
	if (check_spec(schema, sp, &t, &tc, err) < 0)
		return -1;
	if (!store_sql_create_set_trigger(store_sql(s), &spec, "x", "INSERT",
					  t->name, "") &&
	    !store_has_row_order(s, t->name, NULL)) {
		buf_release(&spec);
		return err_set(err, "table %s has no rowid (WITHOUT ROWID): "
			       "energy cannot follow its new rows", t->name);
	}
	buf_reset(&spec);
	spec_text(&spec, tc, sp);
	if ((!schema_find_table(schema, STATE) && make_tables(s, err) < 0) ||
	    state_get(s, t->name, &old, err) < 0)
		goto out;
	full = rebuild || !old.found || strcmp(old.spec, spec.s) ||
	       !triggers_there(s, schema, t->name);
	if (!full) {
		if (newest_row(s, t->name, &newest, err) < 0 ||
		    (rc = anything_new(s, t->name, old.upto, newest, err)) < 0)
			goto out;
		if (!rc) {
			if (max_gap)
				*max_gap = old.max_gap;
			ret = 0;
			goto out;
		}
	}
	/* One updater at a time (PostgreSQL's writers run side by side):
	 * two would both make the same slots. */
	if (store_begin_immediate(s, err) < 0)
		goto out;
	if (store_lock(s, "hearth_energy", err) < 0 ||
	    update_tx(s, schema, sp, t, tc, spec.s, full, &old, max_gap,
		      err) < 0 ||
	    store_commit(s, err) < 0) {
		store_rollback(s, NULL);
		goto out;
	}
	ret = 0;
out:
	if (ret < 0)
		err_prefix(err, "energy of %s", sp->table);
	free(old.spec);
	buf_release(&spec);
	return ret;
}

int energy_keep_read(struct store *s, const char *table, const char *col,
		     int64_t b0, int64_t b1, struct energy_slots *out,
		     struct hearth_err *err)
{
	struct store_stmt *st = NULL;
	int rc, ret = -1;

	if (store_prepare(s, "SELECT b, wh, covered FROM " SLOTS " WHERE tbl = ? "
			  "AND col = ? AND b >= ? AND b < ? ORDER BY b", &st,
			  err) < 0)
		return -1;
	store_few_rows(st);
	store_bind_text(st, 1, table, strlen(table));
	store_bind_text(st, 2, col, strlen(col));
	store_bind_int(st, 3, b0);
	store_bind_int(st, 4, b1);
	while ((rc = store_step(st, err)) == 1)
		energy_slots_add(out, store_column_int(st, 0),
				 store_column_real(st, 1),
				 store_column_real(st, 2));
	if (rc == 0)
		ret = 0;
	store_finalize(st);
	return ret;
}

int energy_keep_drop(struct store *s, const char *table,
		     struct hearth_err *err)
{
	const struct store_sql *d = store_sql(s);
	struct buf sql = BUF_INIT, n = BUF_INIT, lit = BUF_INIT;
	int k, rc, ret = -1;

	if ((rc = store_has_table(s, STATE, err)) <= 0)
		return rc;
	for (k = 0; k < 3; k++) {
		buf_reset(&n);
		trigger_name(&n, table, kinds[k]);
		store_sql_drop_trigger(d, &sql, n.s, table);
		buf_addstr(&sql, ";");
	}
	store_quote_string(&lit, table);
	buf_addf(&sql, "DELETE FROM " SLOTS " WHERE tbl = %s; DELETE FROM "
		 STATE " WHERE tbl = %s; DELETE FROM " DIRTY " WHERE tbl = %s;",
		 lit.s, lit.s, lit.s);
	if (store_exec(s, sql.s, err) == 0)
		ret = 0;
	buf_release(&sql);
	buf_release(&n);
	buf_release(&lit);
	return ret;
}

/*
 * rollup.h - per-minute and per-hour aggregates of series tables.
 *
 * The rollup folder owns these aggregates: their tables, mark and
 * triggers, folding rows in (rollup_fold.c, rollup_acc.c) and following
 * schema changes (rollup_follow.c).  It may call store/ and base/; it must
 * not know the parsers, migrations, charts or HTTP that use it.
 *
 * For a series table T with value columns c1..cn, the rollup tables
 * hearth_rollup_T_m and hearth_rollup_T_h hold, per bucket start b (unix
 * seconds, UTC), "c:min", "c:max", "c:sum" and "c:n" of each column.
 * Charts of long windows read them instead of millions of rows.
 *
 * The rollups hold exactly the rows up to a mark: T's row in
 * hearth_rollup_mark (tbl, time_col, upto) says every row with a rowid up
 * to `upto` is folded in and none after.  Rows get rowids in insertion
 * order, so a new row is simply above the mark until someone folds it:
 * inserts cost nothing extra (a per-row trigger would triple the cost of
 * every insert, hearth's or another program's).  hearth's writers fold
 * what they write in the same transaction (rollup_catch_up, or
 * rollup_acc for rows they hold in memory), and charts catch up first
 * (rollup_refresh), so rows other programs insert are folded when they
 * are next charted.  Deletes and updates are rarer and must take effect
 * at once: AFTER DELETE and UPDATE triggers (_del, _upd) recompute the
 * buckets of the rows they touch from the rows up to the mark, and a
 * delete of the newest rows lowers the mark, so their rowids, when SQLite
 * hands them out again, are above it.
 *
 * rollup_rebuild recomputes everything (when columns were added, or for a
 * table that had none).  All names start with hearth_, so the migration
 * diff ignores them.  Tables WITHOUT ROWID have no rollups: their charts
 * read rows.
 */
#ifndef HEARTH_ROLLUP_H
#define HEARTH_ROLLUP_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/err.h"
#include "store/schema.h"
#include "store/store.h"

enum rollup_level { ROLLUP_RAW, ROLLUP_MINUTE, ROLLUP_HOUR };

/* rollup_width: the bucket width in microseconds (0 for raw). */
int64_t rollup_width(enum rollup_level lv);
/* rollup_level_name: "raw", "minute", "hour". */
const char *rollup_level_name(enum rollup_level lv);
/* rollup_choose: the coarsest level whose buckets are no wider than a
 * chart column of col_width microseconds. */
enum rollup_level rollup_choose(int64_t col_width);

/* rollup_is_value_col: column i of t is a charted number: INTEGER, REAL
 * or NUMERIC affinity, not the time column tc, not in the primary key. */
int rollup_is_value_col(const struct schema_table *t,
			const struct schema_column *tc, size_t i);

/* rollup_has_value_cols: t has a column rollup_is_value_col takes. */
int rollup_has_value_cols(const struct schema_table *t,
			  const struct schema_column *tc);

/* rollup_agg_col: append the quoted rollup column "col:agg" to b. */
void rollup_agg_col(struct buf *b, const char *col, const char *agg);

/* rollup_table_name: append the (unquoted) rollup table name to b. */
void rollup_table_name(struct buf *b, const char *table,
		       enum rollup_level lv);

/* rollup_ready: 1 when, in schema, the level's table holds every value
 * column of t and no other, the mark table exists, and the delete and
 * update triggers are the ones hearth makes now (no per-row insert
 * trigger of older hearths), else 0. */
int rollup_ready(const struct schema *schema, const struct schema_table *t,
		 const struct schema_column *tc, enum rollup_level lv);
/* rollup_current: rollup_ready at both levels (the mark and triggers
 * checked once). */
int rollup_current(const struct schema *schema, const struct schema_table *t,
		   const struct schema_column *tc);

/*
 * rollup_rebuild: (re)create both rollup tables, the triggers and the
 * mark of table, filled from every row, in one transaction.  time_col as for
 * series_select.  *buckets (may be NULL) gets the number of minute
 * buckets written.  Tables without value columns get none (0, nothing
 * done).
 */
int rollup_rebuild(struct store *s, const struct schema *schema,
		   const char *table, const char *time_col, int64_t *buckets,
		   struct hearth_err *err);

/* rollup_ensure: build the rollups of every series table that has value
 * columns and no current rollups (missing, or missing a column); the
 * names of the tables built are appended to built, comma-separated.
 * [time_columns] in cfg (may be NULL) names time columns. */
int rollup_ensure(struct store *s, const struct config *cfg,
		  struct buf *built, struct hearth_err *err);

/*
 * rollup_follow: after a schema change in the caller's transaction
 * (before: the schema it started from; after: the schema now), bring the
 * rollups in line, so that charts never read stale buckets and new
 * tables are fast to chart at once, without work in proportion to the
 * rows of tables that had rollups.  Rows above a table's mark need not be
 * folded first: they keep their numbers, or the rollups go.
 *  - a table that is gone loses its rollups and mark;
 *  - a table with rollups that gained value columns, all NULL (ADD
 *    COLUMN), gets their (empty) buckets added in place: one scan of
 *    the table to see that they are NULL, rather than a rebuild; its
 *    mark stays, and the rows above it are folded later, as ever;
 *  - a table with rollups that no longer match otherwise (columns
 *    dropped, renamed, retyped or filled), or that the change rebuilt
 *    (copied into a new table: hearth's triggers on it are gone, and
 *    the rows may be numbered afresh), loses them: charts read its rows
 *    until rollup_ensure (hearth serve, as it starts and when the
 *    schema changes) or rollup_rebuild makes them again;
 *  - a new series table with value columns gets them built.
 * Tables that had no rollups before are left to rollup_ensure.
 */
int rollup_follow(struct store *s, const struct schema *before,
		  const struct schema *after, struct hearth_err *err);

/* rollup_exists: schema holds rollup tables of table (current or not). */
int rollup_exists(const struct schema *schema, const char *table);

/* rollup_drop: remove the rollup tables, triggers and mark of table, if
 * any. */
int rollup_drop(struct store *s, const char *table, struct hearth_err *err);

/*
 * rollup_select: prepare SELECT b, then "c:min", "c:max", "c:sum", "c:n"
 * for each of cols, of the buckets starting within [t0, t1] (UTC
 * microseconds), oldest first.  The statement is the caller's.
 */
int rollup_select(struct store *s, const char *table, enum rollup_level lv,
		  const char *const *cols, size_t ncols, int64_t t0,
		  int64_t t1, struct store_stmt **out, struct hearth_err *err);

/*
 * Folding.  Each runs in the caller's transaction (which must hold the
 * write lock: BEGIN IMMEDIATE) unless it says otherwise; tables without
 * rollups are left alone (0).  schema is the database's, as introspected
 * in this transaction or before it with no schema change since.
 */

/* rollup_catch_up: fold the rows of table above its mark into the buckets
 * and move the mark to the newest row; every table with rollups when
 * table is NULL.  Costs two lookups when nothing is above the mark. */
int rollup_catch_up(struct store *s, const struct schema *schema,
		    const char *table, struct hearth_err *err);

/* rollup_refresh: rollup_catch_up in a transaction of its own, taken only
 * when rows are above the mark: for readers, before they read rollups.
 * An error (a read-only database, say) means the rollups may be behind. */
int rollup_refresh(struct store *s, const struct schema *schema,
		   const char *table, struct hearth_err *err);

/* rollup_mark_reset: move table's mark to its newest row, once every row
 * is in the buckets (built from all rows, folded, or stored from the
 * accumulators of the rows just written). */
int rollup_mark_reset(struct store *s, const char *table,
		      struct hearth_err *err);

/*
 * rollup_acc: buckets of rows a loader holds in memory, aggregated in C
 * before the write lock is taken, so that storing them costs one upsert
 * per bucket instead of reading the rows back.  Use: rollup_acc_new,
 * rollup_acc_col to map columns, then per row rollup_acc_row and
 * rollup_acc_add for each rolled-up value; then
 * in the transaction: rollup_catch_up(table) before the rows are
 * inserted, the inserts, rollup_acc_store.  The aggregates are those
 * SQL's min, max, sum and count would give over the same rows in the same
 * order.
 */
struct rollup_acc;

/* rollup_acc_new: an empty accumulator for table's rollups as schema has
 * them (the columns of its minute table), or NULL when it has none, or
 * when its rows may update stored ones (a table with a key, which
 * hearth's writers upsert):
 * those are folded from the table instead (rollup_accs_put). */
struct rollup_acc *rollup_acc_new(const struct schema *schema,
				  const char *table);
void rollup_acc_free(struct rollup_acc *a);
/* rollup_acc_clear: no buckets, as new (for the next batch of rows). */
void rollup_acc_clear(struct rollup_acc *a);
/* rollup_acc_col: the accumulator's index of value column col, -1 when
 * col is not rolled up. */
int rollup_acc_col(const struct rollup_acc *a, const char *col);
/* rollup_acc_row: start a row at time t (UTC microseconds); its bucket
 * exists from now on, even if all its values are NULL, as in SQL.  Rows
 * without a time are in no bucket: do not add them. */
void rollup_acc_row(struct rollup_acc *a, int64_t t);
/* rollup_acc_add: one value of the current row for column index col:
 * STORE_INT or STORE_REAL; anything else is NULL and counts nowhere. */
void rollup_acc_add(struct rollup_acc *a, int col, enum store_type type,
		    int64_t i, double r);
/* rollup_acc_store: merge the buckets into the rollup tables and move the
 * mark to the newest row; see above for the order of calls.  A table
 * without a mark (rollups of an older hearth) is left alone. */
int rollup_acc_store(struct rollup_acc *a, struct store *s,
		     struct hearth_err *err);

/* rollup_accs: the accumulators of every table a loader writes, made at
 * first sight.  Zero-initialise (ROLLUP_ACCS_INIT). */
struct rollup_accs {
	char **tables;
	struct rollup_acc **v; /* NULL: no rollups, or a table with a key */
	size_t n;
	const struct schema *schema; /* the one rollup_accs_get was given */
};
#define ROLLUP_ACCS_INIT { NULL, NULL, 0, NULL }

/* rollup_accs_get: table's accumulator, NULL when it has no rollups. */
struct rollup_acc *rollup_accs_get(struct rollup_accs *set,
				   const struct schema *schema,
				   const char *table);
/* rollup_accs_put: rollup_acc_store for each, rollup_catch_up for the
 * tables without an accumulator; the set stays as it is, to be put again
 * if this transaction is rolled back. */
int rollup_accs_put(const struct rollup_accs *set, struct store *s,
		    struct hearth_err *err);
/* rollup_accs_clear: every accumulator empty, kept for the next rows of
 * the same tables.  rollup_accs_release: free every accumulator (the
 * rows were not stored, or were). */
void rollup_accs_clear(struct rollup_accs *set);
void rollup_accs_release(struct rollup_accs *set);

#endif

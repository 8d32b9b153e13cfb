/*
 * rollup_impl.h - what rollup.c, rollup_fold.c and rollup_acc.c share;
 * not for other callers (rollup.h is the API).
 */
#ifndef HEARTH_ROLLUP_IMPL_H
#define HEARTH_ROLLUP_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "store/schema.h"
#include "store/store.h"

/* The mark table: (tbl TEXT PRIMARY KEY, time_col TEXT, upto INTEGER). */
#define ROLLUP_MARK "hearth_rollup_mark"

/*
 * The retention table: (tbl TEXT PRIMARY KEY, kept_from INTEGER), unix
 * seconds from which table's raw rows are kept (retention.h).  Before
 * it the rollups are the history: the delete and update triggers leave
 * the buckets of rows before it alone, so deleting those rows takes
 * nothing from the rollups.  The triggers read it, so it is made with
 * them (rollup_kept_sql).
 */
#define ROLLUP_KEPT "hearth_retention"

/* rollup_kept_sql: append the statement (ending in ';') that makes the
 * retention table when it is missing. */
void rollup_kept_sql(struct buf *b);

/* rollup_kept_from_sql: append an expression for table's kept_from, the
 * lowest integer when none is set. */
void rollup_kept_from_sql(struct buf *b, const char *table);

/* rollup_keep_save: in a rebuild's transaction, before the old rollup
 * tables are dropped: copy table's buckets before its kept_from to
 * temporary tables; 1 and *kept set when it has a kept_from and
 * rollups, 0 when there is nothing to keep, -1.  rollup_keep_restore:
 * once the new tables are filled from the rows, put those buckets back
 * in place of what the rows gave before kept, for the value columns
 * (cols) the copies have, and drop the copies. */
int rollup_keep_save(struct store *s, const char *table, int64_t *kept,
		     struct hearth_err *err);
int rollup_keep_restore(struct store *s, const char *table, int64_t kept,
			const char *const *cols, size_t ncols,
			struct hearth_err *err);

/* The four aggregates of each value column, in rollup-table order. */
extern const char *const rollup_aggs[4];

/* rollup_has_trigger: table has hearth's rollup trigger of kind ("ins",
 * "del", "upd") in schema.  "ins" is the per-row insert trigger of older
 * hearths, which folds rows itself. */
int rollup_has_trigger(const struct schema *schema, const char *table,
		       const char *kind);

/* rollup_columns: the value columns table's rollups hold, read from its
 * minute table in schema ("c:min" gives c), in that table's order; *cols
 * is NULL and *ncols 0 when there is no minute table.  Free with
 * rollup_columns_free. */
void rollup_columns(const struct schema *schema, const char *table,
		    char ***cols, size_t *ncols);
void rollup_columns_free(char **cols, size_t ncols);

/* rollup_columns_match: the rollups of t (time column time_col, NULL to
 * skip it; value columns cols) still match t.  After a migration renamed
 * or dropped one of those columns they do not, and are left alone (not
 * folded into) until rebuilt: a stale rollup must never make a write
 * fail. */
int rollup_columns_match(const struct schema_table *t, const char *time_col,
			 char **cols, size_t ncols);

/* rollup_merge_sql: append to sql the upsert of source's rows (b, then
 * "c:min", "c:max", "c:sum", "c:n" of each of cols) into rollup table
 * rname, merged with the bucket already there as one more batch of rows
 * would be, in dialect d.  source is a SELECT ending in WHERE or GROUP BY
 * (so SQLite does not read ON CONFLICT as a join constraint) or a VALUES
 * list. */
void rollup_merge_sql(const struct store_sql *d, struct buf *sql,
		      const char *rname, const char *const *cols,
		      size_t ncols, const char *source);

/* rollup_agg_decl: append the declaration of rollup column "col:agg"
 * (agg indexes rollup_aggs), as in a CREATE TABLE or an ADD COLUMN, in
 * dialect d. */
void rollup_agg_decl(const struct store_sql *d, struct buf *b,
		     const char *col, size_t agg);

/* rollup_mark_get: table's mark: its time column (malloc'd, the caller
 * frees) and upto.  1, or 0 when it has none (*time_col NULL). */
int rollup_mark_get(struct store *s, const char *table, char **time_col,
		    int64_t *upto, struct hearth_err *err);

/* rollup_triggers_sql: append the statements that (re)create table's
 * triggers (time column tc) in dialect d, for value columns cols in the
 * order of its rollup tables: the delete and update triggers of the
 * mark's way, where rollups follow rows in insertion order
 * (store_has_row_order), or the three of rollup_trig.c's. */
void rollup_triggers_sql(const struct store_sql *d, struct buf *sql,
			 const char *table, const struct schema_column *tc,
			 const char *const *cols, size_t ncols);

/* rollup_agg_call: append fn(x), an aggregate of rollup_aggs (or count),
 * in dialect d: where columns are typed, sums are of doubles, as SQLite's
 * are (PostgreSQL sums a REAL column in single precision). */
void rollup_agg_call(const struct store_sql *d, struct buf *b,
		     const char *fn, const char *x);

/* rollup_buckets_sql: append the SELECT of the buckets (width seconds)
 * of the rows of `rows` (a table, quoted, or a statement's rows): b,
 * then the four aggregates of each of value columns cols, in table
 * order; the time column is tc. */
void rollup_buckets_sql(const struct store_sql *d, struct buf *b,
			const char *rows, const struct schema_column *tc,
			const char *const *cols, size_t ncols, int width);

/* rollup_by_triggers: in dialect d, rollups are kept by triggers that run
 * once per statement (rollup_trig.c), not by a mark on insertion order
 * (no store_sql_row_order: PostgreSQL). */
int rollup_by_triggers(const struct store_sql *d);
/* rollup_trig_sql: rollup_triggers_sql of rollup_trig.c's way. */
void rollup_trig_sql(const struct store_sql *d, struct buf *sql,
		     const char *table, const struct schema_column *tc,
		     const char *const *cols, size_t ncols);
/* rollup_trig_current: t has the three triggers of rollup_trig.c. */
int rollup_trig_current(const struct schema *schema,
			const struct schema_table *t);
/* rollup_supported: table can have rollups in s: kept by triggers, or it
 * numbers its rows (not WITHOUT ROWID); else 0, why (may be NULL) says
 * so. */
int rollup_supported(struct store *s, const char *table,
		     struct hearth_err *why);

/* rollup_rebuild_tx: rollup_rebuild of t (time column tc, with rowids) in
 * the caller's transaction.  A table without value columns loses its
 * rollups and mark. */
int rollup_rebuild_tx(struct store *s, const struct schema_table *t,
		      const struct schema_column *tc, int64_t *buckets,
		      struct hearth_err *err);
#endif

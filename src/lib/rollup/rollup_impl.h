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
 * (agg indexes rollup_aggs), as in a CREATE TABLE or an ADD COLUMN. */
void rollup_agg_decl(struct buf *b, const char *col, size_t agg);

/* rollup_mark_get: table's mark: its time column (malloc'd, the caller
 * frees) and upto.  1, or 0 when it has none (*time_col NULL). */
int rollup_mark_get(struct store *s, const char *table, char **time_col,
		    int64_t *upto, struct hearth_err *err);

/* rollup_triggers_sql: append the statements that (re)create table's
 * delete and update triggers, in dialect d, for value columns cols in the
 * order of its rollup tables.  Rollups follow rows in insertion order
 * (store_has_row_order): a table without it has none. */
void rollup_triggers_sql(const struct store_sql *d, struct buf *sql,
			 const char *table, const char *time_col,
			 const char *const *cols, size_t ncols);

/* rollup_rebuild_tx: rollup_rebuild of t (time column tc, with rowids) in
 * the caller's transaction.  A table without value columns loses its
 * rollups and mark. */
int rollup_rebuild_tx(struct store *s, const struct schema_table *t,
		      const struct schema_column *tc, int64_t *buckets,
		      struct hearth_err *err);
#endif

/*
 * rollup.h - per-minute and per-hour aggregates of series tables.
 *
 * For a series table T with value columns c1..cn, the rollup tables
 * hearth_rollup_T_m and hearth_rollup_T_h hold, per bucket start b (unix
 * seconds, UTC), "c:min", "c:max", "c:sum" and "c:n" of each column.  An
 * AFTER INSERT trigger, hearth_rollup_T_ins, folds each new row into both,
 * so they stay current as readings arrive; AFTER DELETE and UPDATE
 * triggers (_del, _upd) recompute the buckets of the rows they touch.
 * rollup_rebuild recomputes everything (when columns were added, or for
 * rows written while the rollups did not exist).  Charts of long windows read them instead
 * of millions of rows.  All names start with hearth_, so the migration
 * diff ignores them.
 */
#ifndef HEARTH_ROLLUP_H
#define HEARTH_ROLLUP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"
#include "err.h"
#include "schema.h"
#include "store.h"

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

/* rollup_agg_col: append the quoted rollup column "col:agg" to b. */
void rollup_agg_col(struct buf *b, const char *col, const char *agg);
/* rollup_secs_sql: append an SQL expression for the unix seconds of the
 * time column qcol (quoted), stored as a number or as ISO text; NULL when
 * it is neither. */
void rollup_secs_sql(struct buf *b, const char *qcol);

/* rollup_table_name: append the (unquoted) rollup table name to b. */
void rollup_table_name(struct buf *b, const char *table,
		       enum rollup_level lv);

/* rollup_ready: 1 when the level's table (with every value column of t)
 * and the insert trigger exist in schema, else 0. */
int rollup_ready(const struct schema *schema, const struct schema_table *t,
		 const struct schema_column *tc, enum rollup_level lv);

/*
 * rollup_rebuild: (re)create both rollup tables and the trigger of table,
 * filled from every row, in one transaction.  time_col as for
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

/* rollup_drop: remove the rollup tables and trigger of table, if any. */
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
 * Bulk loads.  The insert trigger costs two upserts per row, which triples
 * the time of a large import.  Inside the loader's transaction,
 * rollup_bulk_add drops the insert trigger of a table about to receive
 * many rows; rollup_bulk_finish, still in that transaction, merges the
 * aggregates of the rows written since (read by rowid) into the buckets,
 * as the trigger would have row by row, and recreates the trigger.  A rollback undoes both, so the rollups are never
 * left behind the table.  Tables without rollups (or without rowids) are
 * left alone and keep their triggers.
 */
struct rollup_bulk;

struct rollup_bulk *rollup_bulk_new(void);
/* rollup_bulk_free: frees rb; call rollup_bulk_finish or roll back first. */
void rollup_bulk_free(struct rollup_bulk *rb);
/* rollup_bulk_add: no-op when table is already in rb. */
int rollup_bulk_add(struct rollup_bulk *rb, struct store *s,
		    const struct schema *schema, const char *table,
		    const char *time_col, struct hearth_err *err);
/* rollup_bulk_finish: fold and re-arm every table added; rb is empty
 * afterwards, ready for the next transaction. */
int rollup_bulk_finish(struct rollup_bulk *rb, struct store *s,
		       struct hearth_err *err);
/* rollup_bulk_forget: after a rollback (which restored the triggers). */
void rollup_bulk_forget(struct rollup_bulk *rb);

#endif

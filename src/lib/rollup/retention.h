/*
 * retention.h - raw rows older than a table's [retention] age deleted,
 * its rollups kept: `[retention] readings = 400d` keeps 400 days of
 * readings row by row, and the minute and hour buckets of every row ever
 * stored, so that long charts still draw and energy figures still add up.
 *
 * A table's kept_from (unix seconds, on the hour) says from when its raw
 * rows are kept; before it, the rollups are the history.  The rollup
 * triggers leave the buckets of rows before it alone (rollup_impl.h), and
 * a rebuild of the rollups keeps those buckets (rollup_keep.c): deleting
 * rows can never take from the rollups.  Rows are deleted in batches of
 * RETENTION_BATCH, each its own short write transaction, so writers wait
 * for one batch at most.  The newest row of a table always stays (SQLite
 * would give its rowid to the next row, below the rollups' mark).
 *
 * Times: rows are found through the time column's index.  On SQLite a
 * text time written with a 'T' sorts after the same day's times written
 * with a space: such rows of the day kept_from falls on go the next day.
 */
#ifndef HEARTH_RETENTION_H
#define HEARTH_RETENTION_H

#include <stdint.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/err.h"
#include "store/store.h"

#define RETENTION_BATCH 1000

/*
 * retention_apply: apply every [retention] TABLE = AGE of cfg (ages as
 * 400d, 52w, 1y), then give the freed space back (store_reclaim).  The
 * rollups are built first where missing.  At most max_rows rows of each
 * table go in one call (0: no limit), so that a server's first run over
 * years of rows does not hold it for long; the rest go at the next.
 * What was done is appended to log, a line per table and one for the
 * space.  A table or age that is not valid is an error naming it, before
 * anything is deleted.
 */
int retention_apply(struct store *s, const struct config *cfg,
		    int64_t max_rows, struct buf *log, struct hearth_err *err);

/* retention_check: the [retention] rules of cfg: 1 when there are none,
 * 0 when their ages are valid (tables are checked by retention_apply),
 * -1 naming the first bad one. */
int retention_check(const struct config *cfg, struct hearth_err *err);

/* retention_kept_from: 1 and *out (UTC microseconds) when raw rows of
 * table before *out were deleted (only rollups hold that time), 0 when
 * none were, -1. */
int retention_kept_from(struct store *s, const char *table, int64_t *out,
			struct hearth_err *err);

#endif

/*
 * keep.h - the energy of each configured column per quarter-hour slot,
 * kept in the database and brought up to date before it is read.
 *
 * Integration is not like min, max or sum: a reading inserted between two
 * others changes the pair they made, so the rollups (rollup.h) cannot
 * hold it.  Instead, for a table T:
 *
 *   hearth_energy (tbl, col, b, wh, covered)   the slots (integ.h)
 *   hearth_energy_state (tbl, spec, max_gap, upto)
 *   hearth_energy_dirty (tbl, b)               slots whose rows changed
 *
 * New rows are found as the rollups find them: on SQLite by insertion
 * order, the rows numbered above `upto` (inserts cost nothing extra), on
 * PostgreSQL by a trigger per INSERT statement that notes the slots it
 * wrote in hearth_energy_dirty.  UPDATEs note the slots of the rows before
 * and after (a trigger per row on SQLite, per statement on PostgreSQL).
 * DELETEs note nothing: retention removes old readings, and the energy
 * they made stays.
 *
 * energy_keep_update recomputes only the slots near the changes, from the
 * readings around them (the one before and after each run of changed
 * slots, and the slots those fall in), so the result is what integrating
 * every reading gives, while a read of a year costs a year of slots
 * (35,040), not millions of readings.
 */
#ifndef HEARTH_ENERGY_KEEP_H
#define HEARTH_ENERGY_KEEP_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "energy/integ.h"
#include "store/schema.h"
#include "store/store.h"

/* What to keep of a table; the strings are the caller's. */
struct energy_spec {
	const char *table;
	const char *time_col;        /* NULL: the declared one */
	const struct energy_col *cols;
	size_t ncols;
	int64_t max_gap;             /* microseconds; 0: three times the
				      * usual interval of the readings */
};

/*
 * energy_keep_update: bring table's slots up to date in a transaction of
 * its own (none when nothing changed): build them all when they were
 * never built, when spec differs from what they were built with, when
 * the triggers are missing, or when rebuild is set; else recompute the
 * slots of changed rows.  schema is the database's now.  *max_gap (may
 * be NULL) gets the gap in effect (microseconds; 0 while the table has
 * fewer than two readings and none was configured).
 */
int energy_keep_update(struct store *s, const struct schema *schema,
		       const struct energy_spec *spec, int rebuild,
		       int64_t *max_gap, struct hearth_err *err);

/* energy_keep_read: the slots of table.col starting in [b0, b1) (unix
 * seconds), ascending, appended to out. */
int energy_keep_read(struct store *s, const char *table, const char *col,
		     int64_t b0, int64_t b1, struct energy_slots *out,
		     struct hearth_err *err);

/* energy_keep_drop: remove table's slots, state and triggers. */
int energy_keep_drop(struct store *s, const char *table,
		     struct hearth_err *err);

#endif

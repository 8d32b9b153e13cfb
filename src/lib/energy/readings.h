/*
 * readings.h - a column's readings read for integration (integ.h), in
 * time order even where a table stores times both as unix seconds and
 * as ISO text (SQLite sorts every number before every text), a week at a
 * time, so that memory stays small on years of readings.  Rows whose
 * value is NULL or text are not readings.
 */
#ifndef HEARTH_ENERGY_READINGS_H
#define HEARTH_ENERGY_READINGS_H

#include <stdint.h>

#include "base/err.h"
#include "energy/integ.h"
#include "store/schema.h"
#include "store/store.h"

/*
 * energy_readings_integrate: the slots of column col of table (kind,
 * max_gap in microseconds) from its readings with times in [t0, t1]
 * (unix microseconds, inclusive; SERIES_NO_BOUND for none), appended to
 * out.  time_col as series_select takes it.
 */
int energy_readings_integrate(struct store *s, const struct schema *schema,
			      const char *table, const char *time_col,
			      const struct energy_col *col, int64_t max_gap,
			      int64_t t0, int64_t t1,
			      struct energy_slots *out,
			      struct hearth_err *err);

/* energy_readings_near: the time of the nearest reading of col before t
 * (before) or at or after t: 1 found, 0 none, -1 error. */
int energy_readings_near(struct store *s, const struct schema *schema,
			 const char *table, const char *time_col,
			 const char *col, int64_t t, int before, int64_t *out,
			 struct hearth_err *err);

/* energy_readings_usual_gap: energy_usual_gap of the newest thousand
 * readings of col. */
int energy_readings_usual_gap(struct store *s, const struct schema *schema,
			      const char *table, const char *time_col,
			      const char *col, int64_t *out,
			      struct hearth_err *err);

#endif

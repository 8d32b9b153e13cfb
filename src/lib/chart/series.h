/*
 * series.h - time-window reads of series tables.
 *
 * A table's time column may hold ISO text (Python sqlite3, hearth), unix
 * seconds, or both in different rows; a window matches each kind with its
 * own range, so the index on the time column is used for either.
 */
#ifndef HEARTH_SERIES_H
#define HEARTH_SERIES_H

#include <stdint.h>

#include "base/err.h"
#include "store/schema.h"
#include "store/store.h"

#define SERIES_NO_BOUND INT64_MIN

/* Rows whose column col holds val, compared as the column compares
 * ("5" is 5 in an INTEGER column): a sensor's or a host's rows. */
struct series_eq {
	const char *col;
	const char *val;
};

struct series_window {
	int64_t since;  /* inclusive, SERIES_NO_BOUND for none */
	int64_t until;  /* inclusive, SERIES_NO_BOUND for none */
	int64_t limit;  /* rows at most, 0 = all */
	int newest_first;
	const struct series_eq *eq; /* all of them hold; not owned */
	size_t neq;
};

#define SERIES_WINDOW_INIT { SERIES_NO_BOUND, SERIES_NO_BOUND, 0, 0, NULL, 0 }

/*
 * series_select: prepare SELECT * of `table` within the window, oldest
 * first.  *time_idx is the index of the time column in the result.
 * time_col overrides the declared time column (NULL: auto).  Errors name an
 * unknown table, a table without a time column, or a filter's unknown
 * column.  The statement is the
 * caller's (store_finalize).
 */
int series_select(struct store *s, const struct schema *schema,
		  const char *table, const char *time_col,
		  const struct series_window *w, struct store_stmt **out,
		  int *time_idx, struct hearth_err *err);

/* series_time_value: the time in column i of the current row, from text or
 * unix seconds; 0 when it parsed, -1 when NULL or not a time (which
 * includes times outside TIMEFMT_MIN..MAX). */
int series_time_value(struct store_stmt *st, int i, int64_t *out);

#endif

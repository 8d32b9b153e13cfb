/*
 * resample.h - time-bucketed reads: one row per bucket of a fixed width
 * (5m, 1h, 1d), each series column aggregated (avg, min, max, sum, first,
 * last, or count of rows).
 *
 * Rows come from series_select (the same window code `hearth query` uses)
 * oldest first and are folded as they stream past, so memory stays
 * constant whatever the window, and the time column may be stored as text
 * or numbers.  Buckets start at multiples of the width since the epoch
 * (UTC); empty buckets are left out.  Each bucket's values are folded
 * with the dashboard's struct bucket (bucket.h), so the API and the
 * charts aggregate alike.
 */
#ifndef HEARTH_RESAMPLE_H
#define HEARTH_RESAMPLE_H

#include <stdint.h>

#include "base/err.h"
#include "chart/format.h"
#include "store/schema.h"
#include "store/store.h"

enum resample_agg {
	RESAMPLE_AVG,
	RESAMPLE_MIN,
	RESAMPLE_MAX,
	RESAMPLE_SUM,
	RESAMPLE_FIRST,
	RESAMPLE_LAST,
	RESAMPLE_COUNT, /* one column, "count": rows in the bucket */
};

/* resample_parse_width: "30s", "5m", "1h", "1d", "1w", or bare seconds,
 * into microseconds.  Errors name the text. */
int resample_parse_width(const char *s, int64_t *out, struct hearth_err *err);
/* resample_parse_agg: "avg" "mean" "min" "max" "sum" "first" "last" "count". */
int resample_parse_agg(const char *s, enum resample_agg *out);

/*
 * resample_rows: step st (from series_select on table t, time column at
 * time_idx) to the end, writing one row per bucket through the sink in
 * CSV or JSON (FORMAT_TABLE is taken as CSV).  The first column is the
 * bucket's start, named like t's time column; then each numeric column
 * (declared INTEGER, REAL, NUMERIC or untyped; text values are skipped),
 * or "count".  *nbuckets gets the number of rows written.
 */
int resample_rows(struct store_stmt *st, const struct schema_table *t,
		int time_idx, int64_t width, enum resample_agg agg,
		enum format_kind kind, const struct format_sink *sink,
		int64_t *nbuckets, struct hearth_err *err);

#endif

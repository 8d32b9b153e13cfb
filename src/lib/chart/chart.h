/*
 * chart.h - what a chart shows, read from a series table.
 *
 * The chart folder owns reading data out: series windows (series.h),
 * time buckets, resampling, axes, SVG (svg.h) and the table, CSV and
 * JSON output formats (format.h).  It may call rollup/, store/ and
 * base/; not its siblings ingest/ and migrate/, and it knows no HTTP:
 * serve/ and the commands call it.
 *
 * chart_load reads a table's time window into pixel columns (bucket.h):
 * numeric columns become line series; a table with no numeric column is
 * an event table (motion sensors), whose rows become one timeline lane
 * per label (its first text column) and counts per hour (or per day on
 * long windows).  Long windows read the rollup tables (rollup.h) when
 * they are current, so the work depends on the number of pixel columns,
 * not on the number of rows.  svg.h draws the result.
 */
#ifndef HEARTH_CHART_H
#define HEARTH_CHART_H

#include <stddef.h>
#include <stdint.h>

#include "chart/bucket.h"
#include "base/config.h"
#include "base/err.h"
#include "rollup/rollup.h"
#include "store/schema.h"
#include "chart/series.h"
#include "store/store.h"

enum chart_kind { CHART_LINES, CHART_EVENTS };

struct chart_series {
	char *name;            /* column name */
	const char *unit;      /* "W", "°C", "" when unknown; not owned */
	struct bucket *cols;   /* ncols columns */
	int has_latest;        /* the newest value in the window: */
	double latest;
	int64_t latest_t;
};

struct chart_lane {
	char *label;           /* sensor name */
	uint32_t *counts;      /* events per column, ncols */
	uint64_t total;
};

#define CHART_MAX_LANES 24

struct chart {
	char *title;           /* the table name */
	enum chart_kind kind;
	struct bucket_grid grid;
	struct chart_series *series;
	size_t nseries;
	struct chart_lane *lanes;
	size_t nlanes;
	uint32_t *bins;        /* events per bin */
	size_t nbins;
	int64_t bin_t0, bin_width;
	int64_t gap;           /* silence longer than this is a gap */
	enum rollup_level level; /* where the lines came from */
	int64_t rows;          /* rows (or rollup buckets) read */
	int64_t latest_t;      /* events: the newest one in the window */
	char *latest_label;
};

#define CHART_INIT { NULL, CHART_LINES, { 0, 0, 0 }, NULL, 0, NULL, 0, \
		     NULL, 0, 0, 0, 0, ROLLUP_RAW, 0, 0, NULL }

struct chart_opts {
	int64_t t0, t1;        /* the window (UTC microseconds), t1 > t0 */
	size_t ncols;          /* pixel columns of the plot */
	const char *time_col;  /* NULL: the declared one */
	const struct config *cfg; /* [units] overrides; may be NULL */
	int raw;               /* never read rollups */
	/* Only the rows that hold these (one sensor's, one host's): read
	 * raw, as the rollups hold every row.  Not owned. */
	const struct series_eq *eq;
	size_t neq;
};

/* chart_window: the window from since and until as a person types them
 * (timefmt_parse, naive times local); NULL since is -24h, NULL until now.
 * Errors name the bad text or an empty window. */
int chart_window(const char *since, const char *until, int64_t now,
		 int64_t *t0, int64_t *t1, struct hearth_err *err);

/* chart_load: fill c (CHART_INIT) from table; errors name the table.
 * Release with chart_release, also after an error. */
int chart_load(struct chart *c, struct store *s, const struct schema *schema,
	       const char *table, const struct chart_opts *o,
	       struct hearth_err *err);
void chart_release(struct chart *c);

/* chart_unit: the unit of table.column: [units] table.column in cfg, else
 * guessed from the name (watts W, temp °C, humidity %, ...), else "".
 * Returns a static or cfg-owned string. */
const char *chart_unit(const struct config *cfg, const char *table,
		       const char *column);

#endif

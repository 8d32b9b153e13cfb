/*
 * bucket.h - readings folded into pixel columns (M4 downsampling).
 *
 * A chart's time window is cut into ncols equal columns, one per pixel of
 * the plot.  Each column keeps the count, sum, min, max, first and last
 * value of what fell into it, and the times of its first and last
 * reading, so a chart carries a few points per column whatever the
 * window, and no peak is lost.  Rollup rows (pre-aggregated minutes or
 * hours) fold in the same way.  Pure computation: no database, no
 * allocation except in bucket_median.
 */
#ifndef HEARTH_BUCKET_H
#define HEARTH_BUCKET_H

#include <stddef.h>
#include <stdint.h>

struct bucket {
	uint32_t n;          /* readings folded in; 0 = empty column */
	double sum, min, max;
	double first, last;  /* values of the earliest and latest reading */
	int64_t t_first, t_last; /* their times (UTC microseconds) */
};

struct bucket_grid {
	int64_t t0, t1;      /* the window, inclusive, t1 > t0 */
	size_t ncols;
};

/* bucket_col: the column of time t, or -1 when t is outside the window. */
long bucket_col(const struct bucket_grid *g, int64_t t);
/* bucket_col_time: the time at the left edge of column c. */
int64_t bucket_col_time(const struct bucket_grid *g, double c);

/* bucket_add: one reading at time t. */
void bucket_add(struct bucket *b, int64_t t, double v);
/* bucket_add_agg: an aggregate of n readings spanning [t_start, t_end]
 * (a rollup row); its mean stands for its first and last value. */
void bucket_add_agg(struct bucket *b, int64_t t_start, int64_t t_end,
		    double min, double max, double sum, uint32_t n);

/* bucket_median: the median of v[0..n) (v is sorted in place); 0 when
 * n is 0. */
int64_t bucket_median(int64_t *v, size_t n);

/* bucket_gap_threshold: the silence that counts as a gap, from the usual
 * interval between readings (3 intervals, at least a second); INT64_MAX
 * (no gaps) when the interval is unknown (0). */
int64_t bucket_gap_threshold(int64_t interval);

/* bucket_is_gap: whether no data was logged between two non-empty
 * columns, prev before next. */
int bucket_is_gap(const struct bucket *prev, const struct bucket *next,
		  int64_t threshold);

#endif

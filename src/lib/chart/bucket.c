#include "chart/bucket.h"

#include <stdlib.h>

#include "base/timefmt.h"

long bucket_col(const struct bucket_grid *g, int64_t t)
{
	long double f;
	long c;

	if (t < g->t0 || t > g->t1 || g->t1 <= g->t0 || !g->ncols)
		return -1;
	f = (long double)(t - g->t0) / (long double)(g->t1 - g->t0);
	c = (long)(f * (long double)g->ncols);
	if (c >= (long)g->ncols) /* t == t1 belongs to the last column */
		c = (long)g->ncols - 1;
	return c;
}

int64_t bucket_col_time(const struct bucket_grid *g, double c)
{
	return g->t0 + (int64_t)((long double)(g->t1 - g->t0) * c /
				 (long double)g->ncols);
}

void bucket_add(struct bucket *b, int64_t t, double v)
{
	bucket_add_agg(b, t, t, v, v, v, 1);
}

void bucket_add_agg(struct bucket *b, int64_t t_start, int64_t t_end,
		    double min, double max, double sum, uint32_t n)
{
	double mean;

	if (!n)
		return;
	mean = n == 1 ? sum : sum / n;
	if (!b->n) {
		b->n = n;
		b->sum = sum;
		b->min = min;
		b->max = max;
		b->first = b->last = mean;
		b->t_first = t_start;
		b->t_last = t_end;
		return;
	}
	b->n += n;
	b->sum += sum;
	if (min < b->min)
		b->min = min;
	if (max > b->max)
		b->max = max;
	/* Rows usually come oldest first, but do not rely on it. */
	if (t_start < b->t_first) {
		b->t_first = t_start;
		b->first = mean;
	}
	if (t_end >= b->t_last) {
		b->t_last = t_end;
		b->last = mean;
	}
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int64_t bucket_median(int64_t *v, size_t n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_i64);
	return v[n / 2];
}

int64_t bucket_gap_threshold(int64_t interval)
{
	if (interval <= 0)
		return INT64_MAX;
	if (interval > INT64_MAX / 4)
		return INT64_MAX;
	return interval * 3 < US_PER_SEC ? US_PER_SEC : interval * 3;
}

int bucket_is_gap(const struct bucket *prev, const struct bucket *next,
		  int64_t threshold)
{
	if (!prev->n || !next->n)
		return 0;
	return next->t_first - prev->t_last > threshold;
}

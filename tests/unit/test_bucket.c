#include <stdlib.h>
#include <time.h>

#include "chart/bucket.h"
#include "t.h"
#include "base/timefmt.h"

#define S US_PER_SEC

static void test_column_of_time(void)
{
	struct bucket_grid g = { 0, 100 * S, 10 };

	CHECK_INT(bucket_col(&g, 0), 0);
	CHECK_INT(bucket_col(&g, 9 * S), 0);
	CHECK_INT(bucket_col(&g, 10 * S), 1);
	CHECK_INT(bucket_col(&g, 100 * S), 9); /* the window's end is in */
	CHECK_INT(bucket_col(&g, -1), -1);
	CHECK_INT(bucket_col(&g, 100 * S + 1), -1);
	CHECK_INT(bucket_col_time(&g, 5), 50 * S);
}

static void test_one_point(void)
{
	struct bucket b[10];
	struct bucket_grid g = { 0, 100 * S, 10 };
	long c = bucket_col(&g, 55 * S);

	memset(b, 0, sizeof(b));
	bucket_add(&b[c], 55 * S, 7.5);
	CHECK_INT(c, 5);
	CHECK_INT(b[5].n, 1);
	CHECK(b[5].min == 7.5 && b[5].max == 7.5 && b[5].first == 7.5 &&
	      b[5].last == 7.5 && b[5].sum == 7.5);
	CHECK_INT(b[5].t_first, 55 * S);
	CHECK_INT(b[4].n, 0);
}

static void test_m4_keeps_extremes(void)
{
	struct bucket b;
	static const double v[] = { 3, -40, 12, 2000, 5 };
	size_t i;

	memset(&b, 0, sizeof(b));
	for (i = 0; i < 5; i++)
		bucket_add(&b, (int64_t)i * S, v[i]);
	CHECK_INT(b.n, 5);
	CHECK(b.min == -40 && b.max == 2000);
	CHECK(b.first == 3 && b.last == 5);
	CHECK_INT(b.t_first, 0);
	CHECK_INT(b.t_last, 4 * S);
	/* Out of order: first and last follow time, not arrival. */
	bucket_add(&b, -S, 1);
	CHECK(b.first == 1);
	CHECK(b.last == 5);
}

static void test_all_equal_and_negative(void)
{
	struct bucket b, m;
	int i;

	memset(&b, 0, sizeof(b));
	memset(&m, 0, sizeof(m));
	for (i = 0; i < 100; i++) {
		bucket_add(&b, i * S, 230);
		bucket_add(&m, i * S, -5 - i);
	}
	CHECK(b.min == 230 && b.max == 230 && b.sum == 23000);
	CHECK(m.max == -5 && m.min == -104 && m.first == -5 && m.last == -104);
}

static void test_aggregates(void)
{
	struct bucket b;

	memset(&b, 0, sizeof(b));
	bucket_add_agg(&b, 60 * S, 120 * S, 10, 30, 400, 20);
	bucket_add_agg(&b, 120 * S, 180 * S, 5, 50, 600, 20);
	bucket_add_agg(&b, 0, 60 * S, 1, 1, 0, 0); /* empty: ignored */
	CHECK_INT(b.n, 40);
	CHECK(b.min == 5 && b.max == 50 && b.sum == 1000);
	CHECK(b.first == 20 && b.last == 30); /* the rows' means */
	CHECK_INT(b.t_first, 60 * S);
	CHECK_INT(b.t_last, 180 * S);
}

static void test_empty_window(void)
{
	struct bucket b[4];
	int64_t none[1];

	memset(b, 0, sizeof(b));
	CHECK_INT(bucket_median(none, 0), 0);
	CHECK(bucket_gap_threshold(0) == INT64_MAX);
	CHECK_INT(bucket_is_gap(&b[0], &b[3], 1), 0);
}

static void test_gap_detection(void)
{
	/* Readings every 3 s for 10 minutes with a 60 s hole at 300 s, in
	 * 120 columns of 5 s. */
	struct bucket_grid g = { 0, 600 * S, 120 };
	struct bucket b[120];
	int64_t deltas[300], prev = -1, thr;
	size_t nd = 0, i, gaps = 0;
	long last = -1;
	int64_t t;

	memset(b, 0, sizeof(b));
	for (t = 0; t < 600; t += 3) {
		if (t >= 300 && t < 360)
			continue;
		if (prev >= 0)
			deltas[nd++] = (t - prev) * S;
		prev = t;
		bucket_add(&b[bucket_col(&g, t * S)], t * S, (double)t);
	}
	thr = bucket_gap_threshold(bucket_median(deltas, nd));
	CHECK_INT(thr, 9 * S);
	for (i = 0; i < 120; i++) {
		if (!b[i].n)
			continue;
		if (last >= 0 && bucket_is_gap(&b[last], &b[i], thr)) {
			gaps++;
			CHECK_INT(b[last].t_last, 297 * S);
			CHECK_INT(b[i].t_first, 360 * S);
		}
		last = (long)i;
	}
	CHECK_INT(gaps, 1);
	/* Sub-second intervals still need a whole second of silence. */
	CHECK_INT(bucket_gap_threshold(S / 10), S);
}

static void test_dst_day(void)
{
	/* Bucketing is in UTC: the local day that leaves summer time in
	 * Europe/London has 25 hourly columns, one reading each. */
	struct tm a = { 0 }, z = { 0 };
	struct bucket b[25];
	struct bucket_grid g;
	int64_t t;
	size_t i;

	setenv("TZ", "Europe/London", 1);
	tzset();
	a.tm_year = 126, a.tm_mon = 9, a.tm_mday = 25, a.tm_isdst = -1;
	z = a;
	z.tm_mday = 26;
	g.t0 = (int64_t)mktime(&a) * S;
	g.t1 = (int64_t)mktime(&z) * S;
	g.ncols = 25;
	CHECK_INT(g.t1 - g.t0, 25 * 3600 * S);
	memset(b, 0, sizeof(b));
	for (t = g.t0; t < g.t1; t += 3600 * S)
		bucket_add(&b[bucket_col(&g, t + 1800 * S)], t + 1800 * S, 1);
	for (i = 0; i < 25; i++)
		CHECK_INT(b[i].n, 1);
	setenv("TZ", "UTC", 1);
	tzset();
}

T_MAIN("bucket", T(test_column_of_time), T(test_one_point),
       T(test_m4_keeps_extremes), T(test_all_equal_and_negative),
       T(test_aggregates), T(test_empty_window), T(test_gap_detection),
       T(test_dst_day))

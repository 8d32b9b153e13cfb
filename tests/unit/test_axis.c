#include <stdlib.h>
#include <time.h>

#include "chart/axis.h"
#include "t.h"
#include "base/timefmt.h"

#define HOUR (3600 * US_PER_SEC)

static void tz(const char *name)
{
	setenv("TZ", name, 1);
	tzset();
}

static void test_value_nice_steps(void)
{
	struct axis_tick tk[16];
	double lo, hi;
	size_t n = axis_value_ticks(3, 2290, 6, tk, 16, &lo, &hi);

	CHECK(lo == 0 && hi == 2500);
	CHECK_INT(n, 6);
	CHECK_STR(tk[0].label, "0");
	CHECK_STR(tk[1].label, "500");
	CHECK_STR(tk[5].label, "2500");
}

static void test_value_fractions(void)
{
	struct axis_tick tk[16];
	double lo, hi;
	size_t n = axis_value_ticks(0.1, 0.9, 5, tk, 16, &lo, &hi);

	CHECK(lo == 0 && hi == 1);
	CHECK_INT(n, 5);
	CHECK_STR(tk[1].label, "0.25");
	n = axis_value_ticks(16.2, 21.9, 7, tk, 16, &lo, &hi);
	CHECK(lo <= 16.2 && hi >= 21.9);
	CHECK_STR(tk[0].label, "16");
}

static void test_value_all_equal(void)
{
	struct axis_tick tk[16];
	double lo, hi;
	size_t n = axis_value_ticks(230, 230, 6, tk, 16, &lo, &hi);

	CHECK(lo < 230 && hi > 230);
	CHECK(n >= 2);
	n = axis_value_ticks(0, 0, 6, tk, 16, &lo, &hi);
	CHECK(lo < 0 && hi > 0);
	CHECK(n >= 2);
}

static void test_value_negative(void)
{
	struct axis_tick tk[16];
	double lo, hi;
	size_t n = axis_value_ticks(-12.5, 3, 6, tk, 16, &lo, &hi), i;
	int zero = 0;

	CHECK(lo <= -12.5 && hi >= 3);
	for (i = 0; i < n; i++) {
		CHECK(strcmp(tk[i].label, "-0") != 0);
		zero |= !strcmp(tk[i].label, "0");
	}
	CHECK(zero);
	/* Reversed and non-finite input still give a range. */
	n = axis_value_ticks(5, -5, 6, tk, 16, &lo, &hi);
	CHECK(lo <= -5 && hi >= 5);
	n = axis_value_ticks(0.0 / 0.0, 1, 6, tk, 16, &lo, &hi);
	CHECK(n >= 2 && lo < hi);
}

static void test_format_value(void)
{
	char b[32];

	CHECK_STR(axis_format_value(-0.0001, 0.5, b, sizeof(b)), "0.0");
	CHECK_STR(axis_format_value(2.5, 2.5, b, sizeof(b)), "2.5");
	CHECK_STR(axis_format_value(1500, 500, b, sizeof(b)), "1500");
}

static void test_time_step_choice(void)
{
	CHECK_INT(axis_time_step(HOUR, 9), 10 * 60 * US_PER_SEC);
	CHECK_INT(axis_time_step(24 * HOUR, 9), 3 * HOUR);
	CHECK_INT(axis_time_step(7 * 24 * HOUR, 9), 24 * HOUR);
	CHECK_INT(axis_time_step(365 * 24 * HOUR, 9), 91 * 24 * HOUR);
	CHECK_INT(axis_time_step(0, 9), 0);
}

static void test_time_ticks_hours(void)
{
	struct axis_tick tk[64];
	int64_t t0 = timefmt_from_civil(2026, 11, 24, 12, 48, 0);
	size_t n, i;

	tz("UTC");
	n = axis_time_ticks(t0, t0 + 24 * HOUR, 9, tk, 64);
	CHECK_INT(n, 8);
	CHECK_STR(tk[0].label, "15:00");
	CHECK_INT(tk[0].t, timefmt_from_civil(2026, 11, 24, 15, 0, 0));
	for (i = 0; i < n; i++)
		if (tk[i].major)
			CHECK_STR(tk[i].label, "Wed 25");
	CHECK_INT(tk[3].major, 1);
	/* Local time: the same instants an hour later on the clock. */
	tz("CET-1");
	n = axis_time_ticks(t0, t0 + 24 * HOUR, 9, tk, 64);
	CHECK_STR(tk[0].label, "15:00");
	CHECK_INT(tk[0].t, timefmt_from_civil(2026, 11, 24, 14, 0, 0));
	tz("UTC");
}

static void test_time_ticks_months(void)
{
	struct axis_tick tk[64];
	int64_t t0 = timefmt_from_civil(2025, 11, 25, 12, 0, 0);
	size_t n;

	tz("UTC");
	n = axis_time_ticks(t0, t0 + 365 * 24 * HOUR, 9, tk, 64);
	CHECK_INT(n, 4);
	CHECK_STR(tk[0].label, "2026"); /* January shows the year */
	CHECK_INT(tk[0].major, 1);
	CHECK_INT(tk[0].t, timefmt_from_civil(2026, 1, 1, 0, 0, 0));
	CHECK_STR(tk[1].label, "Apr");
	n = axis_time_ticks(t0, t0 + 3 * 365 * 24 * HOUR, 4, tk, 64);
	CHECK_STR(tk[0].label, "2026");
}

static void test_time_ticks_dst_days(void)
{
	struct axis_tick tk[64];
	/* Europe/London leaves summer time on 25 Oct 2026 at 02:00 BST:
	 * that local day has 25 hours. */
	int64_t t0 = timefmt_from_civil(2026, 10, 23, 12, 0, 0);
	size_t n;

	tz("Europe/London");
	n = axis_time_ticks(t0, t0 + 4 * 24 * HOUR, 5, tk, 64);
	CHECK_INT(n, 4);
	/* Midnight BST (UTC+1), then midnight GMT. */
	CHECK_INT(tk[0].t, timefmt_from_civil(2026, 10, 23, 23, 0, 0));
	CHECK_INT(tk[1].t, timefmt_from_civil(2026, 10, 24, 23, 0, 0));
	CHECK_INT(tk[2].t, timefmt_from_civil(2026, 10, 26, 0, 0, 0));
	CHECK_INT(tk[2].t - tk[1].t, 25 * HOUR);
	CHECK_STR(tk[1].label, "Sun 25");
	tz("UTC");
}

static void test_time_ticks_dst_hours(void)
{
	struct axis_tick tk[64];
	/* Spring forward on 29 Mar 2026 at 01:00 GMT: 6-hour ticks stay at
	 * 00, 06, 12, 18 on the local clock. */
	int64_t t0 = timefmt_from_civil(2026, 3, 28, 12, 30, 0);
	size_t n, i;

	tz("Europe/London");
	n = axis_time_ticks(t0, t0 + 48 * HOUR, 9, tk, 64);
	CHECK(n >= 7);
	for (i = 0; i < n; i++)
		CHECK(!strcmp(tk[i].label, "18:00") || !strcmp(tk[i].label, "06:00") ||
		      !strcmp(tk[i].label, "12:00") || tk[i].major);
	CHECK_INT(tk[0].t, timefmt_from_civil(2026, 3, 28, 18, 0, 0));
	/* 06:00 BST on the 29th is 05:00 UTC. */
	CHECK_INT(tk[2].t, timefmt_from_civil(2026, 3, 29, 5, 0, 0));
	tz("UTC");
}

static void test_time_ticks_empty(void)
{
	struct axis_tick tk[4];

	CHECK_INT(axis_time_ticks(10, 10, 9, tk, 4), 0);
	CHECK_INT(axis_time_ticks(10, 5, 9, tk, 4), 0);
}

T_MAIN("axis", T(test_value_nice_steps), T(test_value_fractions),
       T(test_value_all_equal), T(test_value_negative), T(test_format_value),
       T(test_time_step_choice), T(test_time_ticks_hours),
       T(test_time_ticks_months), T(test_time_ticks_dst_days),
       T(test_time_ticks_dst_hours), T(test_time_ticks_empty))

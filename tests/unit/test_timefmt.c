#include "t.h"
#include "base/timefmt.h"

#include <stdint.h>
#include <stdlib.h>
#include <time.h>

static const int64_t T0 = INT64_C(1416780900) * US_PER_SEC; /* 2014-11-23 22:15:00Z */

static int64_t parse_utc(const char *s)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	int64_t t = -1;

	if (timefmt_parse(s, T0, TIMEFMT_UTC, &t, &err) < 0)
		return INT64_MIN;
	return t;
}

static void test_iso_forms(void)
{
	CHECK_INT(parse_utc("2014-11-23 22:15:00"), T0);
	CHECK_INT(parse_utc("2014-11-23T22:15:00Z"), T0);
	CHECK_INT(parse_utc("2014-11-23T22:15"), T0);
	CHECK_INT(parse_utc("2014-11-23 22:15:00.123456"), T0 + 123456);
	CHECK_INT(parse_utc("2014-11-23T22:15:00.5Z"), T0 + 500000);
	CHECK_INT(parse_utc("2014-11-23T23:15:00+01:00"), T0);
	CHECK_INT(parse_utc("2014-11-23T21:15:00-0100"), T0);
	CHECK_INT(parse_utc("2014-11-23"), T0 - (22 * 3600 + 15 * 60) * US_PER_SEC);
}

static void test_unix_and_relative(void)
{
	CHECK_INT(parse_utc("1416780900"), T0);
	CHECK_INT(parse_utc("1416780900.25"), T0 + 250000);
	CHECK_INT(parse_utc("now"), T0);
	CHECK_INT(parse_utc("-15m"), T0 - 15 * 60 * US_PER_SEC);
	CHECK_INT(parse_utc("-24h"), T0 - 24 * 3600 * US_PER_SEC);
	CHECK_INT(parse_utc("-7d"), T0 - 7 * 86400 * US_PER_SEC);
	CHECK_INT(parse_utc("+30s"), T0 + 30 * US_PER_SEC);
	CHECK_INT(parse_utc("-10000y"), T0 - INT64_C(10000) * 365 * 86400 * US_PER_SEC);
}

static void test_bad_times(void)
{
	/* Tried: garbage, impossible dates and clock times, unknown unit,
	 * trailing junk, empty, sign only. */
	const char *bad[] = { "", "yesterday", "2014-13-01", "2014-02-30",
			      "2014-11-23 25:00", "2014-11-23T22:61", "-15q",
			      "-", "12abc", "2014-11-23 22:15:00 junk",
			      "2014-11-23T22:15:00.", "0x10",
			      /* found by fuzzing: overflowed int64 */
			      "-77777777772d", "+99999999999y", "-3660001d" };
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hearth_err err = HEARTH_ERR_INIT;
		int64_t t;
		if (timefmt_parse(bad[i], T0, TIMEFMT_UTC, &t, &err) == 0) {
			fprintf(stderr, "  accepted bad time '%s'\n", bad[i]);
			CHECK(0);
		} else {
			CHECK(strstr(err.msg, "bad time") != NULL);
		}
	}
}

static void test_leap_year(void)
{
	CHECK(parse_utc("2024-02-29") != INT64_MIN);
	CHECK(parse_utc("2023-02-29") == INT64_MIN);
	CHECK(parse_utc("2000-02-29") != INT64_MIN);
	CHECK(parse_utc("1900-02-29") == INT64_MIN);
}

static void test_format(void)
{
	char b[64];

	timefmt_format(T0, TIMEFMT_SQL, b, sizeof(b));
	CHECK_STR(b, "2014-11-23 22:15:00");
	timefmt_format(T0 + 123456, TIMEFMT_SQL, b, sizeof(b));
	CHECK_STR(b, "2014-11-23 22:15:00.123456");
	timefmt_format(T0, TIMEFMT_ISO_Z, b, sizeof(b));
	CHECK_STR(b, "2014-11-23T22:15:00Z");
	timefmt_format(-1, TIMEFMT_ISO_Z, b, sizeof(b));
	CHECK_STR(b, "1969-12-31T23:59:59.999999Z");
}

/* timefmt_format the slow, obvious way: gmtime_r and snprintf. */
static size_t ref_format(int64_t t, enum timefmt_style style, char *out,
			 size_t outsz)
{
	int64_t sec = t / US_PER_SEC, us = t % US_PER_SEC;
	long long y;
	time_t tt;
	struct tm tm;
	char tmp[96];
	int n;

	if (us < 0) {
		us += US_PER_SEC;
		sec--;
	}
	tt = (time_t)sec;
	gmtime_r(&tt, &tm);
	y = (long long)tm.tm_year + 1900;
	n = snprintf(tmp, sizeof(tmp), "%s%0*lld-%02d-%02d%c%02d:%02d:%02d",
		     y < 0 ? "-" : "", llabs(y) > 99999 ? 6 : llabs(y) > 9999 ? 5 : 4,
		     llabs(y), tm.tm_mon + 1, tm.tm_mday,
		     style == TIMEFMT_SQL ? ' ' : 'T', tm.tm_hour, tm.tm_min,
		     tm.tm_sec);
	if (us)
		n += snprintf(tmp + n, sizeof(tmp) - (size_t)n, ".%06lld",
			      (long long)us);
	if (style == TIMEFMT_ISO_Z)
		tmp[n++] = 'Z';
	tmp[n] = '\0';
	if (outsz == 0)
		return 0;
	if ((size_t)n >= outsz)
		n = (int)outsz - 1;
	memcpy(out, tmp, (size_t)n);
	out[n] = '\0';
	return (size_t)n;
}

static uint64_t rnd_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* Compare one time in both styles and several buffer sizes. */
static int same_format(int64_t t)
{
	static const size_t sizes[] = { 64, 32, 31, 20, 11, 5, 1 };
	char a[64], b[64];
	size_t i, na, nb;
	int st;

	for (st = 0; st < 2; st++)
		for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			enum timefmt_style style = st ? TIMEFMT_ISO_Z : TIMEFMT_SQL;
			na = timefmt_format(t, style, a, sizes[i]);
			nb = ref_format(t, style, b, sizes[i]);
			if (na != nb || strcmp(a, b)) {
				fprintf(stderr, "  t=%lld size %zu: '%s', want '%s'\n",
					(long long)t, sizes[i], a, b);
				return 0;
			}
		}
	return 1;
}

/* The hand-written formatter (digit pairs, the date of the previous call
 * kept) against gmtime_r: month and year ends, leap days, before 1970,
 * years of 5 and 6 digits and before year 0, and times in an order that
 * makes the kept date change often. */
static void test_format_against_gmtime(void)
{
	static const char *const days[] = {
		"1970-01-01", "1969-12-31", "2000-02-28", "2000-02-29",
		"2000-03-01", "1900-02-28", "1900-03-01", "2100-02-28",
		"2100-03-01", "2024-02-29", "2023-12-31", "2024-01-01",
		"2023-04-30", "2023-05-01", "1600-02-29", "0001-01-01",
		"0000-03-01", "9999-12-31", "1969-01-01", "1899-12-31",
	};
	static const int64_t offs[] = {
		0, 1, 999999, US_PER_SEC, US_PER_SEC - 1, 59 * US_PER_SEC,
		INT64_C(86399) * US_PER_SEC + 999999, INT64_C(86400) * US_PER_SEC,
		-1, -US_PER_SEC, -INT64_C(86400) * US_PER_SEC, 100000, 10,
	};
	size_t i, j;
	int64_t t;
	int bad = 0;

	for (i = 0; i < sizeof(days) / sizeof(days[0]) && !bad; i++) {
		int64_t d = parse_utc(days[i]);
		CHECK(d != INT64_MIN);
		for (j = 0; j < sizeof(offs) / sizeof(offs[0]) && !bad; j++)
			bad = !same_format(d + offs[j]);
	}
	/* 10000 and later, before year 0, and the ends of int64 */
	for (t = INT64_C(253402300799) * US_PER_SEC - 3 * US_PER_SEC;
	     t < INT64_C(253402300799) * US_PER_SEC + 3 * US_PER_SEC && !bad;
	     t += 500000)
		bad = !same_format(t);
	bad = bad || !same_format(INT64_C(3155760000000) * US_PER_SEC) ||
	      !same_format(-INT64_C(62167219200) * US_PER_SEC - 1) ||
	      !same_format(-INT64_C(62167219200) * US_PER_SEC - 86400 * US_PER_SEC) ||
	      !same_format(INT64_MAX) || !same_format(INT64_MIN) ||
	      !same_format(INT64_MIN + 1);
	/* a 10 Hz sensor over several days, as a bulk import sees it */
	for (t = T0 - 2 * 86400 * US_PER_SEC; t < T0 + 86400 * US_PER_SEC && !bad;
	     t += 100000 * 37)
		bad = !same_format(t);
	/* anywhere at all */
	for (i = 0; i < 200000 && !bad; i++) {
		t = (int64_t)rnd();
		if (i % 2)
			t %= INT64_C(400) * 366 * 86400 * US_PER_SEC; /* +-400 years */
		bad = !same_format(t);
	}
	CHECK(!bad);
}

static void test_round_trip(void)
{
	int64_t t, back;
	char b[64];

	for (t = -INT64_C(5000000000) * US_PER_SEC; t < INT64_C(5000000000) * US_PER_SEC;
	     t += INT64_C(86399) * US_PER_SEC * 37 + 12345) {
		timefmt_format(t, TIMEFMT_SQL, b, sizeof(b));
		if (b[0] == '-')
			continue; /* years before 0 are not ISO 8601 here */
		CHECK(timefmt_parse_value(b, strlen(b), TIMEFMT_UTC, &back) == 0);
		CHECK_INT(back, t);
	}
}

static void test_local_naive(void)
{
	int64_t t;

	/* Europe/London is UTC+1 in summer: a naive local time is an hour
	 * ahead of the same digits read as UTC. */
	setenv("TZ", "Europe/London", 1);
	tzset();
	CHECK(timefmt_parse_value("2024-07-01 12:00:00", 19, TIMEFMT_LOCAL, &t) == 0);
	CHECK_INT(t, timefmt_from_civil(2024, 7, 1, 11, 0, 0));
	CHECK(timefmt_parse_value("2024-01-01 12:00:00", 19, TIMEFMT_LOCAL, &t) == 0);
	CHECK_INT(t, timefmt_from_civil(2024, 1, 1, 12, 0, 0));
	unsetenv("TZ");
	tzset();
}

/* Durations of settings (interval, every, retention ages); bad ones
 * tried: empty, signed, words, zero, under a second, a unit alone. */
static void test_duration(void)
{
	static const struct { const char *s; int64_t sec; } good[] = {
		{ "90s", 90 }, { "90", 90 }, { "15m", 900 }, { "1h", 3600 },
		{ "1d", 86400 }, { "400d", 400 * 86400 }, { "1w", 7 * 86400 },
		{ "30", 30 }, { "2d", 2 * 86400 },
	};
	static const char *const bad[] = { "", "-1d", "+1d", "soon", "0",
					   "0s", "d", "1x",
					   "m", "5 parsecs" };
	int64_t us;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		CHECK_INT(timefmt_duration(good[i].s, &us), 0);
		CHECK_INT(us, good[i].sec * 1000000);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_INT(timefmt_duration(bad[i], &us), -1);
}

T_MAIN("timefmt", T(test_iso_forms), T(test_unix_and_relative),
       T(test_bad_times), T(test_leap_year), T(test_format),
       T(test_format_against_gmtime),
       T(test_round_trip), T(test_local_naive), T(test_duration))

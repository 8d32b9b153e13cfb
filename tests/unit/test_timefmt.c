#include "t.h"
#include "timefmt.h"

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
}

static void test_bad_times(void)
{
	/* Tried: garbage, impossible dates and clock times, unknown unit,
	 * trailing junk, empty, sign only. */
	const char *bad[] = { "", "yesterday", "2014-13-01", "2014-02-30",
			      "2014-11-23 25:00", "2014-11-23T22:61", "-15q",
			      "-", "12abc", "2014-11-23 22:15:00 junk",
			      "2014-11-23T22:15:00.", "0x10" };
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

T_MAIN("timefmt", T(test_iso_forms), T(test_unix_and_relative),
       T(test_bad_times), T(test_leap_year), T(test_format),
       T(test_round_trip), T(test_local_naive))

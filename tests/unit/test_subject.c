/* Unit tests for subject.c: the default pattern against every variant seen
 * in real mail, custom patterns, and hostile subjects. */
#include "sources/subject.h"
#include "base/timefmt.h"
#include "t.h"

static struct tz *utc;

/* "sensor|YYYY-MM-DD HH:MM:SS" or "no: reason". */
static const char *run(const char *pattern, const char *subj)
{
	static char out[2048];
	struct hearth_err err = HEARTH_ERR_INIT;
	struct subject_pattern *p = NULL;
	struct buf sensor = BUF_INIT;
	char ts[64];
	int64_t t = 0;

	if (!utc)
		tz_load(&utc, "UTC", &err);
	if (subject_compile(&p, pattern, &err) < 0) {
		snprintf(out, sizeof(out), "bad pattern: %s", err.msg);
		return out;
	}
	if (subject_match(p, subj, strlen(subj), utc, &sensor, &t, &err)) {
		timefmt_format(t, TIMEFMT_SQL, ts, sizeof(ts));
		snprintf(out, sizeof(out), "%s|%s", sensor.s, ts);
	} else {
		snprintf(out, sizeof(out), "no: %s", err.msg);
	}
	buf_release(&sensor);
	subject_pattern_free(p);
	return out;
}

#define D SUBJECT_DEFAULT

static void test_classic_subjects(void)
{
	CHECK_STR(run(D, "'Hallway' sensed motion: November 23, 2014 at 10:15PM"),
		  "Hallway|2014-11-23 22:15:00");
	CHECK_STR(run(D, "'Living Room' sensed motion: January 01, 2018 at 01:50PM"),
		  "Living Room|2018-01-01 13:50:00");
}

static void test_variants(void)
{
	/* Leading zeros or not, AM/PM with or without a blank, any case. */
	CHECK_STR(run(D, "'A' sensed motion: March 5, 2016 at 9:05AM"),
		  "A|2016-03-05 09:05:00");
	CHECK_STR(run(D, "'A' sensed motion: March 05, 2016 at 09:05 am"),
		  "A|2016-03-05 09:05:00");
	CHECK_STR(run(D, "'A' sensed motion: March 5, 2016 at 12:00AM"),
		  "A|2016-03-05 00:00:00");
	CHECK_STR(run(D, "'A' sensed motion: March 5, 2016 at 12:30 p.m."),
		  "A|2016-03-05 12:30:00");
	/* Abbreviated month, extra blanks and tabs (from unfolding). */
	CHECK_STR(run(D, "'A'  sensed\tmotion: Sep 5,  2016 at 1:00PM "),
		  "A|2016-09-05 13:00:00");
	/* Quotes inside the name, typographic quotes, non-ASCII. */
	CHECK_STR(run(D, "'Bob's Room' sensed motion: May 1, 2015 at 1:00PM"),
		  "Bob's Room|2015-05-01 13:00:00");
	CHECK_STR(run(D, "\xe2\x80\x98K\xc3\xbc" "che\xe2\x80\x99 sensed motion: "
			 "May 1, 2015 at 1:00PM"),
		  "K\xc3\xbc" "che|2015-05-01 13:00:00");
	CHECK_STR(run(D, "'\xe5\x8e\xa8\xe6\x88\xbf' sensed motion: May 1, 2015 at 1:00PM"),
		  "\xe5\x8e\xa8\xe6\x88\xbf|2015-05-01 13:00:00");
	/* The shortest name that lets the rest match. */
	CHECK_STR(run(D, "'a' sensed motion: x' sensed motion: May 1, 2015 at 1:00PM"),
		  "a' sensed motion: x|2015-05-01 13:00:00");
	/* Leap day. */
	CHECK_STR(run(D, "'A' sensed motion: February 29, 2016 at 1:00PM"),
		  "A|2016-02-29 13:00:00");
}

static void test_rejects(void)
{
	/* Bad inputs tried: unrelated text, empty, a name of blanks only, a
	 * day that does not exist, hour 13 PM, minute 60, two-digit year
	 * for %Y, trailing junk, month misspelt. */
	CHECK(!strncmp(run(D, "Re: invoice"), "no: subject does not match", 26));
	CHECK(!strncmp(run(D, ""), "no: ", 4));
	CHECK_STR(run(D, "'  ' sensed motion: May 1, 2015 at 1:00PM"),
		  "no: subject has an empty sensor name");
	CHECK_STR(run(D, "'A' sensed motion: February 29, 2015 at 1:00PM"),
		  "no: subject has a date that does not exist");
	CHECK(!strncmp(run(D, "'A' sensed motion: May 1, 2015 at 13:00PM"), "no: ", 4));
	CHECK(!strncmp(run(D, "'A' sensed motion: May 1, 2015 at 1:60PM"), "no: ", 4));
	CHECK(!strncmp(run(D, "'A' sensed motion: May 1, 15 at 1:00PM"), "no: ", 4));
	CHECK(!strncmp(run(D, "'A' sensed motion: May 1, 2015 at 1:00PM!!"), "no: ", 4));
	CHECK(!strncmp(run(D, "'A' sensed motion: Mai 1, 2015 at 1:00PM"), "no: ", 4));
}

static void test_hostile(void)
{
	char big[SUBJECT_MAX + 10], *p;
	size_t i;
	const char *r;

	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(strstr(run(D, big), "longer than") != NULL);
	/* Many quotes and "sensed motion:" fragments: backtracking stays
	 * bounded and answers. */
	p = big;
	for (i = 0; i + 17 < SUBJECT_MAX; i += 17, p += 17)
		memcpy(p, "' sensed motion: ", 17);
	*p = '\0';
	r = run("{*}{*}'{sensor}' sensed motion: {time:%B %d, %Y at %I:%M%p}",
		big);
	CHECK(!strncmp(r, "no: ", 4));
}

static void test_custom_patterns(void)
{
	CHECK_STR(run("Motion at {sensor} on {time:%Y-%m-%d %H:%M:%S}",
		      "Motion at porch on 2020-02-03 04:05:06"),
		  "porch|2020-02-03 04:05:06");
	CHECK_STR(run("[{*}] {sensor}: {time:%a, %d %b %y %H:%M}",
		      "[alarm] Garage: Mon, 3 Feb 20 4:05"),
		  "Garage|2020-02-03 04:05:00");
	CHECK_STR(run("{{x}} {sensor} {time:%e.%m.%Y %H%%}", "{x} S  3.02.2020 4%"),
		  "S|2020-02-03 04:00:00");
}

static void test_bad_patterns(void)
{
	CHECK(strstr(run("{sensor}", "x"), "one {sensor} and one") != NULL);
	CHECK(strstr(run("{sensor} {sensor} {time:%Y %m %d %H}", "x"),
		     "found 2 and 1") != NULL);
	CHECK(strstr(run("{sensor} {time:%H:%M}", "x"),
		     "year, a month, a day and an hour") != NULL);
	CHECK(strstr(run("{sensor} {time:%Y %m %d %H %Q}", "x"),
		     "%Q is not supported") != NULL);
	CHECK(strstr(run("{sensor} {time:%Y %m %d %H", "x"), "not closed") != NULL);
	CHECK(strstr(run("{sensor} } {time:%Y %m %d %H}", "x"), "lone '}'") != NULL);
	CHECK(strstr(run("{name} {time:%Y %m %d %H}", "x"), "unknown field") != NULL);
	CHECK(strstr(run("", "x"), "want 1 to") != NULL);
}

static void test_zone(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct subject_pattern *p = NULL;
	struct buf s = BUF_INIT;
	struct tz *ny = NULL;
	const char *subj = "'A' sensed motion: November 23, 2014 at 10:15PM";
	int64_t t = 0;

	CHECK_INT(tz_load(&ny, "America/New_York", &err), 0);
	CHECK_INT(subject_compile(&p, D, &err), 0);
	CHECK_INT(subject_match(p, subj, strlen(subj), ny, &s, &t, &err), 1);
	CHECK_INT(t, timefmt_from_civil(2014, 11, 24, 3, 15, 0));
	subject_pattern_free(p);
	buf_release(&s);
	tz_free(ny);
	tz_free(utc);
	utc = NULL;
}

T_MAIN("subject", T(test_classic_subjects), T(test_variants), T(test_rejects),
       T(test_hostile), T(test_custom_patterns), T(test_bad_patterns),
       T(test_zone))

/*
 * timefmt.h - time parsing and formatting.
 *
 * hearth keeps every instant as int64_t microseconds since the Unix epoch,
 * UTC.  Nothing here allocates.
 */
#ifndef HEARTH_TIMEFMT_H
#define HEARTH_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define US_PER_SEC INT64_C(1000000)

/* The times data may hold: years 0001 to 9999, as ISO 8601 text has
 * four digits for the year and SQLite's date functions take no others.
 * TIMEFMT_MIN is 0001-01-01T00:00:00Z, TIMEFMT_MAX 9999-12-31T23:59:59.999999Z. */
#define TIMEFMT_MIN (INT64_C(-62135596800) * US_PER_SEC)
#define TIMEFMT_MAX (INT64_C(253402300800) * US_PER_SEC - 1)

/* timefmt_storable: t is a time data may hold. */
static inline int timefmt_storable(int64_t t)
{
	return t >= TIMEFMT_MIN && t <= TIMEFMT_MAX;
}

/* How a naive ISO time (one with no Z or offset) is read. */
enum timefmt_zone {
	TIMEFMT_UTC,   /* data in files and databases */
	TIMEFMT_LOCAL, /* what a person types: the TZ of the process */
};

/* Output styles. */
enum timefmt_style {
	TIMEFMT_SQL,   /* 2014-11-23 22:15:00[.123456], as Python's sqlite3 writes */
	TIMEFMT_ISO_Z, /* 2014-11-23T22:15:00[.123456]Z */
};

/* timefmt_now: the current time. */
int64_t timefmt_now(void);

/*
 * timefmt_parse: a time as a person types it on the command line or in a
 * URL: "now"; relative to now ("-15m", "+2h", "-7d", "-30s", "-1w", "-1y");
 * ISO 8601 ("2014-11-23", "2014-11-23 22:15", "2014-11-23T22:15:00.5Z",
 * "...+01:00"); unix seconds ("1416780900", "1416780900.25").
 * Returns 0 and sets *out, or -1 with err naming the text.
 */
int timefmt_parse(const char *s, int64_t now, enum timefmt_zone naive,
		  int64_t *out, struct hearth_err *err);

/*
 * timefmt_parse_value: a time as stored in data: ISO 8601 text (naive read
 * per `naive`) or unix seconds, from TIMEFMT_MIN to TIMEFMT_MAX.  s need
 * not be NUL-terminated.  Returns 0 or -1 (no message: callers name the
 * file and line).
 */
int timefmt_parse_value(const char *s, size_t len, enum timefmt_zone naive,
			int64_t *out);

/* timefmt_duration: a length of time as settings give it: "90s", "15m",
 * "1h", "1d", "400d", "1w", "1y", or plain seconds; at least a second.
 * Returns 0 and sets *us, or -1 (the caller names the setting). */
int timefmt_duration(const char *s, int64_t *us);

/* timefmt_format: write t in style into out (at least 32 bytes); returns
 * the length written.  Microseconds are printed (6 digits) only when not 0. */
size_t timefmt_format(int64_t t, enum timefmt_style style, char *out,
		      size_t outsz);

/* timefmt_from_civil: UTC fields to microseconds (no range checks). */
int64_t timefmt_from_civil(int year, int mon, int day, int hour, int min,
			   int sec);

#endif

#include "base/timefmt.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

int64_t timefmt_now(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * US_PER_SEC + tv.tv_usec;
}

/* Howard Hinnant's days_from_civil: exact for the proleptic Gregorian
 * calendar, no libc time zone state involved, so it is fast and safe to
 * call for millions of rows. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int64_t timefmt_from_civil(int year, int mon, int day, int hour, int min,
			   int sec)
{
	int64_t days = days_from_civil(year, mon, day);

	return ((days * 86400) + hour * 3600 + min * 60 + sec) * US_PER_SEC;
}

/* Read exactly n digits at *p; -1 if any is not a digit. */
static int digits(const char **p, const char *end, int n)
{
	int v = 0;

	while (n--) {
		if (*p >= end || !isdigit((unsigned char)**p))
			return -1;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	return v;
}

static int days_in_month(int y, int m)
{
	static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

static int parse_iso(const char *p, const char *end, enum timefmt_zone naive,
		     int64_t *out)
{
	int y, mo, d, h = 0, mi = 0, s = 0;
	int64_t frac = 0, offset = 0;
	int has_zone = 0;

	if ((y = digits(&p, end, 4)) < 0 || p >= end || *p++ != '-' ||
	    (mo = digits(&p, end, 2)) < 0 || p >= end || *p++ != '-' ||
	    (d = digits(&p, end, 2)) < 0)
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return -1;
	if (p < end && (*p == 'T' || *p == ' ' || *p == 't')) {
		p++;
		if ((h = digits(&p, end, 2)) < 0 || p >= end || *p++ != ':' ||
		    (mi = digits(&p, end, 2)) < 0)
			return -1;
		if (p < end && *p == ':') {
			p++;
			if ((s = digits(&p, end, 2)) < 0)
				return -1;
			if (p < end && (*p == '.' || *p == ',')) {
				int64_t scale = 100000;
				p++;
				if (p >= end || !isdigit((unsigned char)*p))
					return -1;
				while (p < end && isdigit((unsigned char)*p)) {
					frac += (*p - '0') * scale;
					scale /= 10;
					p++;
				}
			}
		}
		if (h > 23 || mi > 59 || s > 60)
			return -1;
	}
	if (p < end && *p == ' ')
		p++;
	if (p < end && (*p == 'Z' || *p == 'z')) {
		p++;
		has_zone = 1;
	} else if (p < end && (*p == '+' || *p == '-')) {
		int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
		if ((oh = digits(&p, end, 2)) < 0)
			return -1;
		if (p < end && *p == ':')
			p++;
		if (p < end && (om = digits(&p, end, 2)) < 0)
			return -1;
		if (oh > 23 || om > 59)
			return -1;
		offset = sign * (int64_t)(oh * 3600 + om * 60) * US_PER_SEC;
		has_zone = 1;
	}
	if (p != end)
		return -1;
	if (s == 60)
		s = 59; /* a leap second lands on the second before it */
	if (!has_zone && naive == TIMEFMT_LOCAL) {
		struct tm tm;
		time_t t;

		memset(&tm, 0, sizeof(tm));
		tm.tm_year = y - 1900;
		tm.tm_mon = mo - 1;
		tm.tm_mday = d;
		tm.tm_hour = h;
		tm.tm_min = mi;
		tm.tm_sec = s;
		tm.tm_isdst = -1;
		t = mktime(&tm);
		*out = (int64_t)t * US_PER_SEC + frac;
		return 0;
	}
	*out = timefmt_from_civil(y, mo, d, h, mi, s) + frac - offset;
	return 0;
}

/* Unix seconds, optionally with a fraction: "1416780900", "-5", "1.25". */
static int parse_unix(const char *p, const char *end, int64_t *out)
{
	int64_t sec = 0, frac = 0, scale = 100000;
	int neg = 0, nd = 0;

	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	while (p < end && isdigit((unsigned char)*p)) {
		if (sec > (INT64_MAX / US_PER_SEC) / 10)
			return -1;
		sec = sec * 10 + (*p++ - '0');
		nd++;
	}
	if (p < end && *p == '.') {
		p++;
		while (p < end && isdigit((unsigned char)*p)) {
			frac += (*p++ - '0') * scale;
			scale /= 10;
			nd++;
		}
	}
	if (p != end || nd == 0)
		return -1;
	*out = (sec * US_PER_SEC + frac) * (neg ? -1 : 1);
	return 0;
}

/* ISO 8601 or unix seconds, of any year they can spell. */
static int parse_absolute(const char *s, size_t len, enum timefmt_zone naive,
			  int64_t *out)
{
	const char *end = s + len;

	while (s < end && isspace((unsigned char)*s))
		s++;
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	if (end - s >= 10 && s[4] == '-')
		return parse_iso(s, end, naive, out);
	return parse_unix(s, end, out);
}

int timefmt_parse_value(const char *s, size_t len, enum timefmt_zone naive,
			int64_t *out)
{
	if (parse_absolute(s, len, naive, out) < 0)
		return -1;
	return timefmt_storable(*out) ? 0 : -1;
}

static int parse_relative(const char *s, int64_t now, int64_t *out)
{
	const char *p = s + 1;
	int64_t n = 0, unit;
	int nd = 0;

	while (isdigit((unsigned char)*p)) {
		if (n > INT64_C(1) << 40)
			return -1;
		n = n * 10 + (*p++ - '0');
		nd++;
	}
	if (!nd)
		return -1;
	if (!strcmp(p, "s"))
		unit = 1;
	else if (!strcmp(p, "m") || !strcmp(p, "min"))
		unit = 60;
	else if (!strcmp(p, "h"))
		unit = 3600;
	else if (!strcmp(p, "d"))
		unit = 86400;
	else if (!strcmp(p, "w"))
		unit = 7 * 86400;
	else if (!strcmp(p, "y"))
		unit = 365 * 86400;
	else
		return -1;
	/* Further than 10,000 years is a typo, and would overflow. */
	if (n > INT64_C(10000) * 366 * 86400 / unit)
		return -1;
	*out = now + (s[0] == '-' ? -1 : 1) * n * unit * US_PER_SEC;
	return 0;
}

int timefmt_parse(const char *s, int64_t now, enum timefmt_zone naive,
		  int64_t *out, struct hearth_err *err)
{
	size_t len = strlen(s);

	if (!strcmp(s, "now")) {
		*out = now;
		return 0;
	}
	if ((s[0] == '-' || s[0] == '+') && len > 1 &&
	    isalpha((unsigned char)s[len - 1]))
		goto relative;
	/* A window may start or end past the years data can hold. */
	if (parse_absolute(s, len, naive, out) == 0)
		return 0;
	goto bad;
relative:
	if (parse_relative(s, now, out) == 0)
		return 0;
bad:
	return err_set(err,
		       "bad time '%.64s': use now, -15m, -24h, -7d, ISO 8601 "
		       "or unix seconds", s);
}

/* Write v as exactly n digits. */
static char *put_digits(char *p, int64_t v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + n;
}

/* "00" to "99": two digits per step instead of one. */
static const char two_digits[] =
	"00010203040506070809101112131415161718192021222324252627282930313233"
	"34353637383940414243444546474849505152535455565758596061626364656667"
	"6869707172737475767778798081828384858687888990919293949596979899";

static char *put2(char *p, int v)
{
	memcpy(p, two_digits + 2 * v, 2);
	return p + 2;
}

/* The date of the last call, per thread: rows of a bulk import are
 * mostly of the same day as the row before. */
static _Thread_local int64_t date_days = INT64_MIN;
static _Thread_local char date_text[16];
static _Thread_local size_t date_len;

/* Formatting by hand: this runs once per row on bulk imports, where
 * snprintf was the largest cost after SQLite itself.  The text goes
 * straight to out when it has the documented room. */
size_t timefmt_format(int64_t t, enum timefmt_style style, char *out,
		      size_t outsz)
{
	int64_t sec = t / US_PER_SEC, us = t % US_PER_SEC, days, rem;
	char tmp[48], *start = outsz >= 32 ? out : tmp, *p = start;
	int y, m, d, h, mi, s;
	size_t n;

	if (us < 0) {
		us += US_PER_SEC;
		sec--;
	}
	days = sec / 86400;
	rem = sec % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	if (days != date_days) {
		char *q = date_text;
		civil_from_days(days, &y, &m, &d);
		if (y < 0) {
			*q++ = '-';
			y = -y;
		}
		if (y <= 9999) {
			q = put2(q, y / 100);
			q = put2(q, y % 100);
		} else {
			q = put_digits(q, y, y > 99999 ? 6 : 5);
		}
		*q++ = '-';
		q = put2(q, m);
		*q++ = '-';
		q = put2(q, d);
		date_len = (size_t)(q - date_text);
		date_days = days;
	}
	memcpy(p, date_text, 16);
	p += date_len;
	*p++ = style == TIMEFMT_SQL ? ' ' : 'T';
	h = (int)(rem / 3600);
	mi = (int)(rem / 60 % 60);
	s = (int)(rem % 60);
	p = put2(p, h);
	*p++ = ':';
	p = put2(p, mi);
	*p++ = ':';
	p = put2(p, s);
	if (us) {
		int u = (int)us;
		*p++ = '.';
		p = put2(p, u / 10000);
		p = put2(p, u / 100 % 100);
		p = put2(p, u % 100);
	}
	if (style == TIMEFMT_ISO_Z)
		*p++ = 'Z';
	n = (size_t)(p - start);
	if (start == out) {
		out[n] = '\0';
		return n;
	}
	if (outsz == 0)
		return 0;
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, tmp, n);
	out[n] = '\0';
	return n;
}

int timefmt_duration(const char *v, int64_t *us)
{
	char ival[48];

	/* Read as a time relative to 0, so it takes what --since takes. */
	if (!*v || strlen(v) > 32 || *v == '-' || *v == '+')
		return -1;
	snprintf(ival, sizeof(ival), "+%s%s", v,
		 isdigit((unsigned char)v[strlen(v) - 1]) ? "s" : "");
	if (timefmt_parse(ival, 0, TIMEFMT_UTC, us, NULL) < 0 ||
	    *us < US_PER_SEC)
		return -1;
	return 0;
}

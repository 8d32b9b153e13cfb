/*
 * subject.h - mail subject patterns with named fields.
 *
 *   '{sensor}' sensed motion: {time:%B %d, %Y at %I:%M%p}
 *
 * Fields: {sensor} (the sensor's name, at least one character; when the
 * text around it could split the subject several ways, the shortest name
 * that lets the rest match wins), {time:FORMAT} (strftime-style
 * conversions: %Y %y %m %B %b %d %e %H %I %M %S %p %A %a %%), {*} (any
 * text, skipped).  {{ and }} are literal braces.
 *
 * Matching is lenient the way real mail is: letters match either case; a
 * run of blanks matches any run of blanks (tabs too); ' matches ' and the
 * typographic quotes U+2018/U+2019, " matches U+201C/U+201D; numbers take
 * one digit or two (leading zero or not); %p takes AM/PM/am/pm/a.m./p.m.
 * with or without a blank in front of it; %B and %b take the full or the
 * abbreviated English month name.
 */
#ifndef HEARTH_SUBJECT_H
#define HEARTH_SUBJECT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/tz.h"

#define SUBJECT_DEFAULT \
	"'{sensor}' sensed motion: {time:%B %d, %Y at %I:%M%p}"

/* Subjects longer than this (bytes, decoded) are refused unmatched. */
#define SUBJECT_MAX 2048

struct subject_pattern;

/* subject_compile: compile a pattern; errors name the offending part.
 * The pattern needs one {sensor} and one {time:...} holding a year, a
 * month, a day and an hour.  Free with subject_pattern_free. */
int subject_compile(struct subject_pattern **out, const char *pattern,
		    struct hearth_err *err);
void subject_pattern_free(struct subject_pattern *p);

/*
 * subject_match: match a decoded subject (UTF-8, one line) against p.
 * The time in the subject is wall-clock time in zone; *utc gets it as
 * microseconds UTC and the sensor name is appended to sensor.  Returns 1
 * on a match, 0 when it does not match, with why saying where it failed.
 */
int subject_match(const struct subject_pattern *p, const char *s, size_t len,
		  const struct tz *zone, struct buf *sensor, int64_t *utc,
		  struct hearth_err *why);

#endif

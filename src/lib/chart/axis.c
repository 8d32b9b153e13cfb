#include "chart/axis.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/timefmt.h"

#define MIN_US (60 * US_PER_SEC)
#define HOUR_US (60 * MIN_US)
#define DAY_US (24 * HOUR_US)

static double nice_step(double raw)
{
	static const double mult[] = { 1, 2, 2.5, 5, 10 };
	double p = pow(10, floor(log10(raw)));
	size_t i;

	for (i = 0; i < sizeof(mult) / sizeof(mult[0]); i++)
		if (mult[i] * p >= raw * (1 - 1e-9))
			return mult[i] * p;
	return 10 * p;
}

size_t axis_value_ticks(double lo, double hi, int maxticks,
			struct axis_tick *out, size_t max, double *axis_lo,
			double *axis_hi)
{
	double step, a, b, v;
	size_t n = 0;
	int i;

	if (maxticks < 2)
		maxticks = 2;
	if (!isfinite(lo) || !isfinite(hi)) {
		lo = 0;
		hi = 1;
	}
	if (lo > hi) {
		v = lo;
		lo = hi;
		hi = v;
	}
	/* A flat series still needs a scale: centre it in a small range. */
	if (hi - lo < 1e-12 * (fabs(lo) + fabs(hi)) || hi == lo) {
		double d = fabs(lo) > 0 ? fabs(lo) * 0.1 : 1;
		lo -= d;
		hi += d;
	}
	step = nice_step((hi - lo) / (maxticks - 1));
	a = floor(lo / step) * step;
	b = ceil(hi / step) * step;
	while ((b - a) / step + 1 > maxticks + 0.5) {
		step = nice_step(step * 1.01);
		a = floor(lo / step) * step;
		b = ceil(hi / step) * step;
	}
	*axis_lo = a;
	*axis_hi = b;
	for (i = 0; n < max; i++) {
		v = a + i * step;
		if (v > b + step * 1e-9)
			break;
		if (fabs(v) < step * 1e-9)
			v = 0;
		out[n].v = v;
		out[n].t = 0;
		out[n].major = 0;
		axis_format_value(v, step, out[n].label, sizeof(out[n].label));
		n++;
	}
	return n;
}

char *axis_format_value(double v, double step, char *out, size_t outsz)
{
	int dec = 0;

	if (step > 0 && step < 1)
		dec = (int)ceil(-log10(step) - 1e-9);
	if (step > 0 && fmod(step * pow(10, dec), 1) > 1e-6)
		dec++; /* 2.5 steps need one more digit */
	if (dec > 9)
		dec = 9;
	snprintf(out, outsz, "%.*f", dec, v);
	if (!strcmp(out, "-0") || (out[0] == '-' && strspn(out + 1, "0.") ==
							 strlen(out + 1)))
		memmove(out, out + 1, strlen(out));
	return out;
}

char *axis_format_time(int64_t t, const char *fmt, char *out, size_t outsz)
{
	time_t tt = (time_t)(t / US_PER_SEC - (t % US_PER_SEC < 0));
	struct tm tm;

	localtime_r(&tt, &tm);
	if (!strftime(out, outsz, fmt, &tm))
		out[0] = '\0';
	return out;
}

void axis_set_timezone(const char *tz)
{
	if (tz && *tz)
		setenv("TZ", tz, 1);
	tzset();
}

/* Steps in ascending order; those of a day or more are calendar steps. */
static const struct tstep {
	int64_t us;
	int days, months;
} steps[] = {
	{ MIN_US, 0, 0 },        { 2 * MIN_US, 0, 0 },  { 5 * MIN_US, 0, 0 },
	{ 10 * MIN_US, 0, 0 },   { 15 * MIN_US, 0, 0 }, { 30 * MIN_US, 0, 0 },
	{ HOUR_US, 0, 0 },       { 2 * HOUR_US, 0, 0 }, { 3 * HOUR_US, 0, 0 },
	{ 6 * HOUR_US, 0, 0 },   { 12 * HOUR_US, 0, 0 }, { DAY_US, 1, 0 },
	{ 2 * DAY_US, 2, 0 },    { 7 * DAY_US, 7, 0 },  { 30 * DAY_US, 0, 1 },
	{ 91 * DAY_US, 0, 3 },   { 182 * DAY_US, 0, 6 }, { 365 * DAY_US, 0, 12 },
	{ 730 * DAY_US, 0, 24 }, { 1826 * DAY_US, 0, 60 },
};
#define NSTEPS (sizeof(steps) / sizeof(steps[0]))

static const struct tstep *pick_step(int64_t span, int maxticks)
{
	size_t i;

	if (maxticks < 1)
		maxticks = 1;
	for (i = 0; i < NSTEPS; i++)
		if (span / steps[i].us <= maxticks)
			return &steps[i];
	return &steps[NSTEPS - 1];
}

int64_t axis_time_step(int64_t span, int maxticks)
{
	return span > 0 ? pick_step(span, maxticks)->us : 0;
}

static long gmtoff_at(int64_t t_sec)
{
	time_t tt = (time_t)t_sec;
	struct tm tm;

	localtime_r(&tt, &tm);
	return tm.tm_gmtoff;
}

static void add_tick(struct axis_tick *out, size_t *n, size_t max, int64_t t,
		     int major, const char *fmt)
{
	if (*n >= max)
		return;
	out[*n].t = t;
	out[*n].v = (double)t;
	out[*n].major = major;
	axis_format_time(t, fmt, out[*n].label, sizeof(out[*n].label));
	(*n)++;
}

/* Sub-day steps: aligned on the local clock, so "every 3 h" ticks at
 * 00, 03, 06 ... local time whatever the UTC offset. */
static size_t clock_ticks(int64_t t0, int64_t t1, int64_t step,
			  struct axis_tick *out, size_t max)
{
	int64_t s = step / US_PER_SEC, end = t1 / US_PER_SEC;
	int64_t start = t0 / US_PER_SEC + (t0 % US_PER_SEC > 0), last = INT64_MIN;
	long off = gmtoff_at(start);
	int64_t k = start + off;
	size_t n = 0;

	k = (k / s + (k % s != 0)) * s; /* first aligned local time */
	for (; n < max; k += s) {
		int64_t cand = k - off;
		time_t tt;
		struct tm tm;

		/* The offset may differ at the tick (a DST change between). */
		off = gmtoff_at(cand);
		cand = k - off;
		if (cand > end)
			break;
		if (cand < start || cand <= last)
			continue; /* a repeated or skipped clock hour */
		last = cand;
		tt = (time_t)cand;
		localtime_r(&tt, &tm);
		if (tm.tm_hour == 0 && tm.tm_min == 0)
			add_tick(out, &n, max, cand * US_PER_SEC, 1, "%a %d");
		else
			add_tick(out, &n, max, cand * US_PER_SEC, 0, "%H:%M");
	}
	return n;
}

/* Day and longer steps: walk the calendar with mktime, which knows how
 * long each local day is. */
static size_t calendar_ticks(int64_t t0, int64_t t1, const struct tstep *st,
			     struct axis_tick *out, size_t max)
{
	time_t tt = (time_t)(t0 / US_PER_SEC);
	struct tm tm, base;
	size_t n = 0;
	int i;

	localtime_r(&tt, &base);
	base.tm_hour = base.tm_min = base.tm_sec = 0;
	if (st->months) {
		base.tm_mday = 1;
		base.tm_mon -= base.tm_mon % (st->months < 12 ? st->months : 12);
		if (st->months >= 12)
			base.tm_mon = 0;
	} else if (st->days == 7) {
		base.tm_mday -= (base.tm_wday + 6) % 7; /* Mondays */
	}
	for (i = 0; n < max && i < 400; i++) {
		int64_t t;

		tm = base;
		tm.tm_isdst = -1;
		if (st->months)
			tm.tm_mon += i * st->months;
		else
			tm.tm_mday += i * st->days;
		tt = mktime(&tm);
		if (tt == (time_t)-1)
			break;
		t = (int64_t)tt * US_PER_SEC;
		if (t > t1)
			break;
		if (t < t0)
			continue;
		if (st->months >= 12)
			add_tick(out, &n, max, t, 1, "%Y");
		else if (st->months)
			add_tick(out, &n, max, t, tm.tm_mon == 0,
				 tm.tm_mon == 0 ? "%Y" : "%b");
		else if (st->days >= 7 || tm.tm_mday == 1)
			add_tick(out, &n, max, t, tm.tm_mday == 1, "%d %b");
		else
			add_tick(out, &n, max, t, 0, "%a %d");
	}
	return n;
}

size_t axis_time_ticks(int64_t t0, int64_t t1, int maxticks,
		       struct axis_tick *out, size_t max)
{
	const struct tstep *st;

	if (t1 <= t0 || max == 0)
		return 0;
	st = pick_step(t1 - t0, maxticks);
	if (!st->days && !st->months)
		return clock_ticks(t0, t1, st->us, out, max);
	return calendar_ticks(t0, t1, st, out, max);
}

/*
 * axis.h - where the ticks of a chart axis go and what they say.
 *
 * Value axes get "nice" steps (1, 2, 2.5, 5 times a power of ten) that
 * cover the data.  Time axes get steps a person reads easily (minutes,
 * hours, days, months, years), aligned in local time (the TZ of the
 * process), so a day tick is at local midnight even across a daylight-
 * saving change.  Nothing here allocates.
 */
#ifndef HEARTH_AXIS_H
#define HEARTH_AXIS_H

#include <stddef.h>
#include <stdint.h>

#define AXIS_LABEL_MAX 32

struct axis_tick {
	double v;                   /* value, or time in microseconds */
	int64_t t;                  /* time ticks: the instant (UTC us) */
	int major;                  /* time ticks: a day/month/year boundary */
	char label[AXIS_LABEL_MAX];
};

/*
 * axis_value_ticks: at most maxticks (>= 2) ticks covering [lo, hi].
 * *axis_lo and *axis_hi get the range the axis spans (the outer ticks);
 * equal lo and hi, and NaN or infinite input, still give a usable range.
 * Returns the number of ticks written to out (at most max).
 */
size_t axis_value_ticks(double lo, double hi, int maxticks,
			struct axis_tick *out, size_t max, double *axis_lo,
			double *axis_hi);

/* axis_time_step: the step (microseconds) chosen for a window of span
 * microseconds with at most maxticks ticks; 0 when the span is not
 * positive.  Steps of a month or more are returned as their nominal
 * length (30 days, 365 days). */
int64_t axis_time_step(int64_t span, int maxticks);

/*
 * axis_time_ticks: ticks within [t0, t1] (UTC microseconds), labelled in
 * local time: "14:30" for minutes and hours ("Tue 24" at a local midnight),
 * "Tue 24" or "24 Nov" for days, "Nov" ("2026" in January) for months,
 * "2026" for years.  Returns the number written (at most max).
 */
size_t axis_time_ticks(int64_t t0, int64_t t1, int maxticks,
		       struct axis_tick *out, size_t max);

/* axis_format_value: v with as many decimals as step needs ("-0" is
 * written "0"); returns out. */
char *axis_format_value(double v, double step, char *out, size_t outsz);

/* axis_format_time: t as local time with strftime format fmt. */
char *axis_format_time(int64_t t, const char *fmt, char *out, size_t outsz);

/* axis_set_timezone: use tz (e.g. "Europe/London") for local time from
 * now on, as the TZ variable does; NULL or "" leaves TZ as it is.  Call
 * before starting threads. */
void axis_set_timezone(const char *tz);

#endif

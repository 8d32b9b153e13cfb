#include "energy/period.h"

#include <stdio.h>
#include <string.h>

#include "base/timefmt.h"
#include "base/xalloc.h"

static const char *const by_names[] = { "hour", "day", "week", "month" };

int energy_by_parse(const char *s, enum energy_by *out)
{
	size_t i;

	for (i = 0; i < 4; i++)
		if (!strcmp(s, by_names[i])) {
			*out = (enum energy_by)i;
			return 0;
		}
	return -1;
}

const char *energy_by_name(enum energy_by by)
{
	return by_names[by];
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return a % b < 0 ? q - 1 : q;
}

/* Days since 1970-01-01 to the civil date (proleptic Gregorian). */
static void civil(int64_t days, int *y, int *m, int *d)
{
	int64_t z = days + 719468, era = floor_div(z, 146097);
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* The civil date to days since 1970-01-01. */
static int64_t days_from_civil(int y, int m, int d)
{
	int64_t yy = m <= 2 ? y - 1 : y, era = floor_div(yy, 400);
	int64_t yoe = yy - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static int64_t local_of(const struct tz *z, int64_t t)
{
	return t + tz_offset(z, t);
}

/* The local midnight starting the day `days`, as unix seconds. */
static int64_t midnight(const struct tz *z, int64_t days)
{
	return tz_to_utc(z, days * 86400);
}

int64_t energy_period_start(const struct tz *z, enum energy_by by, int64_t t)
{
	int64_t local = local_of(z, t), days = floor_div(local, 86400);
	int y, m, d;

	switch (by) {
	case ENERGY_BY_HOUR:
		/* The local hour, found from this instant's own offset: the
		 * repeated hour of autumn is two hours, not one of two. */
		return t - (local - floor_div(local, 3600) * 3600);
	case ENERGY_BY_DAY:
		return midnight(z, days);
	case ENERGY_BY_WEEK:
		/* Monday = 0; 1970-01-01 was a Thursday. */
		return midnight(z, days - (days + 3 - floor_div(days + 3, 7) * 7));
	default:
		civil(days, &y, &m, &d);
		return midnight(z, days - (d - 1));
	}
}

int64_t energy_period_next(const struct tz *z, enum energy_by by,
			   int64_t start)
{
	int64_t days = floor_div(local_of(z, start), 86400);
	int y, m, d;

	switch (by) {
	case ENERGY_BY_HOUR:
		return start + 3600;
	case ENERGY_BY_DAY:
		return midnight(z, days + 1);
	case ENERGY_BY_WEEK:
		return midnight(z, days + 7);
	default:
		civil(days, &y, &m, &d);
		/* Day 28 of any month is in it; the next 1st is 4 days on
		 * or less. */
		days += 28 - d + 1;
		while (civil(days, &y, &m, &d), d != 1)
			days++;
		return midnight(z, days);
	}
}

void energy_period_label(const struct tz *z, enum energy_by by,
			 int64_t start, char *out, size_t outsz)
{
	int64_t local = local_of(z, start), days = floor_div(local, 86400);
	int64_t sod = local - days * 86400;
	int y, m, d, wy, wm, wd;

	civil(days, &y, &m, &d);
	switch (by) {
	case ENERGY_BY_HOUR:
		snprintf(out, outsz, "%04d-%02d-%02d %02d:%02d", y, m, d,
			 (int)(sod / 3600), (int)(sod % 3600 / 60));
		break;
	case ENERGY_BY_DAY:
		snprintf(out, outsz, "%04d-%02d-%02d", y, m, d);
		break;
	case ENERGY_BY_WEEK:
		/* ISO 8601: the week's Thursday gives the year, and the
		 * number counts from that year's first Thursday. */
		civil(days + 3, &wy, &wm, &wd);
		snprintf(out, outsz, "%04d-W%02d", wy,
			 (int)((days + 3 - days_from_civil(wy, 1, 1)) / 7 + 1));
		break;
	default:
		snprintf(out, outsz, "%04d-%02d", y, m);
	}
}

/* The missing time of [a, b), up to now, less what readings covered. */
static double elapsed(int64_t a, int64_t b, int64_t now)
{
	if (now < b)
		b = now;
	return b > a ? (double)(b - a) : 0;
}

/* The standing charge of the period [a, b): per local day, so that an
 * hour pays its share of its day (a 23-hour day's hours pay more). */
static double standing(const struct tz *z, enum energy_by by, int64_t a,
		       int64_t b, double per_day)
{
	int64_t da = floor_div(local_of(z, a), 86400);
	int64_t db = floor_div(local_of(z, b), 86400);

	if (by == ENERGY_BY_HOUR)
		return per_day * (double)(b - a) /
		       (double)(midnight(z, da + 1) - midnight(z, da));
	return per_day * (double)(db - da);
}

/* The local minute of the day at t. */
static double local_minute(const struct tz *z, int64_t t)
{
	int64_t local = local_of(z, t);

	return (double)(local - floor_div(local, 86400) * 86400) / 60;
}

void energy_periods(const struct tz *z, enum energy_by by, int64_t since,
		    int64_t until, int64_t now, const struct energy_slots *s,
		    const struct tariff *tariff, struct energy_period **out,
		    size_t *n)
{
	struct energy_period *v = NULL;
	size_t alloc = 0, k = 0, i, j;
	int64_t p;

	for (p = energy_period_start(z, by, since); p <= until;
	     p = energy_period_next(z, by, p)) {
		struct energy_period *e;

		XGROW(v, k + 1, alloc);
		e = &v[k++];
		memset(e, 0, sizeof(*e));
		e->start = p;
		e->end = energy_period_next(z, by, p);
		energy_period_label(z, by, p, e->label, sizeof(e->label));
		e->missing = elapsed(e->start, e->end, now);
		e->cost = standing(z, by, e->start, e->end, tariff->standing);
	}
	*out = v;
	*n = k;
	/* Each slot goes to the periods it overlaps, in proportion; both
	 * are in time order, so one pass. */
	for (i = 0, j = 0; i < s->n && k; i++) {
		const struct energy_slot *sl = &s->v[i];
		int64_t a = sl->b, b = sl->b + ENERGY_SLOT;
		size_t q;

		while (j + 1 < k && v[j].end <= a)
			j++;
		for (q = j; q < k && v[q].start < b; q++) {
			int64_t lo = a > v[q].start ? a : v[q].start;
			int64_t hi = b < v[q].end ? b : v[q].end;
			double f, kwh;

			if (hi <= lo)
				continue;
			f = (double)(hi - lo) / ENERGY_SLOT;
			kwh = sl->wh * f / 1000;
			v[q].kwh += kwh;
			v[q].missing -= sl->covered * f;
			v[q].cost += tariff_cost(tariff, local_minute(z, lo),
						 (double)(hi - lo) / 60, kwh);
		}
	}
	/* Covered time in the future (a reading stamped ahead of the
	 * clock) must not make missing time negative. */
	for (i = 0; i < k; i++)
		if (v[i].missing < 0.5)
			v[i].missing = 0;
}

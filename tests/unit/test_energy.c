/*
 * Energy from readings: the integration (exact figures), tariffs, local
 * periods.  Bad inputs tried: tariff strings with a bad price, a bad
 * HH:MM, overlapping bands, a day not covered; unknown --by and kinds.
 * The database side is test_energy_keep.c.
 */
#include <math.h>

#include "t.h"
#include "base/timefmt.h"
#include "energy/integ.h"
#include "energy/period.h"
#include "energy/tariff.h"

static int64_t at(int y, int mo, int d, int h, int mi, int s)
{
	return timefmt_from_civil(y, mo, d, h, mi, s);
}

static double total_wh(const struct energy_slots *s, double *covered)
{
	double wh = 0, c = 0;
	size_t i;

	for (i = 0; i < s->n; i++) {
		wh += s->v[i].wh;
		c += s->v[i].covered;
	}
	if (covered)
		*covered = c;
	return wh;
}

#define NEAR(a, b) (fabs((a) - (b)) < 1e-6)

static void test_constant_power(void)
{
	struct energy_integ g;
	int64_t t0 = at(2026, 1, 10, 0, 0, 0);
	double covered;
	int i;

	energy_integ_init(&g, ENERGY_POWER, 30 * US_PER_SEC);
	for (i = 0; i <= 8640; i++)
		energy_integ_add(&g, t0 + i * 10 * US_PER_SEC, 1000);
	CHECK(NEAR(total_wh(&g.out, &covered), 24000));
	CHECK(NEAR(covered, 86400));
	CHECK_INT(g.out.n, 96);
	CHECK_INT(g.out.v[0].b, t0 / US_PER_SEC);
	CHECK(NEAR(g.out.v[5].wh, 250));
	energy_slots_release(&g.out);
}

/* A pair that straddles slots is split in proportion: a ramp from 0 to
 * 3600 W over 30 minutes starting at 00:10 is 900 Wh, of which the
 * first 5 minutes (0 to 600 W) are 25 Wh. */
static void test_split_ramp(void)
{
	struct energy_integ g;
	int64_t t0 = at(2026, 1, 10, 0, 10, 0);

	energy_integ_init(&g, ENERGY_POWER, 3600 * US_PER_SEC);
	energy_integ_add(&g, t0, 0);
	energy_integ_add(&g, t0 + 1800 * US_PER_SEC, 3600);
	CHECK_INT(g.out.n, 3);
	CHECK(NEAR(g.out.v[0].wh, 25));
	CHECK(NEAR(g.out.v[0].covered, 300));
	CHECK(NEAR(total_wh(&g.out, NULL), 900));
	energy_slots_release(&g.out);
}

/* A 2 h gap is not bridged: 22 kWh and 2 h uncovered. */
static void test_gap(void)
{
	struct energy_integ g;
	int64_t t0 = at(2026, 1, 10, 0, 0, 0), t;
	double covered;

	energy_integ_init(&g, ENERGY_POWER, 30 * US_PER_SEC);
	for (t = 0; t <= 86400; t += 10)
		if (t <= 10 * 3600 || t >= 12 * 3600)
			energy_integ_add(&g, t0 + t * US_PER_SEC, 1000);
	CHECK(NEAR(total_wh(&g.out, &covered), 22000));
	CHECK(NEAR(covered, 86400 - 7200));
	energy_slots_release(&g.out);
}

/* A kWh counter that resets at noon: 1 kWh an hour all day is 24 kWh;
 * the reading after the reset (0.25) is what it counted from 0. */
static void test_counter_reset(void)
{
	struct energy_integ g;
	int64_t t0 = at(2026, 1, 10, 0, 0, 0);
	double v = 100, covered;
	int i;

	energy_integ_init(&g, ENERGY_COUNTER_KWH, 20 * 60 * US_PER_SEC);
	for (i = 0; i <= 96; i++) {
		if (i == 48)
			v = 0.25;
		else if (i)
			v += 0.25;
		energy_integ_add(&g, t0 + (int64_t)i * 900 * US_PER_SEC, v);
	}
	CHECK(NEAR(total_wh(&g.out, &covered), 24000));
	CHECK(NEAR(covered, 86400));
	energy_slots_release(&g.out);
	/* Wh counter, a gap beyond max_gap: counted at the later reading,
	 * the time uncovered. */
	energy_integ_init(&g, ENERGY_COUNTER_WH, 60 * US_PER_SEC);
	energy_integ_add(&g, t0, 5000);
	energy_integ_add(&g, t0 + 3600 * US_PER_SEC, 6000);
	CHECK_INT(g.out.n, 1);
	CHECK_INT(g.out.v[0].b, t0 / US_PER_SEC + 3600);
	CHECK(NEAR(total_wh(&g.out, &covered), 1000));
	CHECK(NEAR(covered, 0));
	energy_slots_release(&g.out);
}

static void test_usual_gap(void)
{
	int64_t t[] = { 0, 10, 20, 30, 30, 45, 55, 3600 };

	CHECK_INT(energy_usual_gap(t, 8), 30);
	CHECK_INT(energy_usual_gap(t, 1), 0);
	CHECK_INT(energy_slot_of(-1), -900);
	CHECK_INT(energy_slot_of(899999999), 0);
}

static void test_tariff(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct tariff t;

	CHECK_INT(tariff_parse(&t, "0.28", NULL, &err), 0);
	CHECK(NEAR(tariff_cost(&t, 0, 15, 2), 0.56));
	CHECK_INT(tariff_parse(&t, "0.35 07:00-23:00, 0.12 23:00-07:00",
			       "0.45", &err), 0);
	CHECK_INT(t.n, 3);
	CHECK(NEAR(t.standing, 0.45));
	/* 06:50 to 07:05 (15 min, 3 kWh): 10 min at 0.12, 5 at 0.35. */
	CHECK(NEAR(tariff_cost(&t, 410, 15, 3), 2 * 0.12 + 1 * 0.35));
	/* Across midnight. */
	CHECK(NEAR(tariff_cost(&t, 1435, 10, 1), 0.12));
	CHECK_INT(tariff_parse(&t, "0.2 00:00-12:00, 0.3 12:00-24:00", NULL,
			       &err), 0);
	CHECK(NEAR(tariff_cost(&t, 1435, 10, 1), 0.5 * 0.3 + 0.5 * 0.2));

	CHECK_INT(tariff_parse(&t, "cheap", NULL, &err), -1);
	CHECK(strstr(err.msg, "[energy] tariff 'cheap'") != NULL);
	CHECK_INT(tariff_parse(&t, "-1", NULL, &err), -1);
	CHECK_INT(tariff_parse(&t, "0.35 7:00-23:00, 0.12 23:00-07:00", NULL,
			       &err), -1);
	CHECK(strstr(err.msg, "band '0.35 7:00-23:00'") != NULL);
	CHECK_INT(tariff_parse(&t, "0.35 07:00-23:00, 0.12 22:00-07:00", NULL,
			       &err), -1);
	CHECK(strstr(err.msg, "overlaps") != NULL);
	CHECK_INT(tariff_parse(&t, "0.35 07:00-23:00, 0.12 23:00-06:00", NULL,
			       &err), -1);
	CHECK(strstr(err.msg, "no band covers 06:00") != NULL);
	CHECK_INT(tariff_parse(&t, "0.35 07:00-25:00, 0.1 01:00-07:00", NULL,
			       &err), -1);
	CHECK_INT(tariff_parse(&t, "0.3", "a lot", &err), -1);
	CHECK(strstr(err.msg, "[energy] standing_charge 'a lot'") != NULL);
}

static void test_periods_london(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct tz *z = NULL;
	enum energy_by by;
	char l[32];
	int64_t d;

	CHECK_INT(energy_by_parse("fortnight", &by), -1);
	CHECK_INT(energy_by_parse("week", &by), 0);
	CHECK_INT(tz_load(&z, "Europe/London", &err), 0);
	if (!z)
		return;
	/* Spring forward 2026-03-29: a 23-hour day; autumn 25. */
	d = energy_period_start(z, ENERGY_BY_DAY, at(2026, 3, 29, 12, 0, 0) /
						  US_PER_SEC);
	CHECK_INT(d, at(2026, 3, 29, 0, 0, 0) / US_PER_SEC);
	CHECK_INT(energy_period_next(z, ENERGY_BY_DAY, d) - d, 23 * 3600);
	d = energy_period_start(z, ENERGY_BY_DAY, at(2026, 10, 25, 12, 0, 0) /
						  US_PER_SEC);
	CHECK_INT(d, at(2026, 10, 24, 23, 0, 0) / US_PER_SEC);
	CHECK_INT(energy_period_next(z, ENERGY_BY_DAY, d) - d, 25 * 3600);
	energy_period_label(z, ENERGY_BY_DAY, d, l, sizeof(l));
	CHECK_STR(l, "2026-10-25");
	/* Weeks start on Monday; ISO numbers. */
	d = energy_period_start(z, ENERGY_BY_WEEK,
				at(2026, 3, 29, 12, 0, 0) / US_PER_SEC);
	CHECK_INT(d, at(2026, 3, 23, 0, 0, 0) / US_PER_SEC);
	energy_period_label(z, ENERGY_BY_WEEK, d, l, sizeof(l));
	CHECK_STR(l, "2026-W13");
	energy_period_label(z, ENERGY_BY_WEEK,
			    at(2020, 12, 28, 0, 0, 0) / US_PER_SEC, l, sizeof(l));
	CHECK_STR(l, "2020-W53");
	energy_period_label(z, ENERGY_BY_WEEK,
			    at(2024, 12, 30, 0, 0, 0) / US_PER_SEC, l, sizeof(l));
	CHECK_STR(l, "2025-W01");
	d = energy_period_start(z, ENERGY_BY_MONTH,
				at(2026, 7, 31, 23, 30, 0) / US_PER_SEC);
	CHECK_INT(d, at(2026, 7, 31, 23, 0, 0) / US_PER_SEC);
	energy_period_label(z, ENERGY_BY_MONTH, d, l, sizeof(l));
	CHECK_STR(l, "2026-08");
	CHECK_INT(energy_period_next(z, ENERGY_BY_MONTH, d),
		  at(2026, 8, 31, 23, 0, 0) / US_PER_SEC);
	d = energy_period_start(z, ENERGY_BY_HOUR,
				at(2026, 7, 1, 10, 59, 59) / US_PER_SEC);
	energy_period_label(z, ENERGY_BY_HOUR, d, l, sizeof(l));
	CHECK_STR(l, "2026-07-01 11:00");
	tz_free(z);
}

/* A 23-hour day at 1000 W is 23 kWh; time-of-use cost splits it at the
 * local boundaries; the standing charge is per day. */
static void test_report_dst_and_tariff(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct energy_integ g;
	struct energy_period *p = NULL;
	struct tariff tf;
	struct tz *z = NULL;
	int64_t t0 = at(2026, 3, 28, 0, 0, 0), t;
	size_t n = 0;

	CHECK_INT(tz_load(&z, "Europe/London", &err), 0);
	CHECK_INT(tariff_parse(&tf, "0.35 07:00-23:00, 0.12 23:00-07:00",
			       "0.5", &err), 0);
	if (!z)
		return;
	energy_integ_init(&g, ENERGY_POWER, 30 * US_PER_SEC);
	for (t = 0; t <= 3 * 86400; t += 10)
		energy_integ_add(&g, t0 + t * US_PER_SEC, 1000);
	energy_periods(z, ENERGY_BY_DAY, at(2026, 3, 28, 12, 0, 0) / US_PER_SEC,
		       at(2026, 3, 29, 12, 0, 0) / US_PER_SEC,
		       at(2026, 4, 1, 0, 0, 0) / US_PER_SEC, &g.out, &tf, &p, &n);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(p[1].label, "2026-03-29");
		CHECK(NEAR(p[0].kwh, 24));
		CHECK(NEAR(p[1].kwh, 23));
		CHECK(NEAR(p[1].missing, 0));
		/* 16 h at 0.35, 7 at 0.12 (01:00-02:00 never was), 0.5. */
		CHECK(NEAR(p[1].cost, 16 * 0.35 + 7 * 0.12 + 0.5));
		CHECK(NEAR(p[0].cost, 16 * 0.35 + 8 * 0.12 + 0.5));
	}
	free(p);
	/* Hours of the short day: 23 of them, each 1 kWh. */
	energy_periods(z, ENERGY_BY_HOUR, at(2026, 3, 29, 0, 0, 0) / US_PER_SEC,
		       at(2026, 3, 29, 22, 59, 0) / US_PER_SEC,
		       at(2026, 4, 1, 0, 0, 0) / US_PER_SEC, &g.out, &tf, &p, &n);
	CHECK_INT(n, 23);
	if (n == 23) {
		CHECK_STR(p[1].label, "2026-03-29 02:00");
		CHECK(NEAR(p[22].kwh, 1));
	}
	free(p);
	energy_slots_release(&g.out);
	tz_free(z);
}

/* India is UTC+05:30: its days start at 18:30 UTC, mid-slot of no
 * hour but on a quarter-hour, so days are exact. */
static void test_half_hour_zone(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct energy_integ g;
	struct energy_period *p = NULL;
	struct tariff tf;
	struct tz *z = NULL;
	int64_t t0 = at(2026, 1, 9, 18, 30, 0), t;
	size_t n = 0;

	CHECK_INT(tz_load(&z, "Asia/Kolkata", &err), 0);
	CHECK_INT(tariff_parse(&tf, NULL, NULL, &err), 0);
	if (!z)
		return;
	energy_integ_init(&g, ENERGY_POWER, 30 * US_PER_SEC);
	/* 2000 W on the local day 2026-01-10, 1000 W the day after. */
	for (t = 0; t <= 2 * 86400; t += 10)
		energy_integ_add(&g, t0 + t * US_PER_SEC, t < 86400 ? 2000 : 1000);
	energy_periods(z, ENERGY_BY_DAY, t0 / US_PER_SEC,
		       t0 / US_PER_SEC + 86400, t0 / US_PER_SEC + 2 * 86400,
		       &g.out, &tf, &p, &n);
	CHECK_INT(n, 2);
	if (n == 2) {
		CHECK_STR(p[0].label, "2026-01-10");
		/* The last pair of day 1 ramps 2000 -> 1000 over 10 s. */
		CHECK(NEAR(p[0].kwh, 48 - 500.0 * 10 / 3600 / 1000));
		CHECK(NEAR(p[1].kwh, 24));
	}
	free(p);
	energy_slots_release(&g.out);
	tz_free(z);
}

T_MAIN("energy", T(test_constant_power), T(test_split_ramp), T(test_gap),
       T(test_counter_reset), T(test_usual_gap), T(test_tariff),
       T(test_periods_london), T(test_report_dst_and_tariff),
       T(test_half_hour_zone))

/*
 * The energy slots kept in the database (keep.h) and the reports made
 * from them (energy.h): kept up to date by parts, they give what a
 * rebuild from every reading gives, and what integrating the raw rows
 * independently gives; deletes leave them alone.  Bad inputs tried: an
 * unknown column, a text column, a wrong kind, several columns and none
 * chosen, a table with no energy column, a bad max_gap.
 */
#include <math.h>

#include "t.h"
#include "t_store.h"
#include "base/config.h"
#include "base/timefmt.h"
#include "energy/energy.h"

#define DDL "CREATE TABLE r (t TIMESTAMP, w REAL, note TEXT, kwh REAL);" \
	    "CREATE INDEX r_t ON r (t);"

#define CFG "[energy]\nr.w = power\nmax_gap = 60s\n[serve]\ntimezone = UTC\n"

static struct config *cfg_of(const char *text)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct config *cfg = config_new();

	if (config_parse(cfg, text, "test.ini", &err) < 0) {
		fprintf(stderr, "  %s\n", err.msg);
		t_case_failed = 1;
	}
	return cfg;
}

/* The report of column col by day over [since, until] (unix seconds);
 * -1 with err on failure. */
static int report(struct store *s, const char *cfg_text, const char *col,
		  int64_t since, int64_t until, int rebuild,
		  struct energy_report *r, struct hearth_err *err)
{
	struct config *cfg = cfg_of(cfg_text);
	static struct energy_settings es;
	struct schema schema = SCHEMA_INIT;
	struct energy_query q = { "r", NULL, ENERGY_BY_DAY, 0, 0, 0, 0, 0 };
	int ret = -1;

	energy_settings_release(&es);
	q.column = col;
	q.since = since * US_PER_SEC;
	q.until = until * US_PER_SEC;
	q.now = q.until + 86400 * US_PER_SEC;
	q.rebuild = rebuild;
	if (energy_settings_load(&es, cfg, err) == 0 &&
	    store_introspect(s, &schema, err) == 0 &&
	    energy_report(s, &schema, cfg, &es, &q, r, err) == 0)
		ret = 0;
	if (ret < 0 && getenv("T_VERBOSE"))
		fprintf(stderr, "  report: %s\n", err->msg);
	schema_release(&schema);
	config_free(cfg);
	return ret;
}

/* Readings: strictly rising times, mostly 1-20 s apart, sometimes a gap
 * of minutes; random watts. */
struct reading {
	int64_t t; /* unix seconds */
	double w;
};

static uint64_t rng = 88172645463325252ULL;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void make_readings(struct reading *v, size_t n, int64_t t0)
{
	size_t i;
	int64_t t = t0;

	for (i = 0; i < n; i++) {
		t += next_rand() % 97 == 0 ? 60 + (int64_t)(next_rand() % 3600)
					   : 1 + (int64_t)(next_rand() % 20);
		v[i].t = t;
		v[i].w = (double)(next_rand() % 300000) / 100;
	}
}

/* Insert the readings whose index i has pick(i) true; every seventh as
 * unix seconds, the rest as text. */
static void insert(struct store *s, const struct reading *v, size_t n,
		   int (*pick)(size_t))
{
	struct buf sql = BUF_INIT;
	char when[40];
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (!pick(i))
			continue;
		buf_addstr(&sql, k++ % 500 ? ", " : "INSERT INTO r (t, w) VALUES ");
		if (i % 7 == 0) {
			buf_addf(&sql, "(%lld, %.2f)", (long long)v[i].t, v[i].w);
		} else {
			timefmt_format(v[i].t * US_PER_SEC, TIMEFMT_SQL, when,
				       sizeof(when));
			buf_addf(&sql, "('%s', %.2f)", when, v[i].w);
		}
		if (k % 500 == 0) {
			t_exec(s, sql.s);
			buf_reset(&sql);
		}
	}
	if (sql.len)
		t_exec(s, sql.s);
	buf_release(&sql);
}

static int first_part(size_t i) { return i % 10 < 7; }
static int rest_a(size_t i) { return i % 10 == 7 || i % 10 == 8; }
static int rest_b(size_t i) { return i % 10 == 9; }

/* The energy of each UTC day from the raw readings, computed here as
 * plainly as can be: trapezoids, pairs at most 60 s apart, split at
 * midnight in proportion. */
static void raw_days(const struct reading *v, size_t n, int64_t day0,
		     double *kwh, size_t ndays)
{
	size_t i;

	memset(kwh, 0, ndays * sizeof(*kwh));
	for (i = 1; i < n; i++) {
		double a = (double)v[i - 1].t, b = (double)v[i].t;
		double wa = v[i - 1].w, wb = v[i].w;
		double cut = (double)(day0 + ((v[i - 1].t - day0) / 86400 + 1) * 86400);
		size_t d = (size_t)((v[i - 1].t - day0) / 86400);

		if (b - a > 60 || d >= ndays)
			continue;
		if (b > cut) {
			double wc = wa + (wb - wa) * (cut - a) / (b - a);
			kwh[d] += (wa + wc) / 2 * (cut - a) / 3.6e6;
			if (d + 1 < ndays)
				kwh[d + 1] += (wc + wb) / 2 * (b - cut) / 3.6e6;
		} else {
			kwh[d] += (wa + wb) / 2 * (b - a) / 3.6e6;
		}
	}
}

#define NREAD 60000

static void test_kept_equals_raw(void)
{
	static struct reading v[NREAD];
	struct hearth_err err = HEARTH_ERR_INIT;
	struct energy_report r1 = ENERGY_REPORT_INIT, r2 = ENERGY_REPORT_INIT;
	struct store *s = t_mem(DDL);
	int64_t day0 = timefmt_from_civil(2026, 1, 1, 0, 0, 0) / US_PER_SEC;
	double raw[40];
	size_t i, bad = 0;

	make_readings(v, NREAD, day0);
	/* Built from 70% of the readings, then the rest backfilled in two
	 * batches between them, each followed by a report that brings the
	 * slots up to date by parts. */
	insert(s, v, NREAD, first_part);
	CHECK_INT(report(s, CFG, NULL, day0, day0 + 39 * 86400, 0, &r1, &err), 0);
	energy_report_release(&r1);
	insert(s, v, NREAD, rest_a);
	CHECK_INT(report(s, CFG, NULL, day0, day0 + 39 * 86400, 0, &r1, &err), 0);
	energy_report_release(&r1);
	insert(s, v, NREAD, rest_b);
	/* An edit of an old reading's value and time: noted by the update
	 * trigger. */
	t_exec(s, "UPDATE r SET w = w + 500 WHERE rowid = 100");
	CHECK_INT(report(s, CFG, NULL, day0, day0 + 39 * 86400, 0, &r1, &err), 0);
	CHECK_INT(report(s, CFG, NULL, day0, day0 + 39 * 86400, 1, &r2, &err), 0);
	CHECK_INT(r1.n, 40);
	CHECK_INT(r2.n, 40);
	CHECK_INT(r1.max_gap, 60 * US_PER_SEC);
	for (i = 0; i < r1.n && i < r2.n; i++)
		if (fabs(r1.periods[i].kwh - r2.periods[i].kwh) > 1e-9 ||
		    fabs(r1.periods[i].missing - r2.periods[i].missing) > 1e-6)
			bad++;
	CHECK_INT(bad, 0);
	/* The same day sums from the raw rows, with the edit. */
	{
		int64_t t100 = t_int(s, "SELECT CASE WHEN typeof(t) = 'integer' "
				     "THEN t ELSE unixepoch(t) END FROM r "
				     "WHERE rowid = 100");
		for (i = 0; i < NREAD; i++)
			if (v[i].t == t100)
				v[i].w += 500;
	}
	raw_days(v, NREAD, day0, raw, 40);
	for (i = 0, bad = 0; i < r1.n; i++)
		if (fabs(r1.periods[i].kwh - raw[i]) > 1e-3 * raw[i] + 1e-9) {
			fprintf(stderr, "  day %zu: kept %.9f raw %.9f\n", i,
				r1.periods[i].kwh, raw[i]);
			bad++;
		}
	CHECK_INT(bad, 0);
	CHECK(r1.kwh > 100);
	/* Retention: deleting the first week's readings keeps its energy. */
	t_exec(s, "DELETE FROM r WHERE rowid IN (SELECT rowid FROM r ORDER BY "
		  "rowid LIMIT 5000)");
	energy_report_release(&r2);
	CHECK_INT(report(s, CFG, NULL, day0, day0 + 39 * 86400, 0, &r2, &err), 0);
	CHECK(fabs(r2.kwh - r1.kwh) < 1e-9);
	energy_report_release(&r1);
	energy_report_release(&r2);
	store_close(s);
}

/* The same for a counter (random values: many resets, long gaps counted
 * at their later reading): by parts equals a rebuild. */
static void test_counter_by_parts(void)
{
	static struct reading v[NREAD / 4];
	const char *cfg = "[energy]\nr.w = counter_wh\nmax_gap = 60s\n"
			  "[serve]\ntimezone = UTC\n";
	struct hearth_err err = HEARTH_ERR_INIT;
	struct energy_report r1 = ENERGY_REPORT_INIT, r2 = ENERGY_REPORT_INIT;
	struct store *s = t_mem(DDL);
	int64_t day0 = timefmt_from_civil(2026, 1, 1, 0, 0, 0) / US_PER_SEC;
	size_t i, bad = 0;

	make_readings(v, NREAD / 4, day0);
	insert(s, v, NREAD / 4, first_part);
	CHECK_INT(report(s, cfg, NULL, day0, day0 + 9 * 86400, 0, &r1, &err), 0);
	energy_report_release(&r1);
	insert(s, v, NREAD / 4, rest_a);
	CHECK_INT(report(s, cfg, NULL, day0, day0 + 9 * 86400, 0, &r1, &err), 0);
	energy_report_release(&r1);
	insert(s, v, NREAD / 4, rest_b);
	CHECK_INT(report(s, cfg, NULL, day0, day0 + 9 * 86400, 0, &r1, &err), 0);
	CHECK_INT(report(s, cfg, NULL, day0, day0 + 9 * 86400, 1, &r2, &err), 0);
	CHECK_INT(r1.n, 10);
	for (i = 0; i < r1.n && i < r2.n; i++)
		if (fabs(r1.periods[i].kwh - r2.periods[i].kwh) > 1e-9 ||
		    fabs(r1.periods[i].missing - r2.periods[i].missing) > 1e-6)
			bad++;
	CHECK_INT(bad, 0);
	CHECK(r1.kwh > 1);
	energy_report_release(&r1);
	energy_report_release(&r2);
	/* A reading backfilled just before a long gap changes what the gap
	 * counts at its far end, an hour of slots away. */
	t_exec(s, "DELETE FROM r; INSERT INTO r (t, w) VALUES (86400, 100), "
		  "(87400, 200), (91400, 1200)");
	CHECK_INT(report(s, cfg, NULL, 86400, 86400, 0, &r1, &err), 0);
	energy_report_release(&r1);
	t_exec(s, "INSERT INTO r (t, w) VALUES (87410, 700)");
	CHECK_INT(report(s, cfg, NULL, 86400, 86400, 0, &r1, &err), 0);
	CHECK(fabs(r1.kwh - 1.1) < 1e-9);
	energy_report_release(&r1);
	store_close(s);
}

/* A counter column next to the power one, chosen with --column. */
static void test_counter_column(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct energy_report r = ENERGY_REPORT_INIT;
	struct store *s = t_mem(DDL);
	struct buf sql = BUF_INIT;
	int64_t day0 = timefmt_from_civil(2026, 2, 1, 0, 0, 0) / US_PER_SEC;
	double v = 1234.5;
	int i;

	buf_addstr(&sql, "INSERT INTO r (t, kwh) VALUES ");
	for (i = 0; i <= 96; i++) {
		v = i == 40 ? 0.25 : i ? v + 0.25 : v;
		buf_addf(&sql, "%s(%lld, %.2f)", i ? ", " : "",
			 (long long)(day0 + i * 900), v);
	}
	t_exec(s, sql.s);
	CHECK_INT(report(s, "[energy]\nr.w = power\nr.kwh = counter_kwh\n"
			 "max_gap = 20m\n[serve]\ntimezone = UTC\n", "kwh",
			 day0, day0, 0, &r, &err), 0);
	CHECK_INT(r.n, 1);
	CHECK(r.n == 1 && fabs(r.periods[0].kwh - 24) < 1e-9);
	CHECK(r.n == 1 && fabs(r.periods[0].missing) < 1e-9);
	energy_report_release(&r);
	buf_release(&sql);
	store_close(s);
}

/* SQLite numbers new rows after the newest left: after a delete of the
 * newest rows, the next rows take their numbers, and must still be seen
 * as new; the deleted rows' energy stays. */
static void test_delete_newest_then_insert(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct energy_report r = ENERGY_REPORT_INIT;
	struct store *s = t_mem(DDL);
	struct buf sql = BUF_INIT;
	int i;

	buf_addstr(&sql, "INSERT INTO r (t, w) VALUES ");
	for (i = 0; i < 1000; i++)
		buf_addf(&sql, "%s(%d, 1000)", i ? ", " : "", 86400 + i * 10);
	t_exec(s, sql.s);
	CHECK_INT(report(s, CFG, NULL, 86400, 86400, 0, &r, &err), 0);
	CHECK(fabs(r.kwh - 9990.0 / 3600) < 1e-9);
	energy_report_release(&r);
	t_exec(s, "DELETE FROM r WHERE rowid > 900");
	buf_reset(&sql);
	buf_addstr(&sql, "INSERT INTO r (t, w) VALUES ");
	for (i = 0; i < 100; i++)
		buf_addf(&sql, "%s(%d, 1000)", i ? ", " : "", 86400 + 20000 + i * 10);
	t_exec(s, sql.s);
	CHECK_INT(t_int(s, "SELECT max(rowid) FROM r"), 1000);
	CHECK_INT(report(s, CFG, NULL, 86400, 86400, 0, &r, &err), 0);
	CHECK(fabs(r.kwh - (9990.0 + 990.0) / 3600) < 1e-9);
	energy_report_release(&r);
	buf_release(&sql);
	store_close(s);
}

static void test_bad_input(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct energy_report r = ENERGY_REPORT_INIT;
	struct store *s = t_mem(DDL "INSERT INTO r (t, w) VALUES (1000, 5);");

	CHECK_INT(report(s, CFG, "nope", 0, 1, 0, &r, &err), -1);
	CHECK(strstr(err.msg, "unknown column 'nope' in table r") != NULL);
	CHECK_INT(report(s, CFG, "note", 0, 1, 0, &r, &err), -1);
	CHECK(strstr(err.msg, "r.note is not a number column") != NULL);
	CHECK_INT(report(s, "[energy]\nr.w = watts\n", NULL, 0, 1, 0, &r, &err),
		  -1);
	CHECK(strstr(err.msg, "[energy] r.w = 'watts'") != NULL);
	CHECK_INT(report(s, "[energy]\nr.w = power\nr.kwh = counter_wh\n", NULL,
			 0, 1, 0, &r, &err), -1);
	CHECK(strstr(err.msg, "several energy columns (w, kwh)") != NULL);
	CHECK_INT(report(s, "[serve]\ntimezone = UTC\n", NULL, 0, 1, 0, &r, &err),
		  -1);
	CHECK(strstr(err.msg, "no energy column") != NULL);
	CHECK_INT(report(s, "[energy]\nr.w = power\nmax_gap = soon\n", NULL, 0,
			 1, 0, &r, &err), -1);
	CHECK(strstr(err.msg, "[energy] max_gap 'soon'") != NULL);
	CHECK_INT(report(s, "[serve]\ntimezone = Mars/Olympus\n", NULL, 0, 1, 0,
			 &r, &err), -1);
	CHECK(strstr(err.msg, "[serve] timezone") != NULL);
	/* Nothing was written by the failures. */
	CHECK_INT(t_int(s, "SELECT count(*) FROM sqlite_master WHERE name LIKE "
			"'hearth_energy%'"), 0);
	energy_report_release(&r);
	store_close(s);
}

T_MAIN("energy_keep", T(test_kept_equals_raw), T(test_counter_by_parts),
       T(test_counter_column), T(test_delete_newest_then_insert), T(test_bad_input))

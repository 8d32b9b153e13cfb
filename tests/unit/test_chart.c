#include <math.h>
#include <stdlib.h>

#include "chart/chart.h"
#include "base/config.h"
#include "rollup/rollup.h"
#include "t.h"
#include "t_store.h"
#include "base/timefmt.h"

#define S US_PER_SEC

/* A day of readings every 10 s from 2026-01-01 00:00 UTC, with a hole
 * from 06:00 to 07:00 and a 5000 W spike at 12:00:10. */
static struct store *day_db(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = NULL;

	if (store_open(&s, "sqlite:///:memory:", NULL, STORE_CREATE, &err) < 0)
		return NULL;
	t_exec(s, "CREATE TABLE readings (r_datetime TIMESTAMP, r_watts INTEGER, "
		"r_temp REAL);"
		"WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c "
		"WHERE i < 8639) INSERT INTO readings SELECT datetime(1767225600 "
		"+ i * 10, 'unixepoch'), CASE WHEN i = 4321 THEN 5000 ELSE 100 + "
		"i % 50 END, 20 - (i % 7) * 0.5 FROM c WHERE i < 2160 OR i >= 2520;"
		"CREATE TABLE motion (r_datetime TIMESTAMP, r_s_name TEXT);"
		"INSERT INTO motion VALUES ('2026-01-01 00:10:00', 'Hall'),"
		"('2026-01-01 00:20:00', 'Hall'), ('2026-01-01 05:00:00', "
		"'Porch <&>'), ('2026-01-01 23:59:59', 'Hall');");
	return s;
}

/* Build table's rollups from its rows. */
static void rebuild(struct store *s, const char *table)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct schema sc = SCHEMA_INIT;

	CHECK(store_introspect(s, &sc, &err) == 0);
	CHECK(rollup_rebuild(s, &sc, table, NULL, NULL, &err) == 0);
	schema_release(&sc);
}

static int load(struct store *s, struct chart *c, const char *table,
		int64_t t0, int64_t t1, size_t ncols, int raw,
		const struct config *cfg)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct schema sc = SCHEMA_INIT;
	struct chart_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.t0 = t0;
	o.t1 = t1;
	o.ncols = ncols;
	o.raw = raw;
	o.cfg = cfg;
	rc = store_introspect(s, &sc, &err);
	if (rc == 0)
		rc = chart_load(c, s, &sc, table, &o, &err);
	if (rc < 0)
		fprintf(stderr, "  chart: %s\n", err.msg);
	schema_release(&sc);
	return rc;
}

static void test_raw_m4_and_gap(void)
{
	struct store *s = day_db();
	struct chart c = CHART_INIT;
	int64_t t0 = timefmt_from_civil(2026, 1, 1, 0, 0, 0);
	size_t i, empty = 0;

	CHECK(load(s, &c, "readings", t0, t0 + 86400 * S, 96, 1, NULL) == 0);
	CHECK_INT(c.kind, CHART_LINES);
	CHECK_INT(c.level, ROLLUP_RAW);
	CHECK_INT(c.nseries, 2);
	CHECK_STR(c.series[0].unit, "W");
	CHECK_STR(c.series[1].unit, "°C");
	CHECK_INT(c.rows, 8640 - 360);
	CHECK_INT(c.gap, 30 * S);
	/* 15-minute columns: the hour-long hole empties columns 24..27. */
	for (i = 0; i < 96; i++)
		empty += c.series[0].cols[i].n == 0;
	CHECK_INT(empty, 4);
	CHECK_INT(c.series[0].cols[24].n, 0);
	CHECK(bucket_is_gap(&c.series[0].cols[23], &c.series[0].cols[28], c.gap));
	CHECK(!bucket_is_gap(&c.series[0].cols[1], &c.series[0].cols[2], c.gap));
	/* The spike survives: column 48 holds it as its max. */
	CHECK(c.series[0].cols[48].max == 5000);
	CHECK_INT(c.series[0].cols[48].n, 90);
	CHECK(c.series[1].cols[0].min == 17 && c.series[1].cols[0].max == 20);
	CHECK(c.series[0].has_latest && c.series[0].latest == 100 + 8639 % 50);
	chart_release(&c);
	store_close(s);
}

static void test_rollup_matches_raw(void)
{
	struct store *s = day_db();
	struct chart raw = CHART_INIT, ru = CHART_INIT;
	int64_t t0 = timefmt_from_civil(2026, 1, 1, 0, 0, 0);
	size_t i, k;

	rebuild(s, "readings");
	CHECK(load(s, &raw, "readings", t0, t0 + 86400 * S, 96, 1, NULL) == 0);
	CHECK(load(s, &ru, "readings", t0, t0 + 86400 * S, 96, 0, NULL) == 0);
	CHECK_INT(ru.level, ROLLUP_MINUTE);
	CHECK_INT(ru.rows, 1440 - 60);
	CHECK_INT(ru.gap, 30 * S);
	for (k = 0; k < 2; k++)
		for (i = 0; i < 96; i++) {
			const struct bucket *a = &raw.series[k].cols[i],
					    *b = &ru.series[k].cols[i];
			CHECK_INT(a->n, b->n);
			CHECK(a->min == b->min && a->max == b->max);
			CHECK(fabs(a->sum - b->sum) < 1e-6);
		}
	CHECK(bucket_is_gap(&ru.series[0].cols[23], &ru.series[0].cols[28], ru.gap));
	CHECK(!bucket_is_gap(&ru.series[0].cols[1], &ru.series[0].cols[2], ru.gap));
	chart_release(&raw);
	chart_release(&ru);
	/* A year: hour buckets. */
	CHECK(load(s, &ru, "readings", t0 - 300 * 86400 * S, t0 + 65 * 86400 * S,
		   688, 0, NULL) == 0);
	CHECK_INT(ru.level, ROLLUP_HOUR);
	CHECK_INT(ru.rows, 23);
	chart_release(&ru);
	store_close(s);
}

/* The legend's newest value of a series that stopped before the others
 * is in an older bucket than theirs: rollups find it as rows do. */
static void test_latest_of_a_series_that_stopped(void)
{
	struct store *s = day_db();
	struct chart raw = CHART_INIT, ru = CHART_INIT;
	int64_t t0 = timefmt_from_civil(2026, 1, 1, 0, 0, 0);
	size_t k;

	t_exec(s, "UPDATE readings SET r_temp = NULL WHERE r_datetime >= "
		"'2026-01-01 18:00:00'");
	rebuild(s, "readings");
	CHECK(load(s, &raw, "readings", t0, t0 + 86400 * S, 96, 1, NULL) == 0);
	CHECK(load(s, &ru, "readings", t0, t0 + 86400 * S, 96, 0, NULL) == 0);
	CHECK_INT(ru.level, ROLLUP_MINUTE);
	for (k = 0; k < 2; k++) {
		CHECK(ru.series[k].has_latest && raw.series[k].has_latest);
		CHECK(ru.series[k].latest == raw.series[k].latest);
		CHECK_INT(ru.series[k].latest_t, raw.series[k].latest_t);
	}
	CHECK_INT(ru.series[1].latest_t, t0 + (18 * 3600 - 10) * S);
	chart_release(&raw);
	chart_release(&ru);
	store_close(s);
}

static void test_sparse_readings_have_no_gaps(void)
{
	/* One reading every 5 minutes: minute buckets hold one each, four
	 * empty ones between; that is the usual interval, not a gap.  A
	 * missing hour is. */
	struct store *s = day_db();
	struct chart c = CHART_INIT;
	int64_t t0 = timefmt_from_civil(2026, 1, 1, 0, 0, 0);
	size_t i, gaps = 0, prev = 0;
	int have = 0;

	t_exec(s, "CREATE TABLE slow (t TIMESTAMP, temp REAL);"
		"WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c "
		"WHERE i < 287) INSERT INTO slow SELECT datetime(1767225600 + "
		"i * 300, 'unixepoch'), i FROM c WHERE i < 100 OR i >= 112;");
	rebuild(s, "slow");
	CHECK(load(s, &c, "slow", t0, t0 + 86400 * S, 688, 0, NULL) == 0);
	CHECK_INT(c.level, ROLLUP_MINUTE);
	CHECK_INT(c.gap, 900 * S);
	for (i = 0; i < 688; i++) {
		if (!c.series[0].cols[i].n)
			continue;
		if (have && bucket_is_gap(&c.series[0].cols[prev],
					  &c.series[0].cols[i], c.gap))
			gaps++;
		have = 1;
		prev = i;
	}
	CHECK_INT(gaps, 1);
	chart_release(&c);
	store_close(s);
}

static void test_empty_window(void)
{
	struct store *s = day_db();
	struct chart c = CHART_INIT;
	int64_t t0 = timefmt_from_civil(2020, 1, 1, 0, 0, 0);
	size_t i;

	CHECK(load(s, &c, "readings", t0, t0 + 3600 * S, 100, 0, NULL) == 0);
	CHECK_INT(c.rows, 0);
	for (i = 0; i < 100; i++)
		CHECK_INT(c.series[0].cols[i].n, 0);
	CHECK(!c.series[0].has_latest);
	chart_release(&c);
	CHECK(load(s, &c, "readings", t0, t0, 100, 0, NULL) < 0);
	chart_release(&c);
	CHECK(load(s, &c, "nope", t0, t0 + S, 100, 0, NULL) < 0);
	chart_release(&c);
	store_close(s);
}

static void test_events(void)
{
	struct store *s = day_db();
	struct chart c = CHART_INIT;
	int64_t t0 = timefmt_from_civil(2026, 1, 1, 0, 0, 0);

	setenv("TZ", "UTC", 1);
	CHECK(load(s, &c, "motion", t0, t0 + 86400 * S, 96, 0, NULL) == 0);
	CHECK_INT(c.kind, CHART_EVENTS);
	CHECK_INT(c.nlanes, 2);
	CHECK_STR(c.lanes[0].label, "Hall");
	CHECK_INT(c.lanes[0].total, 3);
	CHECK_STR(c.lanes[1].label, "Porch <&>");
	CHECK_INT(c.lanes[0].counts[0], 1);
	CHECK_INT(c.lanes[0].counts[1], 1);
	CHECK_INT(c.bin_width, 3600 * S);
	CHECK_INT(c.bins[0], 2);
	CHECK_INT(c.bins[5], 1);
	CHECK_INT(c.bins[23], 1);
	CHECK_STR(c.latest_label, "Hall");
	chart_release(&c);
	store_close(s);
}

/* Filtered charts: one sensor's events, and lines of the rows holding
 * a value, read as rows (the rollups hold every row), titled so. */
static void test_filtered(void)
{
	struct store *s = day_db();
	struct hearth_err err = HEARTH_ERR_INIT;
	struct schema sc = SCHEMA_INIT;
	struct series_eq porch = { "r_s_name", "Porch <&>" },
			 temp = { "r_temp", "20" };
	struct chart c = CHART_INIT;
	struct chart_opts o;
	int64_t t0 = timefmt_from_civil(2026, 1, 1, 0, 0, 0);
	size_t i, n = 0;

	rebuild(s, "readings");
	CHECK(store_introspect(s, &sc, &err) == 0);
	memset(&o, 0, sizeof(o));
	o.t0 = t0;
	o.t1 = t0 + 86400 * S;
	o.ncols = 96;
	o.eq = &porch;
	o.neq = 1;
	CHECK(chart_load(&c, s, &sc, "motion", &o, &err) == 0);
	CHECK_STR(c.title, "motion (r_s_name=Porch <&>)");
	CHECK_INT(c.nlanes, 1);
	CHECK_INT(c.lanes[0].total, 1);
	chart_release(&c);
	/* r_temp is 20 for one reading in 7. */
	c = (struct chart)CHART_INIT;
	o.eq = &temp;
	CHECK(chart_load(&c, s, &sc, "readings", &o, &err) == 0);
	CHECK_INT(c.level, ROLLUP_RAW);
	for (i = 0; i < 96; i++)
		n += c.series[0].cols[i].n;
	CHECK_INT(n, t_int(s, "SELECT count(*) FROM readings WHERE r_temp = 20"));
	CHECK(c.series[1].cols[0].min == 20 && c.series[1].cols[0].max == 20);
	chart_release(&c);
	/* An unknown column is an error naming it. */
	c = (struct chart)CHART_INIT;
	temp.col = "nope";
	CHECK(chart_load(&c, s, &sc, "readings", &o, &err) < 0);
	CHECK(strstr(err.msg, "unknown column 'nope'") != NULL);
	chart_release(&c);
	schema_release(&sc);
	store_close(s);
}

static void test_units(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct config *cfg = config_new();

	CHECK(config_parse(cfg, "[units]\nreadings.r_watts = kW\n", "t", &err) == 0);
	CHECK_STR(chart_unit(cfg, "readings", "r_watts"), "kW");
	CHECK_STR(chart_unit(cfg, "other", "r_watts"), "W");
	CHECK_STR(chart_unit(NULL, "x", "OutsideTemp"), "°C");
	CHECK_STR(chart_unit(NULL, "x", "humidity"), "%");
	CHECK_STR(chart_unit(NULL, "x", "count"), "");
	config_free(cfg);
}

T_MAIN("chart", T(test_raw_m4_and_gap), T(test_rollup_matches_raw),
       T(test_latest_of_a_series_that_stopped),
       T(test_sparse_readings_have_no_gaps), T(test_empty_window), T(test_events),
       T(test_filtered), T(test_units))

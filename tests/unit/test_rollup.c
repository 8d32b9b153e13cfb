#include <stdlib.h>

#include "chart/chart.h"
#include "base/config.h"
#include "rollup/rollup.h"
#include "t.h"
#include "t_rollup.h"
#include "t_store.h"
#include "base/timefmt.h"

#define S US_PER_SEC

static int rebuild(struct store *s, const char *table)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct schema sc = SCHEMA_INIT;
	int64_t n = -1;
	int rc = store_introspect(s, &sc, &err);

	if (rc == 0)
		rc = rollup_rebuild(s, &sc, table, NULL, &n, &err);
	if (rc < 0)
		fprintf(stderr, "  rebuild: %s\n", err.msg);
	schema_release(&sc);
	return rc < 0 ? -1 : (int)n;
}

/* What a writer or a chart does: fold every row above the marks. */
static void catch_up(struct store *s)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct schema sc = SCHEMA_INIT;

	CHECK(store_introspect(s, &sc, &err) == 0);
	CHECK(store_begin_immediate(s, &err) == 0);
	if (rollup_catch_up(s, &sc, NULL, &err) < 0) {
		fprintf(stderr, "  catch up: %s\n", err.msg);
		t_case_failed = 1;
	}
	CHECK(store_commit(s, &err) == 0);
	schema_release(&sc);
}

static void test_choose_level(void)
{
	CHECK_INT(rollup_choose(4 * S), ROLLUP_RAW);
	CHECK_INT(rollup_choose(125 * S), ROLLUP_MINUTE);
	CHECK_INT(rollup_choose(39420 * S), ROLLUP_HOUR);
	CHECK_INT(rollup_width(ROLLUP_HOUR), 3600 * S);
}

static void test_rebuild_and_catch_up_iso_text(void)
{
	struct store *s = t_mem(NULL);

	t_exec(s, "CREATE TABLE readings (r_datetime TIMESTAMP, r_watts INTEGER, "
		"r_temp REAL);"
		"INSERT INTO readings VALUES ('2026-01-01 10:00:05', 100, 20.5),"
		"('2026-01-01 10:00:35.250000', 300, NULL),"
		"('2026-01-01 10:01:00', -50, 19.0),"
		"('not a time', 9999, 99),"
		"('2026-01-01 11:30:00', 7, 7);");
	CHECK_INT(rebuild(s, "readings"), 3);
	/* 2026-01-01 10:00:00 UTC = 1767261600. */
	CHECK_INT(t_int(s, "SELECT \"r_watts:min\" FROM hearth_rollup_readings_m "
		       "WHERE b = 1767261600"), 100);
	CHECK_INT(t_int(s, "SELECT \"r_watts:max\" FROM hearth_rollup_readings_m "
		       "WHERE b = 1767261600"), 300);
	CHECK_INT(t_int(s, "SELECT \"r_temp:n\" FROM hearth_rollup_readings_m "
		       "WHERE b = 1767261600"), 1);
	CHECK_INT(t_int(s, "SELECT \"r_watts:n\" FROM hearth_rollup_readings_h "
		       "WHERE b = 1767261600"), 3);
	CHECK_INT(t_int(s, "SELECT \"r_watts:sum\" FROM hearth_rollup_readings_h "
		       "WHERE b = 1767261600"), 350);
	/* Rows arriving later are above the mark, and left out, until they
	 * are folded in. */
	t_exec(s, "INSERT INTO readings VALUES ('2026-01-01T10:00:50Z', 900, 25),"
		"('2026-01-01 10:00:51', NULL, 10), ('garbage', 1, 1);");
	CHECK_INT(t_int(s, "SELECT \"r_watts:max\" FROM hearth_rollup_readings_m "
		       "WHERE b = 1767261600"), 300);
	CHECK_INT(t_int(s, "SELECT upto FROM hearth_rollup_mark"), 5);
	catch_up(s);
	CHECK_INT(t_int(s, "SELECT upto FROM hearth_rollup_mark"), 8);
	CHECK_INT(t_int(s, "SELECT \"r_watts:max\" FROM hearth_rollup_readings_m "
		       "WHERE b = 1767261600"), 900);
	CHECK_INT(t_int(s, "SELECT \"r_watts:n\" FROM hearth_rollup_readings_m "
		       "WHERE b = 1767261600"), 3);
	CHECK_INT(t_int(s, "SELECT \"r_temp:min\" FROM hearth_rollup_readings_m "
		       "WHERE b = 1767261600"), 10);
	CHECK_INT(t_int(s, "SELECT \"r_watts:n\" FROM hearth_rollup_readings_h "
		       "WHERE b = 1767261600"), 4);
	CHECK_INT(t_int(s, "SELECT count(*) FROM hearth_rollup_readings_m"), 3);
	store_close(s);
}

#define M_MAX(c) "SELECT \"" c ":max\" FROM hearth_rollup_r_m WHERE b = "
#define M_N(c) "SELECT \"" c ":n\" FROM hearth_rollup_r_m WHERE b = "

static void test_delete_and_update_recompute(void)
{
	struct store *s = t_mem(NULL);

	/* Space and T separators and unix seconds in one table, all in the
	 * minute 1767261600 (2026-01-01 10:00). */
	t_exec(s, "CREATE TABLE r (t TIMESTAMP, w INTEGER);"
		"INSERT INTO r VALUES ('2026-01-01 10:00:05', 100),"
		"('2026-01-01T10:00:20Z', 900), (1767261650, 300),"
		"('2026-01-01 10:01:10', 50);");
	CHECK_INT(rebuild(s, "r"), 2);
	CHECK_INT(t_int(s, M_MAX("w") "1767261600"), 900);
	t_exec(s, "DELETE FROM r WHERE w = 900");
	CHECK_INT(t_int(s, M_MAX("w") "1767261600"), 300);
	CHECK_INT(t_int(s, M_N("w") "1767261600"), 2);
	t_exec(s, "DELETE FROM r WHERE w = 300");
	CHECK_INT(t_int(s, M_MAX("w") "1767261600"), 100);
	/* An update of a value, then of a time into the next minute. */
	t_exec(s, "UPDATE r SET w = 70 WHERE w = 100");
	CHECK_INT(t_int(s, M_MAX("w") "1767261600"), 70);
	t_exec(s, "UPDATE r SET t = '2026-01-01 10:01:30' WHERE w = 70");
	CHECK_INT(t_int(s, "SELECT count(*) FROM hearth_rollup_r_m WHERE b = "
		       "1767261600"), 0);
	CHECK_INT(t_int(s, M_MAX("w") "1767261660"), 70);
	CHECK_INT(t_int(s, M_N("w") "1767261660"), 2);
	CHECK_INT(t_int(s, "SELECT \"w:sum\" FROM hearth_rollup_r_h"), 120);
	CHECK_INT(t_int(s, "SELECT \"w:n\" FROM hearth_rollup_r_h"), 2);
	t_exec(s, "DELETE FROM r");
	CHECK_INT(t_int(s, "SELECT count(*) FROM hearth_rollup_r_m"), 0);
	CHECK_INT(t_int(s, "SELECT count(*) FROM hearth_rollup_r_h"), 0);
	store_close(s);
}

/* The rollups of r equal a rebuild's. */
static void check_as_rebuilt(struct store *s)
{
	struct buf kept = BUF_INIT, now = BUF_INIT;

	t_rows(s, "SELECT * FROM hearth_rollup_r_m ORDER BY b", &kept);
	t_rows(s, "SELECT * FROM hearth_rollup_r_h ORDER BY b", &kept);
	CHECK_INT(rebuild(s, "r") > 0, 1);
	t_rows(s, "SELECT * FROM hearth_rollup_r_m ORDER BY b", &now);
	t_rows(s, "SELECT * FROM hearth_rollup_r_h ORDER BY b", &now);
	CHECK_STR(buf_cstr(&kept), buf_cstr(&now));
	buf_release(&kept);
	buf_release(&now);
}

/* Rows on both sides of midnight, with a space and with a T: the update
 * and delete triggers recompute 23:59 from its own rows, not the next
 * day's (whose text sorts inside the T range up to "…24T00:00"). */
static void test_recompute_across_midnight(void)
{
	struct store *s = t_mem(NULL);

	t_exec(s, "CREATE TABLE r (t TIMESTAMP, w INTEGER);"
		"INSERT INTO r VALUES ('2014-11-23 23:59:10', 1),"
		"('2014-11-23T23:59:20Z', 2), ('2014-11-23 23:59:59.5', 3),"
		"('2014-11-24 00:00:00', 10), ('2014-11-24 00:05:00', 20),"
		"('2014-11-24T00:06:00', 40), ('2014-11-23T12:00:00', 80),"
		"('2014-11-23 23:59', 160);");
	CHECK(rebuild(s, "r") > 0);
	t_exec(s, "UPDATE r SET w = 5 WHERE w = 1");
	check_as_rebuilt(s);
	t_exec(s, "UPDATE r SET w = 6 WHERE w = 2");
	check_as_rebuilt(s);
	t_exec(s, "DELETE FROM r WHERE w = 3");
	check_as_rebuilt(s);
	CHECK_INT(t_int(s, "SELECT \"w:sum\" FROM hearth_rollup_r_m WHERE b = "
		       "1416787140"), 5 + 6 + 160);
	store_close(s);
}

/* Triggers other than the ones hearth makes now (an older hearth's,
 * or rewritten by SQLite after a rename) make the rollups not ready,
 * and rollup_ensure builds them again. */
static void test_outdated_triggers_rebuilt(void)
{
	struct store *s = t_mem(NULL);
	struct hearth_err err = HEARTH_ERR_INIT;
	struct buf built = BUF_INIT;

	t_exec(s, "CREATE TABLE r (t TIMESTAMP, w INTEGER);"
		"INSERT INTO r VALUES ('2014-11-23 23:59:10', 1);");
	CHECK(rebuild(s, "r") > 0);
	CHECK_INT(t_rollup_ready(s, "r", ROLLUP_MINUTE), 1);
	t_exec(s, "DROP TRIGGER hearth_rollup_r_upd; CREATE TRIGGER "
		"hearth_rollup_r_upd AFTER UPDATE ON r BEGIN SELECT 1; END;");
	CHECK_INT(t_rollup_ready(s, "r", ROLLUP_MINUTE), 0);
	CHECK(rollup_ensure(s, NULL, &built, &err) == 0);
	CHECK_STR(buf_cstr(&built), "r");
	CHECK_INT(t_rollup_ready(s, "r", ROLLUP_HOUR), 1);
	buf_release(&built);
	store_close(s);
}

static void test_unix_seconds_and_odd_names(void)
{
	struct store *s = t_mem(NULL);
	struct hearth_err err = HEARTH_ERR_INIT;
	struct schema sc = SCHEMA_INIT;

	t_exec(s, "CREATE TABLE \"we\"\"ird <t>\" (t TIMESTAMP, \"v&\"\"1\" REAL, "
		"id INTEGER PRIMARY KEY);"
		"INSERT INTO \"we\"\"ird <t>\" VALUES (1767261605, -1.5, NULL), "
		"(1767261700.5, 2.5, NULL);");
	CHECK_INT(rebuild(s, "we\"ird <t>"), 2);
	t_exec(s, "INSERT INTO \"we\"\"ird <t>\" VALUES (1767261610, -4, NULL)");
	catch_up(s);
	CHECK_INT(t_int(s, "SELECT \"v&\"\"1:min\" * 10 FROM "
		       "\"hearth_rollup_we\"\"ird <t>_m\" WHERE b = 1767261600"),
		  -40);
	CHECK(store_introspect(s, &sc, &err) == 0);
	{
		const struct schema_table *t = schema_find_table(&sc, "we\"ird <t>");
		CHECK(t && rollup_ready(&sc, t, schema_time_column(t, NULL),
					ROLLUP_HOUR));
		/* The integer primary key is not a series. */
		CHECK(t && schema_find_column(schema_find_table(
				&sc, "hearth_rollup_we\"ird <t>_m"), "id:min") == NULL);
	}
	schema_release(&sc);
	CHECK(rollup_drop(s, "we\"ird <t>", &err) == 0);
	CHECK_INT(t_int(s, "SELECT count(*) FROM sqlite_master WHERE name LIKE "
		       "'hearth_rollup%' AND name <> 'hearth_rollup_mark'"), 0);
	CHECK_INT(t_int(s, "SELECT count(*) FROM hearth_rollup_mark"), 0);
	store_close(s);
}

static void test_events_table_has_no_rollup(void)
{
	struct store *s = t_mem(NULL);

	t_exec(s, "CREATE TABLE motion (r_datetime TIMESTAMP, r_s_name TEXT);");
	CHECK_INT(rebuild(s, "motion"), 0);
	CHECK_INT(t_int(s, "SELECT count(*) FROM sqlite_master WHERE name LIKE "
		       "'hearth_rollup%'"), 0);
	CHECK_INT(rebuild(s, "nope"), -1);
	store_close(s);
}

static void test_ensure_builds_missing(void)
{
	struct store *s = t_mem(NULL);
	struct hearth_err err = HEARTH_ERR_INIT;
	struct buf built = BUF_INIT;

	t_exec(s, "CREATE TABLE a (t TIMESTAMP, w INTEGER);"
		"CREATE TABLE m (t TIMESTAMP, who TEXT);");
	CHECK(rollup_ensure(s, NULL, &built, &err) == 0);
	CHECK_STR(buf_cstr(&built), "a");
	buf_reset(&built);
	CHECK(rollup_ensure(s, NULL, &built, &err) == 0);
	CHECK_STR(buf_cstr(&built), "");
	/* A new column makes the rollup stale: built again. */
	t_exec(s, "ALTER TABLE a ADD COLUMN temp REAL");
	CHECK(rollup_ensure(s, NULL, &built, &err) == 0);
	CHECK_STR(buf_cstr(&built), "a");
	buf_release(&built);
	store_close(s);
}

T_MAIN("rollup", T(test_choose_level), T(test_rebuild_and_catch_up_iso_text),
       T(test_delete_and_update_recompute),
       T(test_unix_seconds_and_odd_names), T(test_events_table_has_no_rollup),
       T(test_ensure_builds_missing), T(test_recompute_across_midnight),
       T(test_outdated_triggers_rebuilt))

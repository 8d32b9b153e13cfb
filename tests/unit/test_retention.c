#include <stdlib.h>

#include "base/config.h"
#include "base/timefmt.h"
#include "rollup/retention.h"
#include "rollup/rollup.h"
#include "t.h"
#include "t_store.h"

/* A readings table of unix-second times: n rows a minute apart, the
 * newest `fresh` minutes ago. */
static struct store *readings(int n, int64_t fresh)
{
	struct store *s = t_mem("CREATE TABLE readings (t TIMESTAMP NOT NULL, "
				"w INTEGER); CREATE INDEX readings_t ON readings (t)");
	struct buf sql = BUF_INIT;
	int64_t now = timefmt_now() / US_PER_SEC;

	buf_addf(&sql, "WITH RECURSIVE i(k) AS (SELECT 0 UNION ALL SELECT k + 1 "
		 "FROM i WHERE k < %d) INSERT INTO readings SELECT %lld - k * 60, "
		 "k FROM i ORDER BY k DESC", n - 1, (long long)(now - fresh * 60));
	t_exec(s, sql.s);
	buf_release(&sql);
	return s;
}

static struct config *rules(const char *text)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct config *c = config_new();

	CHECK_INT(config_parse(c, text, "t.ini", &err), 0);
	return c;
}

/* 3,000 minutes of rows, a day kept: those older go, the rollups stay
 * as they were; a run with a row limit stops at it and says more are
 * left; the newest row always stays. */
static void test_rows_go_rollups_stay(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = readings(3000, 0);
	struct config *c = rules("[retention]\nreadings = 1d\n");
	struct buf log = BUF_INIT, before = BUF_INIT, after = BUF_INIT;
	int64_t kept = 0, left;

	CHECK_INT(retention_apply(s, c, 0, &log, &err), 0); /* builds rollups */
	t_rows(s, "SELECT * FROM hearth_rollup_readings_h ORDER BY b", &before);
	CHECK(strstr(log.s, "built chart rollups of readings") != NULL);
	CHECK_INT(retention_kept_from(s, "readings", &kept, &err), 1);
	CHECK_INT(kept % (3600 * US_PER_SEC), 0);
	left = t_int(s, "SELECT count(*) FROM readings");
	CHECK(left >= 1440 && left <= 1500);
	CHECK_INT(t_int(s, "SELECT count(*) FROM readings WHERE t < "
			"(SELECT kept_from FROM hearth_retention)"), 0);
	t_rows(s, "SELECT * FROM hearth_rollup_readings_h ORDER BY b", &after);
	CHECK_STR(after.s, before.s);
	store_close(s);
	config_free(c);

	/* All rows old: 1,000 a run, and the newest stays. */
	s = readings(2500, 3 * 1440);
	c = rules("[retention]\nreadings = 1d\n");
	buf_reset(&log);
	CHECK_INT(retention_apply(s, c, 1000, &log, &err), 0);
	CHECK_INT(t_int(s, "SELECT count(*) FROM readings"), 1500);
	CHECK(strstr(log.s, "1000 rows before") != NULL);
	CHECK(strstr(log.s, "(more at the next run)") != NULL);
	buf_reset(&log);
	CHECK_INT(retention_apply(s, c, 0, &log, &err), 0);
	CHECK_INT(t_int(s, "SELECT count(*) FROM readings"), 1);
	CHECK_INT(t_int(s, "SELECT w FROM readings"), 0);
	CHECK(strstr(log.s, "1499 rows before") != NULL);
	store_close(s);
	config_free(c);
	buf_release(&log);
	buf_release(&before);
	buf_release(&after);
}

/* Bad rules (a table that is not there, an age that is none or under
 * an hour): an error naming them, nothing deleted; none is 1. */
static void test_bad_rules(void)
{
	static const char *const bad[] = {
		"[retention]\nnope = 1d\n", "[retention]\nreadings = soon\n",
		"[retention]\nreadings = 30m\n",
	};
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = readings(3000, 0);
	struct buf log = BUF_INIT;
	struct config *c;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = rules(bad[i]);
		CHECK_INT(retention_apply(s, c, 0, &log, &err), -1);
		CHECK(strncmp(err.msg, "[retention] ", 12) == 0);
		config_free(c);
	}
	CHECK_INT(t_int(s, "SELECT count(*) FROM readings"), 3000);
	c = rules("[hearth]\ndb = x\n");
	CHECK_INT(retention_check(c, &err), 1);
	config_free(c);
	buf_release(&log);
	store_close(s);
}

/* A table other tools wrote: times as unix seconds in some rows, ISO
 * text (with a space or a T) in others: the old of each go, the new of
 * each stay. */
static void test_mixed_times(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem("CREATE TABLE readings (t TIMESTAMP NOT NULL, "
				"w INTEGER); CREATE INDEX readings_t ON readings (t)");
	struct config *c = rules("[retention]\nreadings = 1d\n");
	struct buf log = BUF_INIT, rows = BUF_INIT;

	t_exec(s, "INSERT INTO readings VALUES "
		  "(strftime('%s', 'now', '-3 days'), 1), "
		  "(strftime('%Y-%m-%d %H:%M:%S', 'now', '-3 days'), 2), "
		  "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-3 days'), 3), "
		  "(strftime('%s', 'now', '-2 hours'), 4), "
		  "(strftime('%Y-%m-%d %H:%M:%S', 'now', '-2 hours'), 5), "
		  "(strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-2 hours'), 6)");
	t_exec(s, "UPDATE readings SET t = CAST(t AS INTEGER) WHERE w IN (1, 4)");
	CHECK_INT(retention_apply(s, c, 0, &log, &err), 0);
	t_rows(s, "SELECT w FROM readings ORDER BY w", &rows);
	CHECK_STR(rows.s, "w\n4\n5\n6\n");
	config_free(c);
	buf_release(&log);
	buf_release(&rows);
	store_close(s);
}

T_MAIN("retention", T(test_rows_go_rollups_stay), T(test_bad_rules),
       T(test_mixed_times))

/* rollup_follow: the rollups after a schema change are never stale. */
#include <stdlib.h>

#include "rollup/rollup.h"
#include "t.h"
#include "t_rollup.h"
#include "t_store.h"

#define MINUTE "1767261600" /* 2026-01-01 10:00 UTC */

/* A table r with rollups over two rows in the minute MINUTE. */
static struct store *with_rollups(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct schema sc = SCHEMA_INIT;
	struct store *s = t_mem("CREATE TABLE r (t TIMESTAMP, w INTEGER);"
				"INSERT INTO r VALUES "
				"('2026-01-01 10:00:05', 100), "
				"('2026-01-01 10:00:20', 300);");

	CHECK(store_introspect(s, &sc, &err) == 0);
	CHECK(rollup_rebuild(s, &sc, "r", NULL, NULL, &err) == 0);
	schema_release(&sc);
	return s;
}

/* Run change as a revision does (migration.c): change, follow; in one
 * transaction.  Rows above the mark stay unfolded. */
static int change(struct store *s, const char *sql)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct schema before = SCHEMA_INIT, after = SCHEMA_INIT;
	int rc = -1;

	if (store_begin_immediate(s, &err) < 0 ||
	    store_introspect(s, &before, &err) < 0 ||
	    store_exec(s, sql, &err) < 0 ||
	    store_introspect(s, &after, &err) < 0 ||
	    rollup_follow(s, &before, &after, &err) < 0 ||
	    store_commit(s, &err) < 0) {
		fprintf(stderr, "  change: %s\n", err.msg);
		store_rollback(s, NULL);
	} else {
		rc = 0;
	}
	schema_release(&before);
	schema_release(&after);
	return rc;
}

/* Fold the rows above the mark, as a writer does before it writes. */
static void fold(struct store *s)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct schema sc = SCHEMA_INIT;

	CHECK(store_begin_immediate(s, &err) == 0);
	CHECK(store_introspect(s, &sc, &err) == 0);
	CHECK(rollup_catch_up(s, &sc, NULL, &err) == 0);
	CHECK(store_commit(s, &err) == 0);
	schema_release(&sc);
}

/* Both levels of table's rollups are current. */
static int ready(struct store *s, const char *table)
{
	return t_rollup_ready(s, table, ROLLUP_MINUTE) == 1 &&
	       t_rollup_ready(s, table, ROLLUP_HOUR) == 1;
}

static int rollup_objects(struct store *s, const char *table)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT (SELECT count(*) FROM sqlite_master "
		 "WHERE name GLOB 'hearth_rollup_%s_*') + (SELECT count(*) "
		 "FROM hearth_rollup_mark WHERE tbl = '%s')", table, table);
	return (int)t_int(s, sql);
}

static void test_added_column_extends_in_place(void)
{
	struct store *s = with_rollups();

	/* A bucket a rebuild would recompute: an extension keeps it. */
	t_exec(s, "UPDATE hearth_rollup_r_m SET \"w:max\" = 999");
	CHECK(change(s, "ALTER TABLE r ADD COLUMN temp REAL") == 0);
	CHECK(ready(s, "r"));
	CHECK_INT(t_int(s, "SELECT \"w:max\" FROM hearth_rollup_r_m"), 999);
	CHECK_INT(t_int(s, "SELECT \"temp:n\" FROM hearth_rollup_r_m"), 0);
	CHECK_INT(t_int(s, "SELECT \"temp:max\" IS NULL FROM hearth_rollup_r_h"),
		  1);
	/* New rows fold into the new buckets, and the triggers know the
	 * new column. */
	t_exec(s, "INSERT INTO r VALUES ('2026-01-01 10:00:40', 200, 21.5)");
	fold(s);
	t_exec(s, "UPDATE r SET temp = 19.5 WHERE w = 100");
	CHECK_INT(t_int(s, "SELECT \"temp:n\" FROM hearth_rollup_r_m"), 2);
	CHECK_INT(t_int(s, "SELECT \"temp:min\" * 10 FROM hearth_rollup_r_h"),
		  195);
	CHECK_INT(t_int(s, "SELECT \"w:n\" FROM hearth_rollup_r_h"), 3);
	t_exec(s, "DELETE FROM r WHERE temp = 21.5");
	CHECK_INT(t_int(s, "SELECT \"temp:max\" * 10 FROM hearth_rollup_r_m"),
		  195);
	store_close(s);
}

/* Rows another program wrote are not folded by a revision that adds a
 * column (its time would grow with them): the mark stays, and a fold
 * later takes them in, into the new column's buckets too. */
static void test_added_column_leaves_rows_above_mark(void)
{
	struct store *s = with_rollups();

	t_exec(s, "INSERT INTO r VALUES ('2026-01-01 10:00:40', 200)");
	CHECK(change(s, "ALTER TABLE r ADD COLUMN temp REAL") == 0);
	CHECK(ready(s, "r"));
	CHECK_INT(t_int(s, "SELECT upto FROM hearth_rollup_mark"), 2);
	CHECK_INT(t_int(s, "SELECT \"w:n\" FROM hearth_rollup_r_m"), 2);
	t_exec(s, "UPDATE r SET temp = 20 WHERE rowid = 3");
	fold(s);
	CHECK_INT(t_int(s, "SELECT upto FROM hearth_rollup_mark"), 3);
	CHECK_INT(t_int(s, "SELECT \"w:n\" FROM hearth_rollup_r_m"), 3);
	CHECK_INT(t_int(s, "SELECT \"temp:sum\" FROM hearth_rollup_r_h"), 20);
	store_close(s);
}

/* A column added with values: the rollups go (a rebuild would read every
 * row), and come back whole when rebuilt. */
static void test_filled_column_drops(void)
{
	struct store *s = with_rollups();

	t_exec(s, "UPDATE hearth_rollup_r_m SET \"w:max\" = 999");
	CHECK(change(s, "ALTER TABLE r ADD COLUMN k INTEGER DEFAULT 7") == 0);
	CHECK_INT(rollup_objects(s, "r"), 0);
	t_rollup_rebuild(s, "r");
	CHECK(ready(s, "r"));
	CHECK_INT(t_int(s, "SELECT \"w:max\" FROM hearth_rollup_r_m"), 300);
	CHECK_INT(t_int(s, "SELECT \"k:sum\" FROM hearth_rollup_r_m WHERE b = "
		       MINUTE), 14);
	/* A revision that fills a column it adds, too. */
	CHECK(change(s, "ALTER TABLE r ADD COLUMN j INTEGER; "
		      "UPDATE r SET j = w / 100") == 0);
	CHECK_INT(rollup_objects(s, "r"), 0);
	store_close(s);
}

/* A column the rollups hold and the table lost: the buckets are stale
 * (folding stops), so they are not ready, whoever made the change; a
 * revision that rebuilds the table drops them. */
static void test_dropped_column_drops(void)
{
	struct store *s = with_rollups();
	const char *last =
		"CREATE TABLE hearth_new_r (t TIMESTAMP);"
		"INSERT INTO hearth_new_r SELECT t FROM r; DROP TABLE r;"
		"ALTER TABLE hearth_new_r RENAME TO r;";

	CHECK(change(s, "ALTER TABLE r ADD COLUMN v REAL") == 0);
	t_exec(s, "INSERT INTO r VALUES ('2026-01-01 10:00:30', 5, 1.5)");
	CHECK_INT(rollup_objects(s, "r"), 5);
	t_exec(s, "ALTER TABLE r DROP COLUMN v");
	CHECK(!ready(s, "r"));
	/* Adding it back through a revision does not make the old v
	 * buckets true again: they go. */
	CHECK(change(s, "ALTER TABLE r ADD COLUMN v REAL") == 0);
	CHECK_INT(rollup_objects(s, "r"), 0);
	t_rollup_rebuild(s, "r");
	CHECK(ready(s, "r"));
	CHECK(change(s, "CREATE TABLE hearth_new_r (t TIMESTAMP, w INTEGER);"
		      "INSERT INTO hearth_new_r SELECT t, w FROM r; DROP TABLE r;"
		      "ALTER TABLE hearth_new_r RENAME TO r;") == 0);
	CHECK_INT(rollup_objects(s, "r"), 0);
	t_rollup_rebuild(s, "r");
	CHECK_INT(t_int(s, "SELECT \"w:n\" FROM hearth_rollup_r_m"), 3);
	CHECK_INT(t_int(s, "SELECT count(*) FROM pragma_table_info("
		       "'hearth_rollup_r_m')"), 5);
	/* The last number gone: so are the rollups, for good. */
	CHECK(change(s, last) == 0);
	CHECK_INT(rollup_objects(s, "r"), 0);
	t_rollup_rebuild(s, "r");
	CHECK_INT(rollup_objects(s, "r"), 0);
	t_exec(s, "DELETE FROM r");
	store_close(s);
}

static void test_dropped_and_renamed_tables(void)
{
	struct store *s = with_rollups();

	CHECK(change(s, "ALTER TABLE r RENAME TO r2") == 0);
	CHECK_INT(rollup_objects(s, "r"), 0);
	CHECK(ready(s, "r2"));
	CHECK_INT(t_int(s, "SELECT \"w:sum\" FROM hearth_rollup_r2_h"), 400);
	/* Its triggers are its own, not the old name's. */
	t_exec(s, "DELETE FROM r2 WHERE w = 300");
	CHECK_INT(t_int(s, "SELECT \"w:sum\" FROM hearth_rollup_r2_h"), 100);
	CHECK(change(s, "DROP TABLE r2") == 0);
	CHECK_INT(rollup_objects(s, "r2"), 0);
	/* A table of the old name starts afresh, its rowids from 1. */
	CHECK(change(s, "CREATE TABLE r2 (t TIMESTAMP, x REAL)") == 0);
	t_exec(s, "INSERT INTO r2 VALUES ('2026-01-01 10:00:01', 2.5)");
	CHECK_INT(t_int(s, "SELECT upto FROM hearth_rollup_mark WHERE tbl = "
		       "'r2'"), 0);
	store_close(s);
}

static void test_new_tables(void)
{
	struct store *s = t_mem(NULL);

	CHECK(change(s, "CREATE TABLE cpu (time TIMESTAMP NOT NULL, host TEXT, "
		      "usage REAL); CREATE TABLE ev (time TIMESTAMP, who TEXT);"
		      "CREATE TABLE plain (a INTEGER, b REAL);"
		      "CREATE TABLE nr (t TIMESTAMP PRIMARY KEY, v REAL) "
		      "WITHOUT ROWID") == 0);
	CHECK(ready(s, "cpu"));
	CHECK_INT(rollup_objects(s, "cpu"), 5);
	CHECK_INT(rollup_objects(s, "ev"), 0);
	CHECK_INT(rollup_objects(s, "plain"), 0);
	CHECK_INT(rollup_objects(s, "nr"), 0);
	/* Tables that had none before are left to rollup_ensure. */
	CHECK(change(s, "ALTER TABLE ev ADD COLUMN n INTEGER") == 0);
	CHECK_INT(rollup_objects(s, "ev"), 0);
	store_close(s);
}

/* Every rollup row of r, and its columns, as text. */
static void dump(struct store *s, struct buf *out)
{
	buf_reset(out);
	t_rows(s, "SELECT * FROM hearth_rollup_r_m ORDER BY b", out);
	t_rows(s, "SELECT * FROM hearth_rollup_r_h ORDER BY b", out);
}

/* The rebuild that drops column k of t, as hearth's migrations write it:
 * the rows copied in order into a new table, which takes t's name. */
static void drop_one(struct buf *sql, const struct schema_table *t, int k)
{
	struct buf cols = BUF_INIT;
	int i;

	buf_addstr(sql, "CREATE TABLE hearth_new_r (");
	for (i = 0; i < (int)t->ncols; i++)
		if (i != k) {
			buf_addf(sql, "%s\"%s\" %s", cols.len ? ", " : "",
				 t->cols[i].name, t->cols[i].type);
			buf_addf(&cols, "%s\"%s\"", cols.len ? ", " : "",
				 t->cols[i].name);
		}
	buf_addf(sql, "); INSERT INTO hearth_new_r SELECT %s FROM r ORDER BY "
		 "rowid; DROP TABLE r; ALTER TABLE hearth_new_r RENAME TO r",
		 cols.s);
	buf_release(&cols);
}

/* Random revisions (columns added empty or filled, renamed, dropped by
 * a rebuild; values filled in) between random rows, which another
 * program writes, so that half the revisions run with rows above the
 * mark: after each, the rollups of r are ready or gone, and, once made
 * again where gone and the rows folded, hold what a rebuild makes. */
static void test_random_revisions(void)
{
	struct store *s = with_rollups();
	struct buf sql = BUF_INIT, got = BUF_INIT, want = BUF_INIT;
	struct hearth_err err = HEARTH_ERR_INIT;
	struct schema sc = SCHEMA_INIT;
	uint32_t seed = 11;
	int step, next = 0, bad = 0, dropped = 0;

	for (step = 0; step < 120 && !bad; step++) {
		const struct schema_table *t;
		unsigned r;
		int ncols;

		seed = seed * 1103515245u + 12345u;
		r = seed >> 8;
		CHECK(store_introspect(s, &sc, &err) == 0);
		t = schema_find_table(&sc, "r");
		ncols = t ? (int)t->ncols : 0;
		buf_reset(&sql);
		switch (r % 6) {
		case 0:
			buf_addf(&sql, "ALTER TABLE r ADD COLUMN c%d REAL", next++);
			break;
		case 1:
			buf_addf(&sql, "ALTER TABLE r ADD COLUMN c%d INTEGER "
				 "DEFAULT %u", next++, r % 9);
			break;
		case 2: /* a number into the last column */
			buf_addf(&sql, "UPDATE r SET \"%s\" = rowid %% %u + 1 "
				 "WHERE rowid %% 3 = %u", t->cols[ncols - 1].name,
				 r % 5 + 2, r / 6 % 3);
			break;
		case 3: /* rename a column other than the time */
			buf_addf(&sql, "ALTER TABLE r RENAME COLUMN \"%s\" TO "
				 "c%d", t->cols[1 + (int)(r / 6) % (ncols - 1)].name,
				 next++);
			break;
		case 4: /* drop a column by a rebuild, as hearth's migrations do */
			if (ncols <= 2) {
				buf_addstr(&sql, "SELECT 1");
				break;
			}
			drop_one(&sql, t, 1 + (int)(r / 6) % (ncols - 1));
			break;
		default: /* a revision that writes rows */
			buf_addf(&sql, "INSERT INTO r (t, \"%s\") VALUES "
				 "('2026-01-01 10:0%u:00', %u), (%u, NULL)",
				 t->cols[ncols - 1].name, r % 10, r % 77,
				 1767261600 + r % 7200);
			break;
		}
		if (r / 64 % 2) { /* rows another program writes, unfolded */
			char more[300];
			snprintf(more, sizeof(more), "INSERT INTO r (t, \"%s\") "
				 "VALUES ('2026-01-01 10:1%u:00', %u), (%u, 5)",
				 t->cols[ncols - 1].name, r / 128 % 10, r % 61,
				 1767261600 + r / 128 % 7200);
			t_exec(s, more);
		}
		schema_release(&sc);
		CHECK(change(s, sql.s) == 0);
		/* Current, or gone (to be rebuilt as hearth serve starts):
		 * never there and stale. */
		if (!ready(s, "r") && rollup_objects(s, "r")) {
			fprintf(stderr, "  step %d: stale after %s\n", step,
				sql.s);
			CHECK(0);
			break;
		}
		if (!rollup_objects(s, "r")) {
			dropped++;
			t_rollup_rebuild(s, "r");
		}
		fold(s);
		dump(s, &got);
		t_rollup_rebuild(s, "r");
		dump(s, &want);
		if (strcmp(got.s, want.s)) {
			fprintf(stderr, "  step %d: %s\n", step, sql.s);
			bad = 1;
		}
		CHECK_STR(buf_cstr(&got), buf_cstr(&want));
	}
	/* Both ways were taken: rollups kept and dropped. */
	CHECK(dropped > 0 && dropped < step);
	buf_release(&sql);
	buf_release(&got);
	buf_release(&want);
	store_close(s);
}

T_MAIN("rollup_follow", T(test_random_revisions), T(test_added_column_extends_in_place),
       T(test_added_column_leaves_rows_above_mark),
       T(test_filled_column_drops), T(test_dropped_column_drops),
       T(test_dropped_and_renamed_tables), T(test_new_tables))

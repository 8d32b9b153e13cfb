/* test_loss.c - what a schema change would destroy, and how much. */
#include <stdlib.h>

#include "base/xalloc.h"
#include "migrate/diff.h"
#include "migrate/loss.h"
#include "t.h"
#include "t_store.h"

/* Run `change` on a database made from `setup`; describe the loss. */
static void loss(const char *setup, const char *change, const char *want)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem(setup), *t = t_mem(setup);
	struct schema before, after;
	struct loss_report lr;
	struct buf msg = BUF_INIT;

	CHECK_INT(store_introspect(s, &before, &err), 0);
	CHECK_INT(store_exec(t, change, &err), 0);
	CHECK_INT(store_introspect(t, &after, &err), 0);
	loss_find(&before, &after, change, &lr);
	CHECK_INT(loss_count(s, &lr, &err), 0);
	loss_describe(&lr, &msg);
	CHECK_STR(buf_cstr(&msg), want);
	buf_release(&msg);
	loss_report_release(&lr);
	schema_release(&before);
	schema_release(&after);
	store_close(s);
	store_close(t);
}

static const char setup[] =
	"CREATE TABLE r (t TIMESTAMP, w TEXT, h REAL);"
	"INSERT INTO r VALUES (1, 'a', NULL), (2, 'b', 1.5), (3, NULL, NULL);"
	"CREATE TABLE e (x INTEGER);"
	"CREATE TABLE hearth_version (v TEXT); INSERT INTO hearth_version VALUES ('x');";

static void test_drops(void)
{
	loss(setup, "DROP TABLE r;", "drops table r (3 rows)");
	loss(setup, "ALTER TABLE r DROP COLUMN h;",
	     "drops column r.h (1 rows hold a value)");
	/* empty tables and internal ones lose nothing */
	loss(setup, "DROP TABLE e; DROP TABLE hearth_version;", "");
}

static void test_renames_are_not_losses(void)
{
	loss(setup, "ALTER TABLE \"r\" RENAME COLUMN \"w\" TO \"what\";", "");
	loss(setup, "ALTER TABLE r RENAME w TO what;", "");
	loss(setup, "ALTER TABLE r RENAME TO readings;", "");
}

static void test_narrowing(void)
{
	loss(setup, "CREATE TABLE n (t TIMESTAMP, w INTEGER, h REAL);"
		    "INSERT INTO n SELECT * FROM r; DROP TABLE r;"
		    "ALTER TABLE n RENAME TO r;",
	     "narrows r.w to INTEGER (2 values would change, such as 'a')");
	/* widening is fine */
	loss(setup, "CREATE TABLE n (t TIMESTAMP, w TEXT, h TEXT);"
		    "INSERT INTO n SELECT * FROM r; DROP TABLE r;"
		    "ALTER TABLE n RENAME TO r;", "");
	CHECK(schema_type_narrows("VARCHAR(20)", "VARCHAR(10)"));
	CHECK(!schema_type_narrows("VARCHAR(10)", "VARCHAR(20)"));
	CHECK(schema_type_narrows("REAL", "INTEGER"));
	CHECK(!schema_type_narrows("INT", "BIGINT"));
}

/* Only the values the new type changes count: whole numbers of a REAL
 * column and integer strings of a TEXT one lose nothing as INTEGERs;
 * 2.5, '4.5', 'x' and '042' (read back as 42) do. */
static void test_narrowing_counts_changed_values(void)
{
	static const char nums[] =
		"CREATE TABLE m (t TIMESTAMP, x REAL, s TEXT);"
		"INSERT INTO m VALUES (1, 2.0, '12'), (2, -7, '-30'),"
		" (3, NULL, NULL), (4, 1e3, '0');";
	static const char to_int[] =
		"CREATE TABLE n (t TIMESTAMP, x INTEGER, s INTEGER);"
		"INSERT INTO n SELECT * FROM m; DROP TABLE m;"
		"ALTER TABLE n RENAME TO m;";
	char *more = xasprintf("%sINSERT INTO m VALUES (5, 2.5, '4.5'),"
			       " (6, 3, 'x'), (7, 4, '042');", nums);

	loss(nums, to_int, "");
	loss(more, to_int,
	     "narrows m.x to INTEGER (1 values would change, such as '2.5'), "
	     "narrows m.s to INTEGER (3 values would change, such as '042')");
	free(more);
}

/* a column renamed and retyped at once narrows all the same */
static void test_narrowing_across_a_rename(void)
{
	const char *rebuild = "CREATE TABLE n (t TIMESTAMP, watts INTEGER, h REAL);"
			      "INSERT INTO n SELECT * FROM r; DROP TABLE r;"
			      "ALTER TABLE n RENAME TO r;";
	char *sql = xasprintf("ALTER TABLE r RENAME COLUMN w TO watts;%s", rebuild);

	loss(setup, sql, "narrows r.w to INTEGER (2 values would change, such as 'a')");
	free(sql);
	/* and through a table's rename too */
	loss(setup, "ALTER TABLE r RENAME TO readings;"
		    "ALTER TABLE readings RENAME COLUMN w TO watts;"
		    "CREATE TABLE n (t TIMESTAMP, watts INTEGER, h REAL);"
		    "INSERT INTO n SELECT * FROM readings; DROP TABLE readings;"
		    "ALTER TABLE n RENAME TO readings;",
	     "narrows r.w to INTEGER (2 values would change, such as 'a')");
}

/* columns a change adds NOT NULL with nothing to fill them */
static void test_unfilled(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem(setup);
	struct schema a, b;
	struct diff d;
	struct loss_report lr;

	CHECK_INT(store_introspect(s, &a, &err), 0);
	{
		struct store *t = t_mem(
			"CREATE TABLE r (t TIMESTAMP, w TEXT, h REAL,"
			" s TEXT NOT NULL, k INTEGER NOT NULL DEFAULT 0);"
			"CREATE TABLE e (id INTEGER PRIMARY KEY NOT NULL, x INTEGER,"
			" y TEXT NOT NULL);");
		CHECK_INT(store_introspect(t, &b, &err), 0);
		store_close(t);
	}
	diff_schemas(&a, &b, &d);
	loss_find_unfilled(&d, &lr);
	CHECK_INT(lr.n, 2);
	CHECK_INT(loss_count(s, &lr, &err), 0);
	if (lr.n == 2) {
		/* e has no rows: counted 0, nothing will fail there */
		CHECK_STR(lr.items[0].table, "e");
		CHECK_STR(lr.items[0].column, "y");
		CHECK_INT(lr.items[0].rows, 0);
		CHECK_STR(lr.items[1].table, "r");
		CHECK_STR(lr.items[1].column, "s");
		CHECK_INT(lr.items[1].rows, 3);
	}
	loss_report_release(&lr);
	diff_release(&d);
	schema_release(&a);
	schema_release(&b);
	store_close(s);
}

T_MAIN("loss", T(test_drops), T(test_renames_are_not_losses),
       T(test_narrowing_across_a_rename), T(test_unfilled),
       T(test_narrowing), T(test_narrowing_counts_changed_values))

/* test_loss.c - what a schema change would destroy, and how much. */
#include <stdlib.h>

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
	     "narrows r.w to INTEGER (2 rows hold a value)");
	/* widening is fine */
	loss(setup, "CREATE TABLE n (t TIMESTAMP, w TEXT, h TEXT);"
		    "INSERT INTO n SELECT * FROM r; DROP TABLE r;"
		    "ALTER TABLE n RENAME TO r;", "");
	CHECK(schema_type_narrows("VARCHAR(20)", "VARCHAR(10)"));
	CHECK(!schema_type_narrows("VARCHAR(10)", "VARCHAR(20)"));
	CHECK(schema_type_narrows("REAL", "INTEGER"));
	CHECK(!schema_type_narrows("INT", "BIGINT"));
}

T_MAIN("loss", T(test_drops), T(test_renames_are_not_losses),
       T(test_narrowing))

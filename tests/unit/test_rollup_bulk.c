#include "t.h"
#include "t_store.h"
#include "rollup.h"

#define DDL "CREATE TABLE r (t TIMESTAMP, w INTEGER, c REAL);" \
	    "CREATE INDEX r_t ON r (t);"                         \
	    "INSERT INTO r VALUES ('2014-11-23 22:15:00', 100, 20.5)," \
	    "('2014-11-23 22:15:30', 300, NULL), ('2014-11-23 23:59:59', 50, 19);"

/* New rows: inside an existing bucket, new buckets, both text spellings
 * and unix seconds, a zone offset, NULL values. */
#define MORE "INSERT INTO r VALUES ('2014-11-23 22:15:45.5', 900, 18)," \
	     "('2014-11-23T23:16:30+01:00', 4, 4), ('2014-11-23 22:16:59Z', 3, 3)," \
	     "('2014-11-23T22:16:10', 5, 21), (1416784000, NULL, 22.5),"  \
	     "('2014-11-24 00:00:00', 7, NULL), (1416787200, 1, 1);"

static void dump(struct store *s, const char *sql, struct buf *out)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store_stmt *st;
	int i, n;

	CHECK(store_prepare(s, sql, &st, &err) == 0);
	n = store_column_count(st);
	while (store_step(st, &err) == 1) {
		for (i = 0; i < n; i++)
			buf_addf(out, "%s|", store_column_text(st, i, NULL));
		buf_addch(out, '\n');
	}
	store_finalize(st);
}

static struct store *prepared(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct schema sc = SCHEMA_INIT;
	struct store *s = t_mem(DDL);

	CHECK(store_introspect(s, &sc, &err) == 0);
	CHECK(rollup_rebuild(s, &sc, "r", NULL, NULL, &err) == 0);
	schema_release(&sc);
	return s;
}

static void rollups(struct store *s, struct buf *out)
{
	dump(s, "SELECT * FROM hearth_rollup_r_m ORDER BY b", out);
	dump(s, "SELECT * FROM hearth_rollup_r_h ORDER BY b", out);
	dump(s, "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name", out);
}

static void test_bulk_equals_trigger(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *a = prepared(), *b = prepared();
	struct buf ra = BUF_INIT, rb_ = BUF_INIT;
	struct rollup_bulk *rb = rollup_bulk_new();
	struct schema sc = SCHEMA_INIT;

	CHECK(store_exec(a, MORE, &err) == 0);
	CHECK(store_introspect(b, &sc, &err) == 0);
	CHECK(store_begin(b, &err) == 0);
	CHECK(rollup_bulk_add(rb, b, &sc, "r", NULL, &err) == 0);
	CHECK(rollup_bulk_add(rb, b, &sc, "r", NULL, &err) == 0); /* twice: no-op */
	CHECK(store_exec(b, MORE, &err) == 0);
	CHECK(rollup_bulk_finish(rb, b, &err) == 0);
	CHECK(store_commit(b, &err) == 0);
	rollups(a, &ra);
	rollups(b, &rb_);
	CHECK_STR(buf_cstr(&rb_), buf_cstr(&ra));
	CHECK(strstr(buf_cstr(&rb_), "hearth_rollup_r_ins") != NULL);
	/* the next transaction can suspend again */
	CHECK(store_begin(b, &err) == 0);
	CHECK(rollup_bulk_add(rb, b, &sc, "r", NULL, &err) == 0);
	CHECK(rollup_bulk_finish(rb, b, &err) == 0);
	CHECK(store_commit(b, &err) == 0);
	buf_reset(&rb_);
	rollups(b, &rb_);
	CHECK_STR(buf_cstr(&rb_), buf_cstr(&ra));
	schema_release(&sc);
	rollup_bulk_free(rb);
	buf_release(&ra);
	buf_release(&rb_);
	store_close(a);
	store_close(b);
}

static void test_rollback_restores(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = prepared();
	struct buf before = BUF_INIT, after = BUF_INIT;
	struct rollup_bulk *rb = rollup_bulk_new();
	struct schema sc = SCHEMA_INIT;

	rollups(s, &before);
	CHECK(store_introspect(s, &sc, &err) == 0);
	CHECK(store_begin(s, &err) == 0);
	CHECK(rollup_bulk_add(rb, s, &sc, "r", NULL, &err) == 0);
	CHECK(store_exec(s, MORE, &err) == 0);
	CHECK(store_rollback(s, &err) == 0);
	rollup_bulk_forget(rb);
	rollups(s, &after);
	CHECK_STR(buf_cstr(&after), buf_cstr(&before));
	schema_release(&sc);
	rollup_bulk_free(rb);
	buf_release(&before);
	buf_release(&after);
	store_close(s);
}

static void test_table_without_rollups(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem(DDL);
	struct rollup_bulk *rb = rollup_bulk_new();
	struct schema sc = SCHEMA_INIT;

	CHECK(store_introspect(s, &sc, &err) == 0);
	CHECK(store_begin(s, &err) == 0);
	CHECK(rollup_bulk_add(rb, s, &sc, "r", NULL, &err) == 0);
	CHECK(rollup_bulk_add(rb, s, &sc, "nosuch", NULL, &err) == 0);
	CHECK(store_exec(s, MORE, &err) == 0);
	CHECK(rollup_bulk_finish(rb, s, &err) == 0);
	CHECK(store_commit(s, &err) == 0);
	schema_release(&sc);
	rollup_bulk_free(rb);
	store_close(s);
}

T_MAIN("rollup_bulk", T(test_bulk_equals_trigger), T(test_rollback_restores),
       T(test_table_without_rollups))

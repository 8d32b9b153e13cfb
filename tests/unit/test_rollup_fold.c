/*
 * Folding rows into the rollups: by catch-up (SQL, rows above the mark)
 * and by accumulator (C, rows in memory) must both give what a rebuild
 * from every row gives; deletes, updates and rollbacks keep the mark
 * honest.
 */
#include "t.h"
#include "t_rollup.h"
#include "t_store.h"
#include "rollup/rollup.h"
#include "base/timefmt.h"

#define DDL "CREATE TABLE r (t TIMESTAMP, w INTEGER, c REAL);" \
	    "CREATE INDEX r_t ON r (t);"
#define FIRST "INSERT INTO r VALUES ('2014-11-23 22:15:00', 100, 20.5)," \
	      "('2014-11-23 22:15:30', 300, NULL), ('2014-11-23 23:59:59', 50, 19);"

/* New rows: inside an existing bucket, new buckets, both text spellings
 * and unix seconds, a zone offset, NULL values, a row with no time. */
#define MORE "INSERT INTO r VALUES ('2014-11-23 22:15:45.5', 900, 18)," \
	     "('2014-11-23T23:16:30+01:00', 4, 4), ('2014-11-23 22:16:59Z', 3, 3)," \
	     "('2014-11-23T22:16:10', 5, 21), (1416784000, NULL, 22.5),"  \
	     "('2014-11-24 00:00:00', 7, NULL), (1416787200, 1, 1), (NULL, 5, 5);"

static void rollups(struct store *s, struct buf *out)
{
	t_rows(s, "SELECT * FROM hearth_rollup_r_m ORDER BY b", out);
	t_rows(s, "SELECT * FROM hearth_rollup_r_h ORDER BY b", out);
	t_rows(s, "SELECT tbl, time_col, upto FROM hearth_rollup_mark", out);
}

static void catch_up(struct store *s, const char *table)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct schema sc = SCHEMA_INIT;

	CHECK(store_introspect(s, &sc, &err) == 0);
	CHECK(store_begin_immediate(s, &err) == 0);
	CHECK(rollup_catch_up(s, &sc, table, &err) == 0);
	CHECK(store_commit(s, &err) == 0);
	schema_release(&sc);
}

/* Rollups of a store that had `before` when they were built and `after`
 * inserted since, then folded: the same as rebuilt from all rows. */
static void test_catch_up_equals_rebuild(void)
{
	struct store *a = t_mem(DDL FIRST), *b = t_mem(DDL FIRST MORE);
	struct buf ra = BUF_INIT, rb = BUF_INIT;

	t_rollup_rebuild(a, "r");
	t_exec(a, MORE);
	catch_up(a, "r");
	t_rollup_rebuild(b, "r");
	rollups(a, &ra);
	rollups(b, &rb);
	CHECK_STR(buf_cstr(&ra), buf_cstr(&rb));
	/* Nothing new: the same again, the mark where it was. */
	catch_up(a, NULL);
	buf_reset(&ra);
	rollups(a, &ra);
	CHECK_STR(buf_cstr(&ra), buf_cstr(&rb));
	CHECK_INT(t_int(a, "SELECT upto FROM hearth_rollup_mark"), 11);
	buf_release(&ra);
	buf_release(&rb);
	store_close(a);
	store_close(b);
}

/* Pseudo-random rows: integers and reals, negative, NULL, times out of
 * order over three hours, a few with no time. */
struct row {
	int64_t t;
	int w_null, c_null;
	int64_t w;
	double c;
};

static void make_rows(struct row *rows, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		rows[i].t = (1416780000LL + (seed >> 8) % 10800) * US_PER_SEC +
			    (int64_t)(seed % 1000) * 1000;
		if (seed % 97 == 0)
			rows[i].t = INT64_MIN;
		rows[i].w_null = seed % 7 == 0;
		rows[i].c_null = seed % 5 == 0;
		rows[i].w = (int64_t)(seed >> 4) % 2000 - 1000;
		rows[i].c = (double)((seed >> 3) % 4001) / 8.0 - 250.0;
	}
}

static void insert_rows(struct store *s, const struct row *rows, size_t n)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store_stmt *st;
	char tbuf[64];
	size_t i;

	CHECK(store_prepare(s, "INSERT INTO r VALUES (?, ?, ?)", &st, &err) == 0);
	for (i = 0; i < n; i++) {
		if (rows[i].t == INT64_MIN) {
			store_bind_null(st, 1);
		} else {
			size_t len = timefmt_format(rows[i].t, TIMEFMT_SQL, tbuf,
						    sizeof(tbuf));
			store_bind_text(st, 1, tbuf, len);
		}
		if (rows[i].w_null)
			store_bind_null(st, 2);
		else
			store_bind_int(st, 2, rows[i].w);
		if (rows[i].c_null)
			store_bind_null(st, 3);
		else
			store_bind_real(st, 3, rows[i].c);
		CHECK(store_step(st, &err) >= 0);
		store_reset(st);
	}
	store_finalize(st);
}

/* What the API does with a request: aggregate before the lock, then in
 * one transaction catch up, insert, store the buckets. */
static void write_with_acc(struct store *s, const struct row *rows, size_t n)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct schema sc = SCHEMA_INIT;
	struct rollup_acc *acc;
	int cw, cc;
	size_t i;

	CHECK(store_introspect(s, &sc, &err) == 0);
	acc = rollup_acc_new(&sc, "r");
	CHECK(acc != NULL);
	if (!acc)
		goto out;
	cw = rollup_acc_col(acc, "w");
	cc = rollup_acc_col(acc, "c");
	CHECK(cw >= 0 && cc >= 0 && rollup_acc_col(acc, "t") == -1);
	for (i = 0; i < n; i++) {
		if (rows[i].t == INT64_MIN)
			continue;
		rollup_acc_row(acc, rows[i].t);
		rollup_acc_add(acc, cw, rows[i].w_null ? STORE_NULL : STORE_INT,
			       rows[i].w, 0);
		rollup_acc_add(acc, cc, rows[i].c_null ? STORE_NULL : STORE_REAL,
			       0, rows[i].c);
	}
	CHECK(store_begin_immediate(s, &err) == 0);
	CHECK(rollup_catch_up(s, &sc, "r", &err) == 0);
	insert_rows(s, rows, n);
	CHECK(rollup_acc_store(acc, s, &err) == 0);
	CHECK(store_commit(s, &err) == 0);
out:
	rollup_acc_free(acc);
	schema_release(&sc);
}

static void test_acc_equals_rebuild(void)
{
	static struct row rows[3000];
	struct store *a = t_mem(DDL FIRST), *b = t_mem(DDL FIRST);
	struct buf ra = BUF_INIT, rb = BUF_INIT;

	make_rows(rows, 3000, 42);
	t_rollup_rebuild(a, "r");
	/* A row from another program first: the request folds it too. */
	t_exec(a, "INSERT INTO r VALUES ('2014-11-23 22:15:10', -7, 0.25)");
	t_exec(b, "INSERT INTO r VALUES ('2014-11-23 22:15:10', -7, 0.25)");
	/* Two requests, the second into buckets the first made. */
	write_with_acc(a, rows, 1700);
	write_with_acc(a, rows + 1700, 1300);
	insert_rows(b, rows, 3000);
	t_rollup_rebuild(b, "r");
	rollups(a, &ra);
	rollups(b, &rb);
	CHECK_STR(buf_cstr(&ra), buf_cstr(&rb));
	CHECK_INT(t_int(a, "SELECT upto FROM hearth_rollup_mark"), 3004);
	buf_release(&ra);
	buf_release(&rb);
	store_close(a);
	store_close(b);
}

/* Deleting the newest rows lowers the mark: SQLite gives their rowids to
 * the next rows, which must still count as new. */
static void test_delete_newest_lowers_mark(void)
{
	struct store *s = t_mem(DDL FIRST);

	t_rollup_rebuild(s, "r");
	CHECK_INT(t_int(s, "SELECT upto FROM hearth_rollup_mark"), 3);
	t_exec(s, "DELETE FROM r WHERE rowid = 3");
	CHECK_INT(t_int(s, "SELECT upto FROM hearth_rollup_mark"), 2);
	CHECK_INT(t_int(s, "SELECT sum(\"w:n\") FROM hearth_rollup_r_h"), 2);
	t_exec(s, "INSERT INTO r VALUES ('2014-11-23 23:59:59', 60, 1)");
	CHECK_INT(t_int(s, "SELECT max(rowid) FROM r"), 3);
	catch_up(s, "r");
	CHECK_INT(t_int(s, "SELECT sum(\"w:n\") FROM hearth_rollup_r_h"), 3);
	CHECK_INT(t_int(s, "SELECT sum(\"w:sum\") FROM hearth_rollup_r_h"), 460);
	/* An older row deleted: the mark stays. */
	t_exec(s, "DELETE FROM r WHERE rowid = 1");
	CHECK_INT(t_int(s, "SELECT upto FROM hearth_rollup_mark"), 3);
	CHECK_INT(t_int(s, "SELECT sum(\"w:sum\") FROM hearth_rollup_r_h"), 360);
	t_exec(s, "DELETE FROM r");
	CHECK_INT(t_int(s, "SELECT upto FROM hearth_rollup_mark"), 0);
	CHECK_INT(t_int(s, "SELECT count(*) FROM hearth_rollup_r_m"), 0);
	store_close(s);
}

/* A row above the mark changed or deleted before it is folded counts
 * once, with its last value, or not at all. */
static void test_unfolded_rows_change(void)
{
	struct store *s = t_mem(DDL FIRST);

	t_rollup_rebuild(s, "r");
	t_exec(s, "INSERT INTO r VALUES ('2014-11-23 22:15:40', 1000, 1),"
		"('2014-11-23 22:15:50', 2000, 2)");
	t_exec(s, "UPDATE r SET w = 1 WHERE w = 1000");
	t_exec(s, "DELETE FROM r WHERE w = 2000");
	CHECK_INT(t_int(s, "SELECT \"w:n\" FROM hearth_rollup_r_m WHERE b = 1416780900"), 2);
	catch_up(s, "r");
	CHECK_INT(t_int(s, "SELECT \"w:n\" FROM hearth_rollup_r_m WHERE b = 1416780900"), 3);
	CHECK_INT(t_int(s, "SELECT \"w:sum\" FROM hearth_rollup_r_m WHERE b = 1416780900"), 401);
	CHECK_INT(t_int(s, "SELECT \"w:max\" FROM hearth_rollup_r_m WHERE b = 1416780900"), 300);
	store_close(s);
}

static void test_rollback_keeps_mark(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem(DDL FIRST);
	struct buf before = BUF_INIT, after = BUF_INIT;
	struct schema sc = SCHEMA_INIT;

	t_rollup_rebuild(s, "r");
	rollups(s, &before);
	CHECK(store_introspect(s, &sc, &err) == 0);
	CHECK(store_begin_immediate(s, &err) == 0);
	t_exec(s, MORE);
	CHECK(rollup_catch_up(s, &sc, NULL, &err) == 0);
	CHECK(store_rollback(s, &err) == 0);
	rollups(s, &after);
	CHECK_STR(buf_cstr(&after), buf_cstr(&before));
	schema_release(&sc);
	buf_release(&before);
	buf_release(&after);
	store_close(s);
}

/* Readers fold in their own transaction, only when something is new. */
static void test_refresh(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem(DDL FIRST);
	struct schema sc = SCHEMA_INIT;

	t_rollup_rebuild(s, "r");
	t_exec(s, MORE);
	CHECK(store_introspect(s, &sc, &err) == 0);
	CHECK(rollup_refresh(s, &sc, "r", &err) == 0);
	CHECK_INT(t_int(s, "SELECT upto FROM hearth_rollup_mark"), 11);
	CHECK_INT(t_int(s, "SELECT sum(\"w:n\") FROM hearth_rollup_r_m"), 9);
	CHECK(rollup_refresh(s, &sc, "r", &err) == 0);
	CHECK(rollup_refresh(s, &sc, "nosuch", &err) == 0);
	schema_release(&sc);
	store_close(s);
}

/* No rollups: nothing to fold, no accumulator; the per-row insert
 * trigger of older hearths makes the rollups stale (rebuilt). */
static void test_without_rollups(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem(DDL FIRST);
	struct schema sc = SCHEMA_INIT;

	CHECK(store_introspect(s, &sc, &err) == 0);
	CHECK(rollup_acc_new(&sc, "r") == NULL);
	CHECK(store_begin_immediate(s, &err) == 0);
	CHECK(rollup_catch_up(s, &sc, NULL, &err) == 0);
	CHECK(rollup_catch_up(s, &sc, "r", &err) == 0);
	CHECK(store_commit(s, &err) == 0);
	schema_release(&sc);
	t_rollup_rebuild(s, "r");
	t_exec(s, "CREATE TRIGGER hearth_rollup_r_ins AFTER INSERT ON r BEGIN "
		"SELECT 1; END");
	CHECK_INT(t_rollup_ready(s, "r", ROLLUP_MINUTE), 0);
	t_rollup_rebuild(s, "r");
	CHECK_INT(t_int(s, "SELECT count(*) FROM sqlite_master WHERE name = "
		       "'hearth_rollup_r_ins'"), 0);
	store_close(s);
}

/* A migration renamed the time column: the rollups are stale until
 * rebuilt, and writes go on. */
static void test_stale_rollups_do_not_block_writes(void)
{
	struct store *s = t_mem(DDL FIRST);

	t_rollup_rebuild(s, "r");
	t_exec(s, "ALTER TABLE r RENAME COLUMN t TO t2");
	t_exec(s, MORE);
	catch_up(s, NULL);
	CHECK_INT(t_int(s, "SELECT upto FROM hearth_rollup_mark"), 3);
	t_rollup_rebuild(s, "r");
	CHECK_INT(t_int(s, "SELECT upto FROM hearth_rollup_mark"), 11);
	CHECK_INT(t_int(s, "SELECT time_col = 't2' FROM hearth_rollup_mark"), 1);
	store_close(s);
}

static void test_without_rowid(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem("CREATE TABLE k (t TIMESTAMP PRIMARY KEY, "
				"w INTEGER) WITHOUT ROWID");
	struct schema sc = SCHEMA_INIT;
	struct buf built = BUF_INIT;

	CHECK(store_introspect(s, &sc, &err) == 0);
	CHECK(rollup_rebuild(s, &sc, "k", NULL, NULL, &err) < 0);
	CHECK(strstr(err.msg, "WITHOUT ROWID") != NULL);
	CHECK(rollup_ensure(s, NULL, &built, &err) == 0);
	CHECK_STR(buf_cstr(&built), "");
	schema_release(&sc);
	buf_release(&built);
	store_close(s);
}

/* A time around midnight or the hour, in one of the spellings tables
 * hold: text with a space or a T, a Z, fractions, no seconds; unix
 * seconds, whole or not; now and then none, or garbage. */
static void random_time(struct buf *b, uint32_t *seed)
{
	static const int64_t around[] = { 1416787200, 1416790800, 1416873600 };
	char text[64];
	int64_t t;
	unsigned r;

	*seed = *seed * 1103515245u + 12345u;
	r = *seed >> 8;
	t = around[r % 3] - 150 + (int64_t)(r / 3 % 300);
	switch (r / 900 % 9) {
	case 0: buf_addf(b, "%lld", (long long)t); return;
	case 1: buf_addf(b, "%lld.5", (long long)t); return;
	case 2: buf_addstr(b, r % 2 ? "NULL" : "'garbage'"); return;
	}
	timefmt_format(t * US_PER_SEC, TIMEFMT_ISO_Z, text, sizeof(text));
	/* text is "YYYY-MM-DDTHH:MM:SSZ" */
	switch (r / 900 % 9) {
	case 3: text[10] = ' '; text[19] = '\0'; break;
	case 4: text[19] = '\0'; break;
	case 5: break;
	case 6: text[10] = ' '; text[16] = '\0'; break; /* no seconds */
	default: text[10] = ' '; memcpy(text + 19, ".250000", 8); break;
	}
	buf_addf(b, "'%s'", text);
}

/* Inserts (folded by catch-up), updates of values and of times, and
 * deletes, whatever the rows look like: after each, the rollups are
 * what a rebuild from the rows makes. */
static void test_random_changes_equal_rebuild(void)
{
	struct store *s = t_mem(DDL);
	struct buf sql = BUF_INIT, got = BUF_INIT, want = BUF_INIT;
	uint32_t seed = 7;
	int step, i, bad = 0;

	t_rollup_rebuild(s, "r");
	for (step = 0; step < 300 && !bad; step++) {
		unsigned r;

		seed = seed * 1103515245u + 12345u;
		r = seed >> 8;
		buf_reset(&sql);
		switch (r % 4) {
		case 0:
		case 1:
			buf_addstr(&sql, "INSERT INTO r VALUES ");
			for (i = 0; i < 8; i++) {
				buf_addstr(&sql, i ? ", (" : "(");
				random_time(&sql, &seed);
				buf_addf(&sql, ", %d, %d.5)", (int)(seed % 1000) - 300,
					 (int)(seed >> 20) % 50);
			}
			break;
		case 2:
			buf_addstr(&sql, "UPDATE r SET ");
			if (r / 4 % 2) {
				buf_addstr(&sql, "t = ");
				random_time(&sql, &seed);
			} else {
				buf_addf(&sql, "w = %d", (int)(r % 777));
			}
			buf_addf(&sql, " WHERE rowid %% 7 = %u", r / 8 % 7);
			break;
		default:
			buf_addf(&sql, "DELETE FROM r WHERE rowid %% 5 = %u OR "
				 "rowid = (SELECT max(rowid) FROM r)", r / 4 % 5);
			break;
		}
		t_exec(s, sql.s);
		catch_up(s, "r");
		buf_reset(&got);
		rollups(s, &got);
		t_rollup_rebuild(s, "r");
		buf_reset(&want);
		rollups(s, &want);
		if (strcmp(got.s, want.s)) {
			fprintf(stderr, "  step %d: %s\n", step, sql.s);
			bad = 1;
		}
		CHECK_STR(buf_cstr(&got), buf_cstr(&want));
	}
	CHECK(t_int(s, "SELECT count(*) FROM r") > 20);
	buf_release(&sql);
	buf_release(&got);
	buf_release(&want);
	store_close(s);
}

T_MAIN("rollup_fold", T(test_catch_up_equals_rebuild),
       T(test_random_changes_equal_rebuild),
       T(test_acc_equals_rebuild), T(test_delete_newest_lowers_mark),
       T(test_unfolded_rows_change), T(test_rollback_keeps_mark),
       T(test_refresh), T(test_without_rollups),
       T(test_stale_rollups_do_not_block_writes), T(test_without_rowid))

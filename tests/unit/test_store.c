/* Tests for store.c: the statements a connection keeps (store_cached),
 * and the write-ahead log's length. */
#include "t.h"
#include "t_store.h"

#include "store/store.h"

static struct store_stmt *cached(struct store *s, const char *sql)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store_stmt *st = NULL;

	if (store_cached(s, sql, &st, &err) < 0) {
		fprintf(stderr, "  %s: %s\n", sql, err.msg);
		t_case_failed = 1;
	}
	return st;
}

/* Insert v through the cached statement for sql. */
static int insert(struct store *s, const char *sql, int64_t v)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store_stmt *st = cached(s, sql);
	int rc;

	if (!st)
		return -1;
	store_bind_int(st, 1, v);
	rc = store_step(st, &err);
	store_reset(st);
	if (rc < 0)
		fprintf(stderr, "  %s: %s\n", sql, err.msg);
	return rc;
}

/* SELECT n + ? for the n-th distinct statement text. */
static struct store_stmt *numbered(struct store *s, int n)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "SELECT %d + ?", n);
	return cached(s, sql);
}

static void test_same_text_same_statement(void)
{
	struct store *s = t_mem("CREATE TABLE t (v INTEGER)");
	const char *ins = "INSERT INTO t (v) VALUES (?)";
	struct store_stmt *a = cached(s, ins);

	CHECK(a != NULL);
	CHECK(cached(s, ins) == a);
	CHECK(cached(s, "SELECT count(*) FROM t") != a);
	CHECK_INT(insert(s, ins, 1), 0);
	CHECK_INT(insert(s, ins, 2), 0);
	CHECK_INT(t_int(s, "SELECT sum(v) FROM t"), 3);
	store_close(s);
}

/* The least recently asked for goes first; one asked for again stays. */
static void test_oldest_goes(void)
{
	struct store *s = t_mem(NULL);
	struct store_stmt *keep = numbered(s, 0), *first = numbered(s, 1);
	int i;

	for (i = 2; i < STORE_CACHE; i++)
		numbered(s, i);
	CHECK(numbered(s, 0) == keep); /* full now; 0 is the newest again */
	numbered(s, STORE_CACHE);      /* pushes out 1, the oldest */
	CHECK(numbered(s, 0) == keep);
	for (i = 2; i <= STORE_CACHE; i++)
		numbered(s, i);
	/* 1 was compiled again, and works */
	first = numbered(s, 1);
	CHECK(first != NULL);
	CHECK_INT(store_bind_int(first, 1, 41), 0);
	{
		struct hearth_err err = HEARTH_ERR_INIT;
		CHECK_INT(store_step(first, &err), 1);
		CHECK_INT(store_column_int(first, 0), 42);
		store_reset(first);
	}
	store_close(s);
}

/* A kept statement follows the table through schema changes, as another
 * connection's migration makes them. */
static void test_schema_changes(void)
{
	struct store *s = t_mem("CREATE TABLE t (v INTEGER)");
	const char *ins = "INSERT INTO t (v) VALUES (?)";

	CHECK_INT(insert(s, ins, 1), 0);
	t_exec(s, "ALTER TABLE t ADD COLUMN w REAL");
	CHECK_INT(insert(s, ins, 2), 0);
	/* a rebuild, as a migration does it */
	t_exec(s, "CREATE TABLE t_new (v INTEGER, w REAL, x TEXT);"
		  "INSERT INTO t_new (v, w) SELECT v, w FROM t;"
		  "DROP TABLE t; ALTER TABLE t_new RENAME TO t");
	CHECK_INT(insert(s, ins, 3), 0);
	CHECK_INT(t_int(s, "SELECT count(*) FROM t"), 3);
	/* a column it names gone: an error, not a crash */
	t_exec(s, "DROP TABLE t; CREATE TABLE t (w REAL)");
	CHECK_INT(insert(s, ins, 4), -1);
	store_close(s);
}

/* Bad SQL is an error each time, and takes no slot. */
static void test_bad_sql(void)
{
	struct store *s = t_mem(NULL);
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store_stmt *st = NULL, *keep = numbered(s, 0);
	int i;

	for (i = 0; i < 2; i++) {
		CHECK_INT(store_cached(s, "SELEC 1", &st, &err), -1);
		CHECK(strstr(err.msg, "syntax error") != NULL);
	}
	CHECK_INT(store_cached(s, "SELECT 1; SELECT 2", &st, &err), -1);
	for (i = 1; i < STORE_CACHE; i++)
		numbered(s, i);
	CHECK(numbered(s, 0) == keep);
	store_close(s);
}

/* The log's length after each commit; checkpoints when asked to. */
static void test_wal_frames(void)
{
	char path[4096];
	struct store *s = t_file_db(path, sizeof(path));
	int64_t before;
	int i;

	t_exec(s, "CREATE TABLE t (v)");
	store_autocheckpoint(s, 0);
	before = store_wal_frames(s);
	for (i = 0; i < 20; i++)
		t_exec(s, "INSERT INTO t VALUES (randomblob(3000))");
	CHECK(store_wal_frames(s) >= before + 20); /* a page a row at least */
	/* copied into the file, the log starts over at the next write */
	t_exec(s, "PRAGMA wal_checkpoint(PASSIVE)");
	t_exec(s, "INSERT INTO t VALUES (1)");
	CHECK(store_wal_frames(s) < 5);
	/* SQLite's own policy, through the hook: never far past 10 pages */
	store_autocheckpoint(s, 10);
	for (i = 0; i < 50; i++) {
		t_exec(s, "INSERT INTO t VALUES (randomblob(3000))");
		CHECK(store_wal_frames(s) < 16);
	}
	CHECK_INT(t_int(s, "SELECT count(*) FROM t"), 71);
	t_file_db_remove(s, path);
}

T_MAIN("store", T(test_same_text_same_statement), T(test_oldest_goes),
       T(test_schema_changes), T(test_bad_sql), T(test_wal_frames))

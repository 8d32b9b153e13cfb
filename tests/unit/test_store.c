/* Tests for store.c: the statements a connection keeps (store_cached),
 * the write-ahead log's length, and what callers ask of the backend
 * instead of writing its SQL (store.h, store_sql.h). */
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

/* The text sql gives, "" when it fails. */
static const char *text(struct store *s, const char *sql)
{
	static char out[256];
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store_stmt *st = NULL;

	out[0] = '\0';
	if (store_prepare(s, sql, &st, &err) < 0 || store_step(st, &err) != 1)
		fprintf(stderr, "  %s: %s\n", sql, err.msg);
	else
		snprintf(out, sizeof(out), "%s", store_column_text(st, 0, NULL));
	store_finalize(st);
	return out;
}

static void test_backend_calls(void)
{
	char path[4096];
	struct store *s = t_file_db(path, sizeof(path));
	struct hearth_err err = HEARTH_ERR_INIT;
	struct schema sc = SCHEMA_INIT;
	struct buf b = BUF_INIT;
	int64_t v0 = -1, v1 = -1;
	int i;

	CHECK_INT(store_schema_version(s, &v0, &err), 0);
	t_exec(s, "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c "
		  "(p INTEGER REFERENCES p (id)); CREATE TABLE k (a TEXT "
		  "PRIMARY KEY) WITHOUT ROWID; CREATE VIEW vw AS SELECT 1");
	CHECK_INT(store_schema_version(s, &v1, &err), 0);
	CHECK(v1 != v0);
	CHECK_INT(store_has_table(s, "p", &err), 1);
	CHECK_INT(store_has_table(s, "vw", &err), 0);
	CHECK_INT(store_has_table(s, "nope", &err), 0);
	CHECK_INT(store_has_row_order(s, "c", &err), 1);
	CHECK_INT(store_has_row_order(s, "k", &err), 0);
	CHECK_STR(err.msg, "table k has no rowid (WITHOUT ROWID)");
	CHECK(store_introspect(s, &sc, &err) == 0 &&
	      sc.dialect == store_sql(s));
	schema_release(&sc);

	/* An upsert through the clause updates the row of a key stored. */
	buf_addstr(&b, "INSERT INTO k VALUES ('x')");
	store_upsert(s, &b, "k");
	buf_addstr(&b, "a = excluded.a");
	t_exec(s, b.s);
	t_exec(s, b.s);
	CHECK_INT(t_int(s, "SELECT count(*) FROM k"), 1);

	/* A parent dropped with the keys off keeps its children, and the
	 * check names the row that lost its parent. */
	t_exec(s, "INSERT INTO p VALUES (1); INSERT INTO c VALUES (1)");
	CHECK_INT(store_migration_begin(s, &err), 0);
	CHECK_INT(store_begin_immediate(s, &err), 0);
	t_exec(s, "DELETE FROM p");
	CHECK_INT(store_migration_check(s, &err), -1);
	CHECK_STR(err.msg, "a row of table c breaks a foreign key to p "
		  "(rowid 1)");
	CHECK_INT(store_rollback(s, &err), 0);
	store_migration_end(s);
	CHECK_INT(t_int(s, "PRAGMA foreign_keys"), 1);
	CHECK_INT(store_migration_check(s, &err), 0);

	/* The log is copied, and starts over at the next write. */
	store_autocheckpoint(s, 0);
	for (i = 0; i < 20; i++)
		t_exec(s, "INSERT INTO c VALUES (NULL)");
	CHECK(store_wal_frames(s) >= 20);
	CHECK_INT(store_checkpoint(s, &err), 0);
	t_exec(s, "INSERT INTO c VALUES (NULL)");
	CHECK(store_wal_frames(s) < 5);
	buf_release(&b);
	t_file_db_remove(s, path);
}

static void test_dialect_sql(void)
{
	struct store *s = t_mem("CREATE TABLE t (v)");
	const struct store_sql *d = store_sql(s);
	struct hearth_err err = HEARTH_ERR_INIT;
	struct buf b = BUF_INIT;
	static const char *const times[] = { "1416780900", "1416780900.9",
		"'2014-11-23 22:15:00.123456'", "'2014-11-23T22:15:00Z'" };
	size_t i;

	CHECK_STR(store_sql_name(d), "sqlite");
	CHECK_STR(store_dialect(s), "sqlite");
	for (i = 0; i < sizeof(times) / sizeof(*times); i++) {
		buf_reset(&b);
		buf_addstr(&b, "SELECT ");
		store_sql_unix_secs(d, &b, times[i], NULL);
		CHECK_INT(t_int(s, b.s), 1416780900);
	}
	buf_reset(&b);
	buf_addstr(&b, "SELECT ");
	store_sql_unix_secs(d, &b, "'soon'", NULL);
	buf_addstr(&b, " IS NULL AND ");
	store_sql_is_number(d, &b, "2.5");
	buf_addstr(&b, " AND NOT ");
	store_sql_is_number(d, &b, "'2.5'");
	CHECK_INT(t_int(s, b.s), 1);

	buf_reset(&b);
	buf_addstr(&b, "SELECT ");
	store_sql_minute_text(d, &b, "1416780900", 'T', ":60");
	buf_addstr(&b, " || '|' || ");
	store_sql_minute_text(d, &b, "1416780900", ' ', "");
	CHECK_STR(text(s, b.s), "2014-11-23T22:15:60|2014-11-23 22:15");

	buf_reset(&b);
	buf_addstr(&b, "SELECT ");
	store_sql_min_max(d, &b, 0, "3", "NULL");
	buf_addstr(&b, " || '|' || ");
	store_sql_min_max(d, &b, 1, "3", "4");
	buf_addstr(&b, " || '|' || ");
	store_sql_min_max(d, &b, 0, "3", "4");
	buf_addstr(&b, " || '|' || coalesce(");
	store_sql_min_max(d, &b, 1, "NULL", "NULL");
	buf_addstr(&b, ", 'null')");
	CHECK_STR(text(s, b.s), "3|4|3|null");

	buf_reset(&b);
	buf_addstr(&b, "SELECT length(");
	store_sql_now_iso(d, &b);
	buf_addstr(&b, ") || '|' || ");
	store_quote_string(&b, "it's");
	CHECK_STR(text(s, b.s), "20|it's");

	/* A trigger made, dropped, and dropped when it is gone. */
	buf_reset(&b);
	store_sql_create_trigger(d, &b, "tr \"1\"", "INSERT", "t",
				 "UPDATE t SET v = v + 1 WHERE rowid = "
				 "NEW.rowid;");
	t_exec(s, b.s);
	t_exec(s, "INSERT INTO t VALUES (1)");
	CHECK_INT(t_int(s, "SELECT v FROM t"), 2);
	for (i = 0; i < 2; i++) {
		buf_reset(&b);
		store_sql_drop_trigger(d, &b, "tr \"1\"", "t");
		t_exec(s, b.s);
	}
	t_exec(s, "INSERT INTO t VALUES (1)");
	CHECK_INT(t_int(s, "SELECT sum(v) FROM t"), 3);

	/* What the rows keep: the insertion order, and the rows before a
	 * bad one of a multi-row insert. */
	t_exec(s, "CREATE TABLE n (v NOT NULL)");
	buf_reset(&b);
	buf_addf(&b, "%sn VALUES (1), (2), (NULL), (4)",
		 store_sql_insert_keep(d));
	CHECK_INT(store_exec(s, b.s, &err), -1);
	CHECK_INT(store_changes(s), 2);
	buf_reset(&b);
	buf_addf(&b, "SELECT max(%s) FROM n", store_sql_row_order(d));
	CHECK_INT(t_int(s, b.s), 2);
	buf_reset(&b);
	buf_addf(&b, "CREATE TEMP TABLE f (x); DROP TABLE %sf",
		 store_sql_temp_prefix(d));
	t_exec(s, b.s);

	/* A script's transaction, run as one. */
	buf_reset(&b);
	store_sql_script_begin(d, &b);
	buf_addstr(&b, "INSERT INTO t VALUES (10);\n");
	store_sql_script_end(d, &b);
	t_exec(s, b.s);
	CHECK_INT(t_int(s, "SELECT sum(v) FROM t"), 13);
	CHECK_INT(t_int(s, "PRAGMA foreign_keys"), 1);
	buf_release(&b);
	store_close(s);
}

T_MAIN("store", T(test_same_text_same_statement), T(test_oldest_goes),
       T(test_schema_changes), T(test_bad_sql), T(test_wal_frames),
       T(test_backend_calls), T(test_dialect_sql))

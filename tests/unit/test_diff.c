/* test_diff.c - model x model -> operations, and the SQL ddl.c writes for
 * them, applied to a real in-memory SQLite database. */
#include <stdlib.h>

#include "migrate/ddl.h"
#include "migrate/diff.h"
#include "store/store.h"
#include "t.h"
#include "t_store.h"

static void model(const char *sql, struct schema *out)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem(sql);

	CHECK_INT(store_introspect(s, out, &err), 0);
	store_close(s);
}

/* ops from `from` to `to`; the kinds in order into kinds[] */
static size_t ops(const char *from, const char *to, enum diff_kind *kinds,
		  size_t max)
{
	struct schema a, b;
	struct diff d;
	size_t i, n;

	model(from, &a);
	model(to, &b);
	diff_schemas(&a, &b, &d);
	n = d.n;
	for (i = 0; i < n && i < max; i++)
		kinds[i] = d.ops[i].kind;
	diff_release(&d);
	schema_release(&a);
	schema_release(&b);
	return n;
}

/* Apply the generated SQL to a database made from `from`, with rows, and
 * check it then matches `to` and kept its rows. */
static void roundtrip(const char *from, const char *rows, const char *to,
		      const char *count_sql, int64_t want_rows)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem(from);
	struct schema a, b, c;
	struct diff d, again;
	struct buf sql = BUF_INIT;
	int64_t n = -1;

	CHECK_INT(store_exec(s, rows, &err), 0);
	CHECK_INT(store_introspect(s, &a, &err), 0);
	model(to, &b);
	diff_schemas(&a, &b, &d);
	CHECK(d.n > 0);
	CHECK_INT(ddl_render(&d, "sqlite", &sql, &err), 0);
	CHECK_INT(store_exec(s, "PRAGMA foreign_keys = OFF", &err), 0);
	if (store_exec(s, buf_cstr(&sql), &err) < 0) {
		fprintf(stderr, "  %s\n%s\n", err.msg, buf_cstr(&sql));
		t_case_failed = 1;
	}
	CHECK_INT(store_introspect(s, &c, &err), 0);
	diff_schemas(&c, &b, &again);
	CHECK_INT(again.n, 0);
	CHECK_INT(store_query_int(s, count_sql, &n, &err, NULL), 1);
	CHECK_INT(n, want_rows);
	diff_release(&again);
	diff_release(&d);
	schema_release(&a);
	schema_release(&b);
	schema_release(&c);
	buf_release(&sql);
	store_close(s);
}

static void test_same_schema_in_other_spellings(void)
{
	enum diff_kind k[8];

	CHECK_INT(ops("CREATE TABLE r (t TIMESTAMP NOT NULL, w INT DEFAULT '0', "
		      "x REAL DEFAULT (1.5), CHECK (w >= 0));"
		      "CREATE INDEX r_t ON r (t) WHERE w > 0;",
		      "create table \"R\" (T timestamp not null, w integer default 0, "
		      "X real default 1.5, check ((w>=0)));"
		      "create index \"r_t\" on r (t) where (w>0);", k, 8), 0);
}

static void test_internal_tables_ignored(void)
{
	enum diff_kind k[8];

	CHECK_INT(ops("CREATE TABLE r (w TEXT COLLATE NOCASE PRIMARY KEY) WITHOUT ROWID",
		      "CREATE TABLE r (w TEXT collate \"nocase\" primary key)  without  rowid",
		      k, 8), 0);
	CHECK_INT(ops("CREATE TABLE hearth_version (x TEXT);"
		      "CREATE TABLE hearth_kv (k TEXT);",
		      "CREATE TABLE hearth_kv (k TEXT, v TEXT);", k, 8), 0);
}

static void test_add_column_is_an_alter(void)
{
	enum diff_kind k[8];

	CHECK_INT(ops("CREATE TABLE r (t TIMESTAMP);",
		      "CREATE TABLE r (t TIMESTAMP, h REAL);", k, 8), 1);
	CHECK_INT(k[0], DIFF_ADD_COLUMN);
	/* NOT NULL without a default, or a CHECK: a rebuild */
	CHECK_INT(ops("CREATE TABLE r (t TIMESTAMP);",
		      "CREATE TABLE r (t TIMESTAMP, h REAL NOT NULL);", k, 8), 1);
	CHECK_INT(k[0], DIFF_REBUILD_TABLE);
	CHECK_INT(ops("CREATE TABLE r (t TIMESTAMP);",
		      "CREATE TABLE r (t TIMESTAMP, h REAL CHECK (h > 0));", k, 8), 1);
	CHECK_INT(k[0], DIFF_REBUILD_TABLE);
}

static void test_changes_that_rebuild(void)
{
	enum diff_kind k[8];
	static const char *const to[] = {
		"CREATE TABLE r (id INTEGER, v REAL, w TEXT)",           /* type */
		"CREATE TABLE r (id INTEGER, v INTEGER NOT NULL, w TEXT)", /* null */
		"CREATE TABLE r (id INTEGER, v INTEGER DEFAULT 3, w TEXT)",
		"CREATE TABLE r (id INTEGER PRIMARY KEY, v INTEGER, w TEXT)",
		"CREATE TABLE r (id INTEGER, v INTEGER, w TEXT UNIQUE)",
		"CREATE TABLE r (id INTEGER, v INTEGER, w TEXT, CHECK (v > 0))",
		"CREATE TABLE r (id INTEGER REFERENCES r (id), v INTEGER, w TEXT)",
		"CREATE TABLE r (id INTEGER, v INTEGER)",                /* drop */
		"CREATE TABLE r (id INTEGER, v INTEGER, w TEXT COLLATE NOCASE)",
		"CREATE TABLE r (id INTEGER PRIMARY KEY, v INTEGER, w TEXT) "
		"WITHOUT ROWID",
	};
	size_t i;

	for (i = 0; i < sizeof(to) / sizeof(to[0]); i++) {
		size_t n = ops("CREATE TABLE r (id INTEGER, v INTEGER, w TEXT)",
			       to[i], k, 8);
		CHECK_INT(n, 1);
		if (n != 1 || k[0] != DIFF_REBUILD_TABLE)
			fprintf(stderr, "  case %zu: %s\n", i, to[i]);
	}
}

static void test_rename_is_guessed_both_ways(void)
{
	enum diff_kind k[8];

	CHECK_INT(ops("CREATE TABLE r (t TIMESTAMP, r_temp REAL);",
		      "CREATE TABLE r (t TIMESTAMP, temperature REAL);", k, 8), 1);
	CHECK_INT(k[0], DIFF_RENAME_COLUMN);
	/* two candidates: the shared prefix decides, and the way back
	 * finds the same pair */
	CHECK_INT(ops("CREATE TABLE r (t TIMESTAMP, r_temp REAL);",
		      "CREATE TABLE r (t TIMESTAMP, r_temperature REAL, humidity REAL);",
		      k, 8), 2);
	CHECK_INT(k[0], DIFF_RENAME_COLUMN);
	CHECK_INT(ops("CREATE TABLE r (t TIMESTAMP, r_temperature REAL, humidity REAL);",
		      "CREATE TABLE r (t TIMESTAMP, r_temp REAL);", k, 8), 2);
	CHECK_INT(k[0], DIFF_RENAME_COLUMN);
	CHECK_INT(k[1], DIFF_REBUILD_TABLE);
	/* another type: no guess, a loud drop */
	CHECK_INT(ops("CREATE TABLE r (t TIMESTAMP, a REAL);",
		      "CREATE TABLE r (t TIMESTAMP, b TEXT);", k, 8), 1);
	CHECK_INT(k[0], DIFF_REBUILD_TABLE);
}

static void test_indexes_views_triggers(void)
{
	enum diff_kind k[8];
	const char *base = "CREATE TABLE r (t TIMESTAMP, w INTEGER);"
			   "CREATE TABLE log (x TEXT);";

	CHECK_INT(ops(base, "CREATE TABLE r (t TIMESTAMP, w INTEGER);"
			    "CREATE TABLE log (x TEXT);"
			    "CREATE INDEX r_t ON r (t);", k, 8), 1);
	CHECK_INT(k[0], DIFF_CREATE_INDEX);
	CHECK_INT(ops("CREATE TABLE r (t TIMESTAMP, w INTEGER);"
		      "CREATE INDEX r_t ON r (t);",
		      "CREATE TABLE r (t TIMESTAMP, w INTEGER);"
		      "CREATE UNIQUE INDEX r_t ON r (t);", k, 8), 2);
	CHECK_INT(k[0], DIFF_DROP_INDEX);
	CHECK_INT(k[1], DIFF_CREATE_INDEX);
	/* a rebuilt table takes its view and trigger down and back up */
	CHECK_INT(ops("CREATE TABLE r (t TIMESTAMP, w INTEGER); CREATE TABLE log (x TEXT);"
		      "CREATE VIEW v AS SELECT w FROM r;"
		      "CREATE TRIGGER tr AFTER INSERT ON r BEGIN INSERT INTO log VALUES ('i'); END;",
		      "CREATE TABLE r (t TIMESTAMP, w REAL); CREATE TABLE log (x TEXT);"
		      "CREATE VIEW v AS SELECT w FROM r;"
		      "CREATE TRIGGER tr AFTER INSERT ON r BEGIN INSERT INTO log VALUES ('i'); END;",
		      k, 8), 5);
	CHECK_INT(k[0], DIFF_DROP_VIEW);
	CHECK_INT(k[1], DIFF_DROP_TRIGGER);
	CHECK_INT(k[2], DIFF_REBUILD_TABLE);
	CHECK_INT(k[3], DIFF_CREATE_VIEW);
	CHECK_INT(k[4], DIFF_CREATE_TRIGGER);
}

/* A rebuilt table's index on its time column is made before the copy,
 * inside the rebuild; others after it. */
static void test_time_index_goes_with_rebuild(void)
{
	struct schema a, b;
	struct diff d;

	model("CREATE TABLE r (t TIMESTAMP, w INTEGER, s TEXT);"
	      "CREATE INDEX r_t ON r (t); CREATE INDEX r_s ON r (s);", &a);
	model("CREATE TABLE r (t TIMESTAMP, w REAL, s TEXT);"
	      "CREATE INDEX r_t ON r (t); CREATE INDEX r_s ON r (s);", &b);
	diff_schemas(&a, &b, &d);
	CHECK_INT(d.n, 2);
	if (d.n == 2) {
		CHECK_INT(d.ops[0].kind, DIFF_REBUILD_TABLE);
		CHECK_INT(d.ops[0].nearly, 1);
		if (d.ops[0].nearly == 1)
			CHECK_STR(d.ops[0].early[0]->name, "r_t");
		CHECK_INT(d.ops[1].kind, DIFF_CREATE_INDEX);
		CHECK_STR(d.ops[1].index->name, "r_s");
	}
	diff_release(&d);
	schema_release(&a);
	schema_release(&b);
}

static void test_drop_table_is_marked(void)
{
	struct schema a, b;
	struct diff d;

	model("CREATE TABLE a (x INTEGER); CREATE TABLE b (y INTEGER);", &a);
	model("CREATE TABLE a (x INTEGER);", &b);
	diff_schemas(&a, &b, &d);
	CHECK_INT(d.n, 1);
	if (d.n == 1) {
		CHECK_INT(d.ops[0].kind, DIFF_DROP_TABLE);
		CHECK(d.ops[0].loses_data);
		CHECK_STR(diff_symbol(&d.ops[0]), "-");
	}
	diff_release(&d);
	schema_release(&a);
	schema_release(&b);
}

static void test_roundtrips_keep_rows(void)
{
	const char *rows = "INSERT INTO r VALUES ('2024-01-01', 1, 'a'), "
			   "('2024-01-02', 2, 'b'), ('2024-01-03', 3, 'c');";

	roundtrip("CREATE TABLE r (t TIMESTAMP, w INTEGER, s TEXT);"
		  "CREATE INDEX r_t ON r (t);", rows,
		  "CREATE TABLE r (t TIMESTAMP NOT NULL, w REAL DEFAULT 0, s TEXT, "
		  "h REAL, CHECK (w >= 0));"
		  "CREATE INDEX r_t ON r (t);", "SELECT count(*) FROM r", 3);
	/* a comment after a new column stays out of its ALTER TABLE */
	roundtrip("CREATE TABLE r (t TIMESTAMP, w INTEGER, s TEXT);", rows,
		  "CREATE TABLE r (t TIMESTAMP, w INTEGER, s TEXT,\n"
		  "  h REAL DEFAULT 0 -- humidity, percent\n);",
		  "SELECT count(*) FROM r WHERE h = 0", 3);
	roundtrip("CREATE TABLE r (t TIMESTAMP, w INTEGER, s TEXT);", rows,
		  "CREATE TABLE r (t TIMESTAMP, w INTEGER, sensor TEXT);",
		  "SELECT count(*) FROM r WHERE sensor IS NOT NULL", 3);
	/* a parent rebuilt under ON DELETE CASCADE keeps its children
	 * (foreign keys are off while the SQL runs, as the runner does) */
	roundtrip("CREATE TABLE p (id INTEGER PRIMARY KEY, n TEXT);"
		  "CREATE TABLE r (t TIMESTAMP, w INTEGER REFERENCES p (id) "
		  "ON DELETE CASCADE, s TEXT);",
		  "INSERT INTO p VALUES (1, 'x'), (2, 'y'), (3, 'z');"
		  "INSERT INTO r VALUES ('2024-01-01', 1, 'a'), ('2024-01-01', 2, 'b');",
		  "CREATE TABLE p (id INTEGER PRIMARY KEY, n TEXT NOT NULL DEFAULT '');"
		  "CREATE TABLE r (t TIMESTAMP, w INTEGER REFERENCES p (id) "
		  "ON DELETE CASCADE, s TEXT);",
		  "SELECT (SELECT count(*) FROM p) * 10 + count(*) FROM r", 32);
}

static void test_ddl_other_dialect_refused(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct diff d = DIFF_INIT;
	struct buf b = BUF_INIT;

	CHECK_INT(ddl_render(&d, "oracle", &b, &err), -1);
	CHECK(strstr(err.msg, "oracle") != NULL);
	buf_release(&b);
}

T_MAIN("diff", T(test_same_schema_in_other_spellings),
       T(test_internal_tables_ignored), T(test_add_column_is_an_alter),
       T(test_changes_that_rebuild), T(test_rename_is_guessed_both_ways),
       T(test_indexes_views_triggers), T(test_time_index_goes_with_rebuild),
       T(test_drop_table_is_marked),
       T(test_roundtrips_keep_rows), T(test_ddl_other_dialect_refused))

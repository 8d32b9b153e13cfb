/* test_migration.c - comparing a database with schema.sql: renames said
 * in its comments, run up and down on rows; and a database described
 * as schema.sql that compares equal to it. */
#include <stdlib.h>

#include "migrate/migration.h"
#include "store/store.h"
#include "t.h"
#include "t_store.h"

/* The differences of s from schema.sql text `want`: -1 on error (said on
 * stderr), else how many. */
static int differences(struct store *s, const char *want)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct migration_compare m;
	int n;

	if (migration_compare_sql(s, want, "schema.sql", &m, &err) < 0) {
		fprintf(stderr, "  %s\n", err.msg);
		return -1;
	}
	n = (int)m.diff.n;
	migration_compare_release(&m);
	return n;
}

/* Turn a database made from `from` (with rows) into schema.sql `to`:
 * the up SQL must leave nothing to do (the annotations in `to` then
 * ignored), keep the rows (check_sql counts want of them), and the down
 * SQL must give `from` back. */
static void renames(const char *from, const char *rows, const char *to,
		    const char *check_sql, int64_t want, const char *up_has)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem(from);
	struct migration_compare m;
	struct buf up = BUF_INIT, down = BUF_INIT;
	int64_t n = -1;

	CHECK_INT(store_exec(s, rows, &err), 0);
	CHECK_INT(store_exec(s, "PRAGMA foreign_keys = OFF", &err), 0);
	if (migration_compare_sql(s, to, "schema.sql", &m, &err) < 0) {
		fprintf(stderr, "  %s\n", err.msg);
		t_case_failed = 1;
		goto out;
	}
	CHECK_INT(migration_render(&m, "sqlite", &up, &down, &err), 0);
	migration_compare_release(&m);
	CHECK(strstr(buf_cstr(&up), up_has) != NULL);
	CHECK(strstr(buf_cstr(&up), "CHECK THIS") == NULL);
	if (store_exec(s, buf_cstr(&up), &err) < 0) {
		fprintf(stderr, "  %s\n%s\n", err.msg, buf_cstr(&up));
		t_case_failed = 1;
	}
	CHECK_INT(differences(s, to), 0);
	CHECK_INT(store_query_int(s, check_sql, &n, &err, NULL), 1);
	CHECK_INT(n, want);
	if (store_exec(s, buf_cstr(&down), &err) < 0) {
		fprintf(stderr, "  %s\n%s\n", err.msg, buf_cstr(&down));
		t_case_failed = 1;
	}
	CHECK_INT(differences(s, from), 0);
out:
	buf_release(&up);
	buf_release(&down);
	store_close(s);
}

static void test_column_renamed_with_its_type(void)
{
	/* the guess cannot see it: another type, and NOT NULL */
	renames("CREATE TABLE users (id INTEGER PRIMARY KEY, username varchar(100));"
		"CREATE INDEX users_name ON users (username);",
		"INSERT INTO users VALUES (1, 'ann'), (2, 'bob');",
		"CREATE TABLE users (id INTEGER PRIMARY KEY,\n"
		"  user_name text NOT NULL -- renamed from username\n);\n"
		"CREATE INDEX users_name ON users (user_name);",
		"SELECT count(*) FROM users WHERE user_name IN ('ann', 'bob')", 2,
		"RENAME COLUMN \"username\" TO \"user_name\"");
	/* values converted as the new type takes them */
	renames("CREATE TABLE r (t TIMESTAMP, w TEXT);",
		"INSERT INTO r VALUES ('2024-01-01', '12'), ('2024-01-02', '13');",
		"CREATE TABLE r (t TIMESTAMP,\n"
		"  -- @renamed from=w\n  watts INTEGER\n);",
		"SELECT sum(watts) FROM r WHERE typeof(watts) = 'integer'", 25,
		"RENAME COLUMN \"w\" TO \"watts\"");
}

static void test_table_renamed(void)
{
	/* its index, view and trigger follow, and so does the foreign key
	 * of a child */
	renames("CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT);"
		"CREATE INDEX people_name ON people (name);"
		"CREATE TABLE pets (owner INTEGER REFERENCES people (id), n TEXT);"
		"CREATE VIEW names AS SELECT name FROM people;"
		"CREATE TABLE log (x TEXT);"
		"CREATE TRIGGER people_ins AFTER INSERT ON people BEGIN "
		"INSERT INTO log VALUES (new.name); END;",
		"INSERT INTO people VALUES (1, 'ann'), (2, 'bob');"
		"INSERT INTO pets VALUES (1, 'rex');",
		"-- renamed from people\n"
		"CREATE TABLE persons (id INTEGER PRIMARY KEY,\n"
		"  full_name TEXT -- renamed from name\n);\n"
		"CREATE INDEX people_name ON persons (full_name);"
		"CREATE TABLE pets (owner INTEGER REFERENCES persons (id), n TEXT);"
		"CREATE VIEW names AS SELECT full_name FROM persons;"
		"CREATE TABLE log (x TEXT);"
		"CREATE TRIGGER people_ins AFTER INSERT ON persons BEGIN "
		"INSERT INTO log VALUES (new.full_name); END;",
		"SELECT count(*) FROM persons JOIN pets ON owner = id", 1,
		"ALTER TABLE \"people\" RENAME TO \"persons\"");
	/* a new table takes the old name */
	renames("CREATE TABLE a (x INTEGER);",
		"INSERT INTO a VALUES (1), (2);",
		"CREATE TABLE b (x INTEGER); -- renamed from a\n"
		"CREATE TABLE a (y TEXT);",
		"SELECT count(*) FROM b", 2, "RENAME TO \"b\"");
}

static void test_rename_errors(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem("CREATE TABLE users (id INTEGER, username TEXT);");
	struct migration_compare m;

	CHECK_INT(migration_compare_sql(s,
		"CREATE TABLE users (id INTEGER,\n"
		"  user_name TEXT -- renamed from usrname\n);",
		"schema.sql", &m, &err), -1);
	CHECK_STR(err.msg, "schema.sql line 2: renamed from 'usrname': table "
			   "users has no such column");
	/* with no database, nothing is renamed and nothing is wrong */
	CHECK_INT(migration_compare_sql(NULL,
		"CREATE TABLE users (id INTEGER,\n"
		"  user_name TEXT -- renamed from usrname\n);",
		"schema.sql", &m, &err), 0);
	CHECK_INT(m.diff.n, 1);
	migration_compare_release(&m);
	store_close(s);
}

/* migration_describe: schema.sql that loads back as the database */
static void describes(const char *ddl, size_t want_tables)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem(ddl);
	struct buf out = BUF_INIT;
	size_t n = 0;

	if (migration_describe(s, &out, &n, &err) < 0) {
		fprintf(stderr, "  %s\n", err.msg);
		t_case_failed = 1;
	}
	CHECK_INT(n, want_tables);
	CHECK_INT(differences(s, buf_cstr(&out)), 0);
	CHECK(strstr(buf_cstr(&out), "hearth_") == NULL);
	buf_release(&out);
	store_close(s);
}

static void test_describe(void)
{
	/* the classic energymonitor.db, as Python's sqlite3 made it */
	describes("CREATE TABLE IF NOT EXISTS readings (r_datetime TIMESTAMP, "
		  "r_watts INT, r_temp INT);"
		  "CREATE TABLE IF NOT EXISTS motion (r_datetime DATETIME, "
		  "r_s_name TEXT);", 2);
	/* views over views (written after them), triggers, keys, checks,
	 * defaults, partial and unique indexes; hearth's own left out */
	describes("CREATE VIEW zz AS SELECT * FROM aa;"
		  "CREATE TABLE child (id INTEGER PRIMARY KEY AUTOINCREMENT,"
		  " pid INTEGER NOT NULL REFERENCES parent (id) ON DELETE CASCADE,"
		  " kind TEXT DEFAULT 'x' CHECK (kind IN ('x', 'y')) COLLATE NOCASE,"
		  " at TIMESTAMP DEFAULT CURRENT_TIMESTAMP, UNIQUE (pid, kind));"
		  "CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT UNIQUE);"
		  "CREATE TABLE pairs (a TEXT, b TEXT, w REAL DEFAULT (1.5),"
		  " PRIMARY KEY (a, b)) WITHOUT ROWID;"
		  "CREATE INDEX child_at ON child (at) WHERE kind = 'y';"
		  "CREATE UNIQUE INDEX parent_lower ON parent (lower(name));"
		  "CREATE VIEW aa AS SELECT id FROM parent;"
		  "CREATE TRIGGER child_ins AFTER INSERT ON child BEGIN"
		  " UPDATE parent SET name = name WHERE id = new.pid; END;"
		  "CREATE TABLE hearth_kv (k TEXT PRIMARY KEY, v TEXT);"
		  "CREATE TRIGGER hearth_x AFTER INSERT ON parent BEGIN"
		  " SELECT 1; END;", 3);
}

T_MAIN("migration", T(test_column_renamed_with_its_type),
       T(test_table_renamed), T(test_rename_errors), T(test_describe))

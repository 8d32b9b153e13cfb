/* test_dump.c - a schema model written out as SQL: the statements a
 * database keeps, or, where it keeps none (as PostgreSQL), the model
 * rendered; loaded back, either compares equal to the database. */
#include <stdlib.h>

#include "migrate/diff.h"
#include "migrate/dump.h"
#include "store/store.h"
#include "t.h"
#include "t_store.h"

static const char rich[] =
	"CREATE TABLE parent (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	" born TIMESTAMP DEFAULT CURRENT_TIMESTAMP);"
	"CREATE TABLE child (id INTEGER PRIMARY KEY,"
	" pid INTEGER REFERENCES parent (id) ON DELETE CASCADE ON UPDATE SET NULL,"
	" \"Kind of\" TEXT DEFAULT 'x' CHECK (\"Kind of\" IN ('x', 'y')),"
	" w REAL DEFAULT -1.5, n INT DEFAULT (2 + 3), UNIQUE (pid, \"Kind of\"));"
	"CREATE TABLE pairs (a TEXT, b TEXT, pid INTEGER REFERENCES parent,"
	" PRIMARY KEY (b, a), CHECK (a <> b));"
	"CREATE INDEX child_w ON child (w) WHERE w > 0;"
	"CREATE UNIQUE INDEX pairs_ab ON pairs (a, pid);";

/* Every statement the database keeps dropped from the model, so dump
 * renders them all. */
static void forget_sql(struct schema *s)
{
	size_t i;

	for (i = 0; i < s->ntables; i++) {
		free(s->tables[i].sql);
		s->tables[i].sql = NULL;
	}
	for (i = 0; i < s->nindexes; i++) {
		free(s->indexes[i].sql);
		s->indexes[i].sql = NULL;
	}
}

/* ddl -> model (rendered when forget) -> SQL -> model: no difference */
static void loads_back(const char *ddl, int forget, const char *has)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem(ddl), *back;
	struct schema a, m, b;
	struct buf out = BUF_INIT;
	struct diff d;
	size_t n = 0, i;

	CHECK_INT(store_introspect(s, &a, &err), 0);
	CHECK_INT(store_introspect(s, &m, &err), 0);
	if (forget)
		forget_sql(&m);
	CHECK_INT(dump_schema(&m, &out, &n, &err), 0);
	CHECK_INT(n, a.ntables);
	CHECK(strstr(buf_cstr(&out), has) != NULL);
	back = t_mem(buf_cstr(&out));
	CHECK_INT(store_introspect(back, &b, &err), 0);
	diff_schemas(&a, &b, &d);
	CHECK_INT(d.n, 0);
	for (i = 0; i < d.n; i++)
		fprintf(stderr, "  %s\n", d.ops[i].why);
	if (d.n)
		fprintf(stderr, "%s\n", buf_cstr(&out));
	diff_release(&d);
	schema_release(&a);
	schema_release(&m);
	schema_release(&b);
	buf_release(&out);
	store_close(back);
	store_close(s);
}

static void test_kept_statements(void)
{
	loads_back(rich, 0, "CREATE TABLE parent (id INTEGER PRIMARY KEY, "
			    "name TEXT NOT NULL UNIQUE,");
}

static void test_rendered_from_the_model(void)
{
	loads_back(rich, 1, "CREATE TABLE \"child\" (\n"
			    "    \"id\" INTEGER,\n");
	loads_back(rich, 1, "    FOREIGN KEY (\"pid\") REFERENCES \"parent\" "
			    "(\"id\") ON UPDATE SET NULL ON DELETE CASCADE,\n");
	loads_back(rich, 1, "CREATE INDEX \"child_w\" ON \"child\" (\"w\") "
			    "WHERE w > 0;");
}

static void test_order(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem("CREATE TABLE a (x INTEGER REFERENCES b (y));"
				"CREATE TABLE b (y INTEGER PRIMARY KEY);"
				"CREATE VIEW v1 AS SELECT * FROM v2;"
				"CREATE VIEW v2 AS SELECT * FROM a;"
				"CREATE TABLE hearth_version (revision TEXT);"
				"CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END;");
	struct schema m;
	struct buf out = BUF_INIT;
	const char *o;

	CHECK_INT(store_introspect(s, &m, &err), 0);
	CHECK_INT(dump_schema(&m, &out, NULL, &err), 0);
	o = buf_cstr(&out);
	/* parents before children, views after those they read */
	CHECK(strstr(o, "CREATE TABLE b") < strstr(o, "CREATE TABLE a"));
	CHECK(strstr(o, "CREATE VIEW v2") < strstr(o, "CREATE VIEW v1"));
	CHECK(strstr(o, "CREATE TRIGGER t") != NULL);
	CHECK(strstr(o, "hearth_version") == NULL);
	schema_release(&m);
	buf_release(&out);
	store_close(s);
}

static void test_expression_index_needs_its_sql(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem("CREATE TABLE a (x TEXT);"
				"CREATE INDEX a_lx ON a (lower(x));");
	struct schema m;
	struct buf out = BUF_INIT;

	CHECK_INT(store_introspect(s, &m, &err), 0);
	forget_sql(&m);
	CHECK_INT(dump_schema(&m, &out, NULL, &err), -1);
	CHECK_STR(err.msg, "index a_lx: on an expression the database does "
			   "not say");
	schema_release(&m);
	buf_release(&out);
	store_close(s);
}

T_MAIN("dump", T(test_kept_statements), T(test_rendered_from_the_model),
       T(test_order), T(test_expression_index_needs_its_sql))

/* test_annotation.c - schema.sql's rename annotations: where they may
 * stand, both spellings, and how they meet the live database. */
#include <stdlib.h>

#include "migrate/annotation.h"
#include "store/store.h"
#include "t.h"
#include "t_store.h"

/* read text; want is "table.column<from@line ..." (table<from@line for
 * a table), or "error: MESSAGE" */
static void reads(const char *text, const char *want)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct annotations a;
	struct buf got = BUF_INIT;
	size_t i;

	if (annotation_read(text, "schema.sql", &a, &err) < 0) {
		buf_addf(&got, "error: %s", err.msg);
	} else {
		for (i = 0; i < a.n; i++)
			buf_addf(&got, "%s%s%s%s<%s@%d", i ? " " : "",
				 a.v[i].table, a.v[i].column ? "." : "",
				 a.v[i].column ? a.v[i].column : "",
				 a.v[i].from, a.v[i].line);
		annotation_release(&a);
	}
	CHECK_STR(buf_cstr(&got), want);
	buf_release(&got);
}

static void test_both_spellings_and_places(void)
{
	reads("CREATE TABLE users (\n"
	      "    id INTEGER PRIMARY KEY,\n"
	      "    user_name TEXT NOT NULL, -- renamed from username\n"
	      "    mail TEXT -- @renamed from=email\n"
	      ");\n",
	      "users.user_name<username@3 users.mail<email@4");
	/* before the comma, or after it; any case */
	reads("CREATE TABLE t (a INT -- Renamed From b\n, c INT);",
	      "t.a<b@1");
	/* the line just above, quoted names, a block of comments above */
	reads("CREATE TABLE \"My Table\" (\n"
	      "    -- the user's name\n"
	      "    -- renamed from \"User Name\"\n"
	      "    \"Name\" TEXT,\n"
	      "    /* @renamed from = [old x] */\n"
	      "    x REAL\n"
	      ");",
	      "My Table.Name<User Name@3 My Table.x<old x@5");
	/* a multi-line definition: the comment after its last line */
	reads("CREATE TABLE t (\n  a TEXT\n    NOT NULL, -- renamed from b\n  c INT);",
	      "t.a<b@3");
}

static void test_tables(void)
{
	/* on the CREATE TABLE line, above it, or after a one-line table */
	reads("CREATE TABLE members ( -- renamed from users\n  id INT\n);",
	      "members<users@1");
	reads("-- @renamed from=people\nCREATE TABLE IF NOT EXISTS main.persons (id INT);",
	      "persons<people@1");
	reads("CREATE TABLE a (x INT); -- renamed from b\n", "a<b@1");
	reads("CREATE TABLE a (x INT,\n  y INT); -- renamed from z\n", "a.y<z@2");
	/* both in one table */
	reads("CREATE TABLE n ( -- renamed from o\n  a INT -- renamed from b\n);",
	      "n<o@1 n.a<b@2");
}

static void test_other_comments_are_not_annotations(void)
{
	reads("-- hearth schema: renamed columns need saying\n"
	      "CREATE TABLE t (a INT, -- the renamed one, from before\n"
	      "  b TEXT DEFAULT '-- renamed from x'); /* renamedfrom y */\n"
	      "CREATE INDEX i ON t (a); -- index renamed fromage\n",
	      "");
}

static void test_misplaced(void)
{
	/* a blank line between it and the column */
	reads("CREATE TABLE t (\n  -- renamed from b\n\n  a INT\n);",
	      "error: schema.sql line 2: a 'renamed from' annotation goes on "
	      "(or just above) a column's line or a CREATE TABLE line");
	reads("CREATE TABLE t (a INT,\n  PRIMARY KEY (a) -- renamed from b\n);",
	      "error: schema.sql line 2: a 'renamed from' annotation goes on "
	      "(or just above) a column's line or a CREATE TABLE line");
	reads("CREATE TABLE t (a INT);\nCREATE INDEX i ON t (a); -- renamed from j\n",
	      "error: schema.sql line 2: a 'renamed from' annotation goes on "
	      "(or just above) a column's line or a CREATE TABLE line");
	reads("CREATE TABLE t (a INT);\n-- renamed from j\n",
	      "error: schema.sql line 2: a 'renamed from' annotation goes on "
	      "(or just above) a column's line or a CREATE TABLE line");
	reads("CREATE TABLE t (a INT -- renamed from\n);",
	      "error: schema.sql line 1: 'renamed from' names no table or column");
	reads("CREATE TABLE t (\n  -- renamed from b\n  a INT -- renamed from c\n);",
	      "error: schema.sql line 3: t.a is already renamed from 'b' (line 2)");
}

/* resolve schema.sql `want` against the database `live`: the renames as
 * "from_table.from_column>to_table.to_column (said)", or the error */
static void resolves(const char *live, const char *want, const char *expect)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *l = t_mem(live), *w = t_mem(want);
	struct schema ls, ws;
	struct annotations a;
	struct diff_renames rn = DIFF_RENAMES_INIT;
	struct buf got = BUF_INIT;
	size_t i;

	CHECK_INT(store_introspect(l, &ls, &err), 0);
	CHECK_INT(store_introspect(w, &ws, &err), 0);
	CHECK_INT(annotation_read(want, "schema.sql", &a, &err), 0);
	if (annotation_resolve(&a, "schema.sql", &ls, &ws, &rn, &err) < 0)
		buf_addf(&got, "error: %s", err.msg);
	for (i = 0; i < rn.n; i++) {
		const struct diff_rename *x = &rn.v[i];
		buf_addf(&got, "%s%s%s%s>%s%s%s (%s)", i ? " " : "",
			 x->from_table, x->from_column ? "." : "",
			 x->from_column ? x->from_column : "", x->to_table,
			 x->to_column ? "." : "",
			 x->to_column ? x->to_column : "", x->said);
	}
	CHECK_STR(buf_cstr(&got), expect);
	annotation_release(&a);
	diff_renames_release(&rn);
	schema_release(&ls);
	schema_release(&ws);
	buf_release(&got);
	store_close(l);
	store_close(w);
}

static void test_resolve(void)
{
	resolves("CREATE TABLE users (id INT, username VARCHAR(100));",
		 "CREATE TABLE users (id INT,\n"
		 "  user_name TEXT NOT NULL -- renamed from username\n);",
		 "users.username>users.user_name (schema.sql line 2)");
	/* a table and a column of it; matched without regard to case */
	resolves("CREATE TABLE People (ID INT, Name TEXT);",
		 "CREATE TABLE persons ( -- renamed from people\n"
		 "  id INT,\n  full_name TEXT -- renamed from NAME\n);",
		 "People>persons (schema.sql line 1) "
		 "People.Name>persons.full_name (schema.sql line 3)");
	/* done already: the new name is there; nothing to do */
	resolves("CREATE TABLE persons (id INT, full_name TEXT);",
		 "CREATE TABLE persons ( -- renamed from people\n"
		 "  id INT,\n  full_name TEXT -- renamed from name\n);",
		 "");
	/* names the database does not have */
	resolves("CREATE TABLE users (id INT, username TEXT);",
		 "CREATE TABLE users (id INT,\n"
		 "  user_name TEXT -- renamed from usrname\n);",
		 "error: schema.sql line 2: renamed from 'usrname': table users "
		 "has no such column");
	resolves("CREATE TABLE users (id INT);",
		 "-- renamed from peple\nCREATE TABLE persons (id INT);",
		 "error: schema.sql line 1: renamed from 'peple': the database "
		 "has no such table");
	resolves("CREATE TABLE users (id INT);",
		 "CREATE TABLE persons (id INT, -- renamed from uid\n x INT);",
		 "error: schema.sql line 1: renamed from 'uid': the database "
		 "has no table persons");
}

T_MAIN("annotation", T(test_both_spellings_and_places), T(test_tables),
       T(test_other_comments_are_not_annotations), T(test_misplaced),
       T(test_resolve))

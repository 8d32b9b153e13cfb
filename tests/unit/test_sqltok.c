/* test_sqltok.c - the SQL tokenizer used to compare and rewrite DDL. */
#include <stdlib.h>

#include "base/xalloc.h"
#include "store/sqltok.h"
#include "t.h"

static void test_tokens(void)
{
	struct sqltok t;
	const char *p = "SELECT \"a \"\"b\"\" c\", 'it''s', [x y], 1.5e+3, x<=y -- c\n/* d */ ;";
	char *id;

	p = sqltok_next(p, &t);
	CHECK_INT(t.kind, SQLTOK_WORD);
	CHECK(sqltok_is(&t, "select"));
	p = sqltok_next(p, &t);
	CHECK_INT(t.kind, SQLTOK_QIDENT);
	id = sqltok_ident(&t);
	CHECK_STR(id, "a \"b\" c");
	free(id);
	p = sqltok_next(p, &t); /* , */
	p = sqltok_next(p, &t);
	CHECK_INT(t.kind, SQLTOK_STRING);
	CHECK_INT(t.n, 7);
	p = sqltok_next(p, &t);
	p = sqltok_next(p, &t);
	CHECK_INT(t.kind, SQLTOK_QIDENT);
	id = sqltok_ident(&t);
	CHECK_STR(id, "x y");
	free(id);
	p = sqltok_next(p, &t);
	p = sqltok_next(p, &t);
	CHECK_INT(t.kind, SQLTOK_NUMBER);
	CHECK_INT(t.n, 6);
	p = sqltok_next(p, &t); /* , */
	p = sqltok_next(p, &t); /* x */
	p = sqltok_next(p, &t);
	CHECK_INT(t.kind, SQLTOK_PUNCT);
	CHECK_INT(t.n, 2);
	p = sqltok_next(p, &t); /* y */
	p = sqltok_next(p, &t);
	CHECK(t.kind == SQLTOK_PUNCT && *t.p == ';');
	p = sqltok_next(p, &t);
	CHECK_INT(t.kind, SQLTOK_END);
	/* an unterminated string ends at the end, and never loops */
	p = sqltok_next("'abc", &t);
	CHECK_INT(t.kind, SQLTOK_STRING);
	CHECK_INT(t.n, 4);
	sqltok_next(p, &t);
	CHECK_INT(t.kind, SQLTOK_END);
	/* found by fuzzing: an operator that ends the text took the NUL
	 * after it as its second character, and the next call read past
	 * the end (AddressSanitizer in the san build) */
	{
		char *tail = strdup("x >");
		p = sqltok_next(tail + 1, &t);
		CHECK(t.kind == SQLTOK_PUNCT && t.n == 1);
		CHECK(p == tail + 3);
		sqltok_next(p, &t);
		CHECK_INT(t.kind, SQLTOK_END);
		free(tail);
	}
}

static void test_normalize(void)
{
	char *a = sqltok_normalize("( \"Watts\" >=0 )");
	char *b = sqltok_normalize("watts>= 0");
	char *c = sqltok_normalize("(a) + (b)");
	char *d = sqltok_normalize("'Mixed Case'");

	CHECK_STR(a, b);
	CHECK_STR(c, "( a ) + ( b )");
	CHECK_STR(d, "'Mixed Case'");
	free(a);
	free(b);
	free(c);
	free(d);
}

static void test_mentions(void)
{
	CHECK(sqltok_mentions("SELECT * FROM \"Readings\" r", "readings"));
	CHECK(!sqltok_mentions("SELECT 'readings' FROM x", "readings"));
	CHECK(!sqltok_mentions("SELECT * FROM readings_old", "readings"));
}

static void test_create_rename(void)
{
	char *s = sqltok_create_rename("CREATE TABLE IF NOT EXISTS main.\"r\" (a INT)",
				       "hearth_new_r");
	CHECK_STR(s, "CREATE TABLE IF NOT EXISTS \"hearth_new_r\" (a INT)");
	free(s);
	s = sqltok_create_rename("create temp table r(a)", "x\"y");
	CHECK_STR(s, "create temp table \"x\"\"y\"(a)");
	free(s);
	CHECK(sqltok_create_rename("CREATE VIEW v AS SELECT 1", "x") == NULL);
	s = sqltok_index_retable("CREATE UNIQUE INDEX IF NOT EXISTS \"on\" ON "
				 "main.r (t) WHERE t > 0", "hearth_new_r");
	CHECK_STR(s, "CREATE UNIQUE INDEX IF NOT EXISTS \"on\" ON "
		     "\"hearth_new_r\" (t) WHERE t > 0");
	free(s);
	CHECK(sqltok_index_retable("CREATE TABLE r (a)", "x") == NULL);
}

struct items {
	int n, constraints;
};

static void count_item(void *ctx, const char *p, size_t n, int constraint)
{
	struct items *it = ctx;

	it->n++;
	it->constraints += constraint;
}

static void test_table_items_and_checks(void)
{
	const char *sql = "CREATE TABLE t (a INT CHECK (a > 0), b TEXT DEFAULT ',', "
			  "c REAL, CONSTRAINT pos CHECK ((c >= 0) AND (c < 10)), "
			  "UNIQUE (a, b))";
	struct items it = { 0, 0 };
	char **v = NULL;
	size_t nv = 0, i;

	CHECK_INT(sqltok_table_items(sql, count_item, &it), 0);
	CHECK_INT(it.n, 5);
	CHECK_INT(it.constraints, 2);
	sqltok_checks(sql, strlen(sql), &v, &nv);
	CHECK_INT(nv, 2);
	if (nv == 2) {
		CHECK_STR(v[0], "a > 0");
		CHECK_STR(v[1], "(c >= 0) AND (c < 10)");
	}
	for (i = 0; i < nv; i++)
		free(v[i]);
	free(v);
	CHECK_INT(sqltok_table_items("CREATE TABLE t", count_item, &it), -1);
}

static void test_tx_control(void)
{
	CHECK(sqltok_tx_control("CREATE TABLE a (x); INSERT INTO a VALUES (1);") == NULL);
	CHECK(sqltok_tx_control("CREATE TRIGGER t AFTER INSERT ON a BEGIN "
				"INSERT INTO b VALUES (CASE WHEN 1 THEN 2 END); "
				"END; CREATE TABLE c (y);") == NULL);
	CHECK(sqltok_tx_control("CREATE TEMP TRIGGER t AFTER INSERT ON a BEGIN "
				"SELECT 1; END; COMMIT;") != NULL);
	CHECK_STR(sqltok_tx_control("-- up\nbegin transaction; CREATE TABLE a (x);"),
		  "BEGIN");
	CHECK_STR(sqltok_tx_control("CREATE TABLE a (x);\nCOMMIT;"), "COMMIT");
	CHECK(sqltok_tx_control("SELECT 'COMMIT'; CREATE TABLE \"end\" (x);") == NULL);
}

/* the same tokens, and comments among them, for readers of annotations */
static void test_comments_as_tokens(void)
{
	const char *text = "a -- one\n/* two\n */ 'x -- y' /* open";
	struct sqltok t;
	const char *p = text;

	p = sqltok_next_all(p, &t);
	CHECK(t.kind == SQLTOK_WORD && t.n == 1);
	p = sqltok_next_all(p, &t);
	CHECK_INT(t.kind, SQLTOK_COMMENT);
	CHECK(t.n == 6 && !strncmp(t.p, "-- one", 6));
	p = sqltok_next_all(p, &t);
	CHECK_INT(t.kind, SQLTOK_COMMENT);
	CHECK(t.n == 10 && !strncmp(t.p, "/* two\n */", 10));
	p = sqltok_next_all(p, &t);
	CHECK_INT(t.kind, SQLTOK_STRING);
	p = sqltok_next_all(p, &t);
	CHECK_INT(t.kind, SQLTOK_COMMENT);
	CHECK_INT(t.n, 7);
	p = sqltok_next_all(p, &t);
	CHECK_INT(t.kind, SQLTOK_END);
	/* sqltok_next still skips them */
	p = sqltok_next(text, &t);
	sqltok_next(p, &t);
	CHECK_INT(t.kind, SQLTOK_STRING);
}

/* Statements as the server splits a script: not at a semicolon in a
 * string, a comment or a dollar quote; $1 is no quote; empty ones and
 * comments alone are none. */
static void test_statements(void)
{
	const char *sql = "-- up\nCREATE TABLE a (x TEXT DEFAULT ';');;\n"
			  "CREATE FUNCTION f() RETURNS trigger AS $fn$ BEGIN "
			  "NEW.x := 'a;b'; RETURN NEW; END $fn$ LANGUAGE plpgsql;"
			  "\n/* ; */ PREPARE q AS SELECT $1 ; -- ;\n";
	const char *want[] = {
		"CREATE TABLE a (x TEXT DEFAULT ';')",
		"CREATE FUNCTION f() RETURNS trigger AS $fn$ BEGIN NEW.x := "
		"'a;b'; RETURN NEW; END $fn$ LANGUAGE plpgsql",
		"PREPARE q AS SELECT $1",
	};
	const char *p = sql, *at;
	size_t n, k = 0;

	while ((p = sqltok_statement(p, &at, &n))) {
		CHECK(k < 3);
		if (k < 3) {
			char *got = xstrndup(at, n);
			CHECK_STR(got, want[k]);
			free(got);
		}
		k++;
	}
	CHECK_INT(k, 3);
	CHECK(!sqltok_statement("-- nothing\n ; ;", &at, &n));
	/* an unclosed quote runs to the end */
	p = sqltok_statement("SELECT $$ a; b", &at, &n);
	CHECK(p != NULL);
	CHECK_INT(n, 14);
}

T_MAIN("sqltok", T(test_tokens), T(test_normalize), T(test_mentions),
       T(test_create_rename), T(test_table_items_and_checks),
       T(test_tx_control), T(test_comments_as_tokens),
       T(test_statements))

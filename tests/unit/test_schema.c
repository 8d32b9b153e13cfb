/* test_schema.c - the schema model's normal forms and CREATE TABLE
 * parsing (CHECKs, column definitions). */
#include <stdlib.h>

#include "store/schema.h"
#include "t.h"

#define NORM(fn, in, want)                                                   \
	do {                                                                 \
		char *n_ = fn(in);                                           \
		CHECK_STR(n_, want);                                         \
		free(n_);                                                    \
	} while (0)

static void test_norm_type(void)
{
	NORM(schema_norm_type, "int", "INTEGER");
	NORM(schema_norm_type, "INTEGER", "INTEGER");
	NORM(schema_norm_type, "varchar ( 20 )", "VARCHAR(20)");
	NORM(schema_norm_type, "double  precision", "DOUBLE PRECISION");
	NORM(schema_norm_type, "", "");
}

static void test_norm_default(void)
{
	NORM(schema_norm_default, "'0'", "0");
	NORM(schema_norm_default, "(0)", "0");
	NORM(schema_norm_default, "'1.5'", "1.5");
	NORM(schema_norm_default, "'lounge'", "'lounge'");
	NORM(schema_norm_default, "' 1'", "' 1'");
	NORM(schema_norm_default, "CURRENT_TIMESTAMP", "current_timestamp");
	CHECK(schema_norm_default(NULL) == NULL);
	CHECK(schema_norm_default("NULL") == NULL);
}

static void test_checks_and_defs(void)
{
	struct schema s = SCHEMA_INIT;
	struct schema_table *t = schema_add_table(&s, "r");
	char *def;

	t->sql = strdup("CREATE TABLE r (\n  t TIMESTAMP NOT NULL,\n"
			"  \"h\" REAL CHECK (h BETWEEN 0 AND 100), -- humidity\n"
			"  note TEXT DEFAULT 'a, b' /* kept */ -- why\n,\n"
			"  CONSTRAINT pos CHECK (t > 0))");
	schema_table_parse_sql(t);
	CHECK_INT(t->nchecks, 2);
	if (t->nchecks == 2) {
		CHECK_STR(t->checks[0], "h BETWEEN 0 AND 100");
		CHECK_STR(t->checks[1], "t > 0");
	}
	def = schema_column_def(t, "H");
	CHECK_STR(def, "\"h\" REAL CHECK (h BETWEEN 0 AND 100)");
	free(def);
	def = schema_column_def(t, "note");
	CHECK_STR(def, "note TEXT DEFAULT 'a, b'");
	free(def);
	CHECK(schema_column_def(t, "pos") == NULL);
	CHECK(!strncmp(s.tables[0].name, "r", 2));
	CHECK(!t->internal);
	CHECK(schema_add_table(&s, "HEARTH_version")->internal);
	schema_release(&s);
}

T_MAIN("schema", T(test_norm_type), T(test_norm_default),
       T(test_checks_and_defs))

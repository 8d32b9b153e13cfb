/* test_pg_scratch.c - schema.sql's portable types as PostgreSQL spells
 * them (pg_scratch_types); loading into the server is in the e2e tests. */
#include <stdlib.h>

#include "store/pg_scratch.h"
#include "store/pg_sql.h"
#include "store/sqlite_sql.h"
#include "store/store_sql.h"
#include "t.h"

#define TYPES(in, want)                                                      \
	do {                                                                 \
		char *o_ = pg_scratch_types(in);                             \
		CHECK_STR(o_, want);                                         \
		free(o_);                                                    \
	} while (0)

static void test_portable_types(void)
{
	TYPES("CREATE TABLE r (t TIMESTAMP, d DATETIME, b BLOB, x REAL);",
	      "CREATE TABLE r (t timestamptz, d timestamptz, b bytea, "
	      "x double precision);");
	/* SQLite's REAL is 8 bytes, PostgreSQL's 4: real too, any case */
	TYPES("CREATE TABLE r (x real NOT NULL, y Real DEFAULT 1.5);",
	      "CREATE TABLE r (x double precision NOT NULL, "
	      "y double precision DEFAULT 1.5);");
	TYPES("CREATE TABLE r (x DOUBLE, y DOUBLE PRECISION, z float4);",
	      "CREATE TABLE r (x double precision, y DOUBLE PRECISION, "
	      "z float4);");
}

/* Only a column's type changes: names, constraints, other statements
 * and what a PostgreSQL spelling says already stay as written. */
static void test_only_column_types(void)
{
	TYPES("CREATE TABLE real (real REAL, \"blob\" BLOB,\n"
	      "  CHECK (real > 0));",
	      "CREATE TABLE real (real double precision, \"blob\" bytea,\n"
	      "  CHECK (real > 0));");
	TYPES("CREATE TABLE r (t TIMESTAMP WITHOUT TIME ZONE, "
	      "u timestamp with time zone);",
	      "CREATE TABLE r (t TIMESTAMP WITHOUT TIME ZONE, "
	      "u timestamp with time zone);");
	TYPES("CREATE VIEW v AS SELECT CAST(x AS REAL) AS x FROM r; -- REAL\n",
	      "CREATE VIEW v AS SELECT CAST(x AS REAL) AS x FROM r; -- REAL\n");
	TYPES("CREATE TABLE r (x NUMERIC(10, 2) DEFAULT (1), y REAL);",
	      "CREATE TABLE r (x NUMERIC(10, 2) DEFAULT (1), "
	      "y double precision);");
}

/* SQL made without schema.sql (serve's auto_columns) spells a type as
 * schema.sql's would be read: the same column on either backend. */
static void test_one_type(void)
{
	CHECK_STR(pg_scratch_type("real"), "double precision");
	CHECK_STR(pg_scratch_type("TIMESTAMP"), "timestamptz");
	CHECK_STR(pg_scratch_type("INTEGER"), "INTEGER");
	CHECK_STR(store_sql_type(&pg_sql, "REAL"), "double precision");
	CHECK_STR(store_sql_type(&pg_sql, "TEXT"), "TEXT");
	CHECK_STR(store_sql_type(&sqlite_sql, "REAL"), "REAL");
	CHECK_STR(store_sql_type(&sqlite_sql, "TIMESTAMP"), "TIMESTAMP");
}

T_MAIN("pg_scratch", T(test_portable_types), T(test_only_column_types),
       T(test_one_type))

#include "t.h"
#include "t_store.h"
#include "store.h"
#include "timefmt.h"
#include "writer.h"

static int add(struct store *s, const char *table, const char *const *cols,
	       const char *const *vals, size_t n, struct hearth_err *err)
{
	struct schema sc = SCHEMA_INIT;
	struct writer *w = NULL;
	size_t lens[8], i;
	int ret = -1;

	for (i = 0; i < n; i++)
		lens[i] = vals[i] ? strlen(vals[i]) : 0;
	if (store_introspect(s, &sc, err) == 0 &&
	    writer_open(&w, s, &sc, table, cols, n, NULL, 1, err) == 0 &&
	    writer_add(w, vals, lens, INT64_C(1416780900) * US_PER_SEC, err) == 0)
		ret = 0;
	writer_free(w);
	schema_release(&sc);
	return ret;
}

static char *one(struct store *s, const char *sql)
{
	static char out[256];
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store_stmt *st;

	out[0] = '\0';
	if (store_prepare(s, sql, &st, &err) == 0) {
		if (store_step(st, &err) == 1)
			snprintf(out, sizeof(out), "%s", store_column_text(st, 0, NULL));
		store_finalize(st);
	}
	return out;
}

static void test_types_and_time(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem("CREATE TABLE r (t TIMESTAMP, w INT, temp REAL, "
			      "note TEXT, any_)");
	const char *cols[] = { "w", "temp", "note", "any_" };
	const char *vals[] = { "512", "21.5", "hi", "7" };
	const char *cols2[] = { "t", "w" };
	const char *vals2[] = { "1416780960", "5.0" };

	CHECK(add(s, "r", cols, vals, 4, &err) == 0);
	CHECK_STR(one(s, "SELECT t || '|' || typeof(w) || '|' || typeof(temp) "
			 "|| '|' || typeof(any_) FROM r"),
		  "2014-11-23 22:15:00|integer|real|integer");
	CHECK(add(s, "r", cols2, vals2, 2, &err) == 0);
	CHECK_STR(one(s, "SELECT t || '|' || w FROM r WHERE rowid = 2"),
		  "2014-11-23 22:16:00|5");
	store_close(s);
}

static void test_time_style_follows_table(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem("CREATE TABLE r (t TIMESTAMP, w INT);"
			      "INSERT INTO r VALUES (1000, 1);");
	const char *cols[] = { "t", "w" };
	const char *vals[] = { "2014-11-23T22:15:00Z", "2" };

	CHECK(add(s, "r", cols, vals, 2, &err) == 0);
	CHECK_STR(one(s, "SELECT typeof(t) || t FROM r WHERE w = 2"),
		  "integer1416780900");
	store_close(s);
	s = t_mem("CREATE TABLE r (t TIMESTAMP, w INT);"
		"INSERT INTO r VALUES ('2000-01-01T00:00:00Z', 1);");
	CHECK(add(s, "r", cols, vals, 2, &err) == 0);
	CHECK_STR(one(s, "SELECT t FROM r WHERE w = 2"), "2014-11-23T22:15:00Z");
	store_close(s);
}

static void test_bad_values(void)
{
	/* Tried: text in an INTEGER column, a fraction in an INTEGER
	 * column, text/hex/nan in a REAL column, a bad time, an unknown
	 * column, an unknown table, a NOT NULL violation. */
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem("CREATE TABLE r (t TIMESTAMP, w INT, temp REAL, "
			      "n TEXT NOT NULL DEFAULT 'x')");
	const char *cw[] = { "w" }, *ct[] = { "temp" }, *ctime[] = { "t" };
	const char *cx[] = { "nope" }, *cn[] = { "n" };
	const char *v;

	v = "abc";
	CHECK(add(s, "r", cw, &v, 1, &err) < 0);
	CHECK_STR(err.msg, "column w: 'abc' is not an integer");
	v = "1.5";
	CHECK(add(s, "r", cw, &v, 1, &err) < 0);
	v = "warm";
	CHECK(add(s, "r", ct, &v, 1, &err) < 0);
	CHECK_STR(err.msg, "column temp: 'warm' is not a number");
	v = "0x10";
	CHECK(add(s, "r", ct, &v, 1, &err) < 0);
	v = "nan";
	CHECK(add(s, "r", ct, &v, 1, &err) < 0);
	v = "yesterday";
	CHECK(add(s, "r", ctime, &v, 1, &err) < 0);
	CHECK_STR(err.msg, "column t: 'yesterday' is not a time");
	v = "1";
	CHECK(add(s, "r", cx, &v, 1, &err) < 0);
	CHECK_STR(err.msg, "unknown column 'nope' in table r");
	CHECK(add(s, "zz", cw, &v, 1, &err) < 0);
	CHECK_STR(err.msg, "unknown table 'zz'");
	v = "";
	CHECK(add(s, "r", cn, &v, 1, &err) < 0);
	CHECK(strstr(err.msg, "NOT NULL") != NULL);
	CHECK_STR(one(s, "SELECT count(*) FROM r"), "0");
	store_close(s);
}

T_MAIN("writer", T(test_types_and_time), T(test_time_style_follows_table),
       T(test_bad_values))

#include "t.h"
#include "t_store.h"
#include "chart/format.h"
#include "chart/series.h"
#include "base/timefmt.h"

static int to_buf(void *ctx, const char *p, size_t n)
{
	return buf_add(ctx, p, n);
}

/* Run a window and format it; returns the text (static) or NULL. */
static const char *window(struct store *s, const char *table, const char *since,
			  const char *until, enum format_kind kind)
{
	static struct buf out = BUF_INIT;
	struct hearth_err err = HEARTH_ERR_INIT;
	struct series_window w = SERIES_WINDOW_INIT;
	struct schema sc = SCHEMA_INIT;
	struct store_stmt *st = NULL;
	struct format_sink sink = { to_buf, &out };
	int idx;
	int64_t n, now = timefmt_from_civil(2014, 11, 24, 0, 0, 0);
	const char *ret = NULL;

	buf_reset(&out);
	if (since && timefmt_parse(since, now, TIMEFMT_UTC, &w.since, &err) < 0)
		goto out;
	if (until && timefmt_parse(until, now, TIMEFMT_UTC, &w.until, &err) < 0)
		goto out;
	if (store_introspect(s, &sc, &err) < 0 ||
	    series_select(s, &sc, table, NULL, &w, &st, &idx, &err) < 0 ||
	    format_rows(st, idx, kind, &sink, &n, &err) < 0)
		goto out;
	ret = buf_cstr(&out);
out:
	if (!ret)
		fprintf(stderr, "  %s\n", err.msg);
	store_finalize(st);
	schema_release(&sc);
	return ret;
}

static void test_python_iso_text(void)
{
	struct store *s = t_mem(
		"CREATE TABLE readings (r_datetime TIMESTAMP, r_watts INT);"
		"INSERT INTO readings VALUES ('2014-11-23 21:00:00.123456', 1),"
		"('2014-11-23 22:15:00', 2), ('2014-11-23 22:15:00.5', 3),"
		"('2014-11-23 23:59:59.999999', 4);");

	CHECK_STR(window(s, "readings", "-2h", "2014-11-23 22:15", FORMAT_CSV),
		  "r_datetime,r_watts\n2014-11-23 22:15:00,2\n");
	CHECK_STR(window(s, "readings", "2014-11-23 22:15", "2014-11-23 22:15:00.5",
			 FORMAT_CSV),
		  "r_datetime,r_watts\n2014-11-23 22:15:00,2\n"
		  "2014-11-23 22:15:00.500000,3\n");
	CHECK_STR(window(s, "readings", "-1h", NULL, FORMAT_JSON),
		  "[\n{\"r_datetime\":\"2014-11-23T23:59:59.999999Z\",\"r_watts\":4}\n]\n");
	CHECK_STR(window(s, "readings", "2020-01-01", NULL, FORMAT_JSON), "[]\n");
	store_close(s);
}

static void test_unix_and_mixed(void)
{
	struct store *s = t_mem(
		"CREATE TABLE m (ts DATETIME, v REAL, name TEXT);"
		"INSERT INTO m VALUES (1416780900, 1.5, 'a'), "
		"('2014-11-23T22:16:00Z', 2, 'b, \"c\"'), (1416780960.5, 3, NULL);");

	CHECK_STR(window(s, "m", "2014-11-23T22:15:30Z", NULL, FORMAT_CSV),
		  "ts,v,name\n2014-11-23 22:16:00.500000,3,\n"
		  "2014-11-23 22:16:00,2,\"b, \"\"c\"\"\"\n");
	CHECK_STR(window(s, "m", NULL, NULL, FORMAT_TABLE),
		  "ts                            v  name  \n"
		  "--------------------------  ---  ------\n"
		  "2014-11-23 22:15:00         1.5  a     \n"
		  "2014-11-23 22:16:00.500000    3  NULL  \n"
		  "2014-11-23 22:16:00           2  b, \"c\"\n");
	store_close(s);
}

/* Found by fuzzing.  Numbers far outside any date in a time column (other
 * programs may store anything) were scaled to microseconds with overflow;
 * and a bound past year 9999 ("+8000y") was spelled with five digits,
 * which sorts before "2014", so it found no rows. */
static void test_out_of_range(void)
{
	struct store *s = t_mem(
		"CREATE TABLE m (ts TIMESTAMP, v INT);"
		"INSERT INTO m VALUES ('2014-11-23 22:15:00', 1), (1e300, 2),"
		"(-9223372036854775808, 3), (253402300800, 4), (253402300799, 5);");

	CHECK_STR(window(s, "m", "-10y", "+8000y", FORMAT_CSV),
		  "ts,v\n9999-12-31 23:59:59,5\n2014-11-23 22:15:00,1\n");
	CHECK_STR(window(s, "m", "-8000y", "+20y", FORMAT_CSV),
		  "ts,v\n2014-11-23 22:15:00,1\n");
	/* No window: every row, the ones that are no time as they are. */
	CHECK(window(s, "m", NULL, NULL, FORMAT_JSON) != NULL);
	store_close(s);
}

/* Text that would drive a terminal (an escape sequence from a hostile
 * e-mail subject, a line break, the sampler's own \x1f) is shown
 * escaped in the table; CSV and JSON carry it as it is, quoted. */
static void test_control_characters(void)
{
	struct store *s = t_mem(
		"CREATE TABLE m (ts TIMESTAMP, name TEXT);"
		"INSERT INTO m VALUES ('2014-11-23 22:15:00', "
		"char(27) || '[31mred' || char(10) || 'x' || char(31) || 'y');");

	CHECK_STR(window(s, "m", NULL, NULL, FORMAT_TABLE),
		  "ts                   name               \n"
		  "-------------------  -------------------\n"
		  "2014-11-23 22:15:00  \\x1b[31mred\\nx\\x1fy\n");
	CHECK_STR(window(s, "m", NULL, NULL, FORMAT_CSV),
		  "ts,name\n2014-11-23 22:15:00,\"\x1b[31mred\nx\x1fy\"\n");
	store_close(s);
}

static void test_errors(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct series_window w = SERIES_WINDOW_INIT;
	struct schema sc = SCHEMA_INIT;
	struct store_stmt *st = NULL;
	struct store *s = t_mem("CREATE TABLE plain (a INT)");
	int idx;

	store_introspect(s, &sc, &err);
	CHECK(series_select(s, &sc, "nope", NULL, &w, &st, &idx, &err) < 0);
	CHECK_STR(err.msg, "unknown table 'nope'");
	CHECK(series_select(s, &sc, "plain", NULL, &w, &st, &idx, &err) < 0);
	CHECK(strstr(err.msg, "has no time column") != NULL);
	CHECK(series_select(s, &sc, "plain", "zz", &w, &st, &idx, &err) < 0);
	CHECK_STR(err.msg, "time column 'zz' is not in table plain");
	schema_release(&sc);
	store_close(s);
}

/* Rows of one sensor: filters on labels and numbers, with and without
 * a window, all of them holding; an unknown column is an error.  (Unix
 * seconds sort before text, and print as UTC text.) */
static void test_filters(void)
{
	struct store *s = t_mem(
		"CREATE TABLE m (t TIMESTAMP, who TEXT, n INTEGER);"
		"INSERT INTO m VALUES ('2014-11-23 22:00:00', 'Hall', 1),"
		"('2014-11-23 22:01:00', 'Porch', 1), ('2014-11-23 22:02:00', "
		"'Hall', 2), ('2014-11-23 22:03:00', 'hall', 2),"
		"(1416780300, 'Hall', 3);");
	struct hearth_err err = HEARTH_ERR_INIT;
	struct series_eq eq[2] = { { "who", "Hall" }, { "n", "2" } };
	struct series_window w = SERIES_WINDOW_INIT;
	struct schema sc = SCHEMA_INIT;
	struct store_stmt *st = NULL;
	struct buf out = BUF_INIT;
	struct format_sink sink = { to_buf, &out };
	int64_t n;
	int idx, k;

	CHECK(store_introspect(s, &sc, &err) == 0);
	for (k = 0; k < 3; k++) {
		w.eq = eq;
		w.neq = k == 0 ? 1 : 2;
		w.since = k == 2 ? timefmt_from_civil(2014, 11, 23, 22, 2, 30)
				 : SERIES_NO_BOUND;
		buf_reset(&out);
		CHECK(series_select(s, &sc, "m", NULL, &w, &st, &idx, &err) == 0 &&
		      format_rows(st, idx, FORMAT_CSV, &sink, &n, &err) == 0);
		store_finalize(st);
		st = NULL;
		CHECK_STR(buf_cstr(&out),
			  k == 0 ? "t,who,n\n2014-11-23 22:05:00,Hall,3\n"
				   "2014-11-23 22:00:00,Hall,1\n"
				   "2014-11-23 22:02:00,Hall,2\n"
			  : k == 1 ? "t,who,n\n2014-11-23 22:02:00,Hall,2\n"
				   : "t,who,n\n");
	}
	eq[1].col = "nope";
	CHECK(series_select(s, &sc, "m", NULL, &w, &st, &idx, &err) < 0);
	CHECK_STR(err.msg, "unknown column 'nope' in table m");
	buf_release(&out);
	schema_release(&sc);
	store_close(s);
}

T_MAIN("series", T(test_python_iso_text), T(test_unix_and_mixed),
       T(test_filters),
       T(test_out_of_range), T(test_control_characters), T(test_errors))

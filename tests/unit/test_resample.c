#include "t.h"

#include "chart/resample.h"
#include "chart/series.h"
#include "base/timefmt.h"

static int to_buf(void *ctx, const char *p, size_t n)
{
	return buf_add(ctx, p, n);
}

static void test_parse(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	enum resample_agg agg;
	int64_t w;

	CHECK_INT(resample_parse_width("5m", &w, &err), 0);
	CHECK_INT(w, 300 * US_PER_SEC);
	CHECK_INT(resample_parse_width("90", &w, &err), 0);
	CHECK_INT(w, 90 * US_PER_SEC);
	CHECK_INT(resample_parse_width("1d", &w, &err), 0);
	CHECK_INT(w, 86400 * US_PER_SEC);
	/* Bad widths tried: zero, negative, unknown unit, trailing junk,
	 * empty, absurdly large. */
	CHECK_INT(resample_parse_width("0m", &w, &err), -1);
	CHECK(strstr(err.msg, "bucket '0m'") != NULL);
	CHECK_INT(resample_parse_width("-5m", &w, &err), -1);
	CHECK_INT(resample_parse_width("5x", &w, &err), -1);
	CHECK_INT(resample_parse_width("5mm", &w, &err), -1);
	CHECK_INT(resample_parse_width("", &w, &err), -1);
	CHECK_INT(resample_parse_width("99999999999w", &w, &err), -1);
	CHECK_INT(resample_parse_agg("max", &agg), 0);
	CHECK_INT(agg, RESAMPLE_MAX);
	CHECK_INT(resample_parse_agg("mean", &agg), 0);
	CHECK_INT(agg, RESAMPLE_AVG);
	CHECK_INT(resample_parse_agg("median", &agg), -1);
}

static char *run(struct store *s, const struct schema *schema,
		 enum resample_agg agg, enum format_kind kind, int64_t *n)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct series_window w = SERIES_WINDOW_INIT;
	struct store_stmt *st = NULL;
	struct buf out = BUF_INIT;
	struct format_sink sink = { to_buf, &out };
	int ti = -1;

	CHECK_INT(series_select(s, schema, "r", NULL, &w, &st, &ti, &err), 0);
	CHECK_INT(resample_rows(st, schema_find_table(schema, "r"), ti,
			      3600 * US_PER_SEC, agg, kind, &sink, n, &err), 0);
	store_finalize(st);
	return buf_detach(&out, NULL);
}

static void test_rows(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = NULL;
	struct schema schema = SCHEMA_INIT;
	int64_t n = 0;
	char *out;

	CHECK_INT(store_open(&s, "sqlite:///:memory:", NULL, STORE_CREATE, &err), 0);
	CHECK_INT(store_exec(s, "CREATE TABLE r (t TIMESTAMP, w INTEGER, c REAL, "
			     "name TEXT);"
			     "INSERT INTO r VALUES ('2024-01-01 00:10:00', 10, 1.0, 'a'),"
			     "('2024-01-01 00:50:00', 30, NULL, 'b'),"
			     "('2024-01-01 02:00:00', 5, 2.5, 'c');", &err), 0);
	CHECK_INT(store_introspect(s, &schema, &err), 0);
	out = run(s, &schema, RESAMPLE_AVG, FORMAT_CSV, &n);
	CHECK_STR(out, "t,w,c\n2024-01-01T00:00:00Z,20,1\n"
		       "2024-01-01T02:00:00Z,5,2.5\n");
	CHECK_INT(n, 2);
	free(out);
	out = run(s, &schema, RESAMPLE_MAX, FORMAT_JSON, &n);
	CHECK_STR(out, "[\n{\"t\":\"2024-01-01T00:00:00Z\",\"w\":30,\"c\":1},\n"
		       "{\"t\":\"2024-01-01T02:00:00Z\",\"w\":5,\"c\":2.5}\n]\n");
	free(out);
	out = run(s, &schema, RESAMPLE_COUNT, FORMAT_CSV, &n);
	CHECK_STR(out, "t,count\n2024-01-01T00:00:00Z,2\n2024-01-01T02:00:00Z,1\n");
	free(out);
	CHECK_INT(store_exec(s, "DELETE FROM r", &err), 0);
	out = run(s, &schema, RESAMPLE_AVG, FORMAT_JSON, &n);
	CHECK_STR(out, "[]\n");
	CHECK_INT(n, 0);
	free(out);
	schema_release(&schema);
	store_close(s);
}

T_MAIN("resample", T(test_parse), T(test_rows))

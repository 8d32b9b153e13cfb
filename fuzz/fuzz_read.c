/* libFuzzer harness: what a read or a chart does with its query string -
 * since, until, bucket, agg, last, picture size - against tables holding
 * ISO text, unix seconds and values no program should store (times of
 * 1e300, the ends of int64).  The first byte picks chart or rows, the
 * table and whether the last line also filters the table's second column;
 * the rest is lines: since, until, bucket, agg, last. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "chart/chart.h"
#include "chart/format.h"
#include "fuzz.h"
#include "chart/resample.h"
#include "rollup/rollup.h"
#include "chart/series.h"
#include "chart/svg.h"
#include "base/timefmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *db;
static struct schema schema = SCHEMA_INIT;

static void setup(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct buf sql = BUF_INIT;
	int i;

	buf_addstr(&sql,
		   "CREATE TABLE readings (r_datetime TIMESTAMP NOT NULL,"
		   " r_watts INTEGER, r_temp REAL);"
		   "CREATE INDEX ri ON readings (r_datetime);"
		   "CREATE TABLE motion (r_datetime TIMESTAMP NOT NULL,"
		   " r_s_name TEXT NOT NULL);"
		   "CREATE TABLE u (t TIMESTAMP, v REAL);"
		   "INSERT INTO u VALUES (1700000000, 1), (-62135596800, 2),"
		   " (253402300799, 3), (1e300, 4), ('x', 5), (NULL, 6),"
		   " (-9223372036854775808, 7), (9223372036854775807, 8);"
		   "INSERT INTO motion VALUES ('0001-01-01 00:00:00', 'a'),"
		   " ('9999-12-31 23:59:59.999999', 'b');"
		   "INSERT INTO readings VALUES ('2023-11-14 22:13:20', NULL, 1e308),"
		   " ('2023-11-14 22:13:21', -9223372036854775808, -1e308);");
	for (i = 0; i < 3000; i++)
		buf_addf(&sql, "INSERT INTO readings VALUES (datetime(1700000000 + "
			 "%d * 37, 'unixepoch'), %d, %d.5);"
			 "INSERT INTO motion VALUES (datetime(1700000000 + "
			 "%d * 613, 'unixepoch'), 's%d');",
			 i, i % 500, i % 30, i, i % 30);
	if (store_open(&db, "sqlite:///:memory:", NULL, STORE_CREATE, &err) < 0 ||
	    store_exec(db, sql.s, &err) < 0 ||
	    store_introspect(db, &schema, &err) < 0 ||
	    rollup_rebuild(db, &schema, "readings", NULL, NULL, &err) < 0)
		abort();
	schema_release(&schema);
	if (store_introspect(db, &schema, &err) < 0)
		abort();
	buf_release(&sql);
}

static int discard(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	(void)p;
	(void)n;
	return 0;
}

/* With the pick's high bit, a filter: the table's second column holds
 * the last line (hearth query --where, ?COLUMN=VALUE). */
static struct series_eq filter;
static size_t nfilter;

static void chart(const char *table, char **f, size_t nf, int64_t now)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct svg_opts so = { 0, 0, 1 };
	struct chart ch = CHART_INIT;
	struct buf out = BUF_INIT;
	struct chart_opts co;

	memset(&co, 0, sizeof(co));
	so.width = 200 + (nf > 3 ? (int)(strlen(f[3]) * 97 % 3800) : 0);
	so.height = 200 + (nf > 4 ? (int)(strlen(f[4]) * 53 % 3800) : 0);
	co.raw = nf > 2 && *f[2];
	co.eq = &filter;
	co.neq = nfilter;
	if (chart_window(*f[0] ? f[0] : NULL, nf > 1 && *f[1] ? f[1] : NULL,
			 now, &co.t0, &co.t1, &err) == 0) {
		co.ncols = svg_columns(so.width);
		if (chart_load(&ch, db, &schema, table, &co, &err) == 0)
			svg_draw(&out, &ch, &so);
	}
	chart_release(&ch);
	buf_release(&out);
}

static void rows(const char *table, char **f, size_t nf, int64_t now,
		 enum format_kind kind)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct series_window w = SERIES_WINDOW_INIT;
	struct format_sink sink = { discard, NULL };
	enum resample_agg agg = RESAMPLE_AVG;
	struct store_stmt *st = NULL;
	int64_t width = 0, n;
	int idx;

	if ((*f[0] && timefmt_parse(f[0], now, TIMEFMT_UTC, &w.since, &err) < 0) ||
	    (nf > 1 && *f[1] &&
	     timefmt_parse(f[1], now, TIMEFMT_UTC, &w.until, &err) < 0) ||
	    (nf > 2 && *f[2] && resample_parse_width(f[2], &width, &err) < 0) ||
	    (nf > 3 && resample_parse_agg(f[3], &agg) < 0))
		return;
	if (nf > 4 && !width) {
		w.limit = (int64_t)strlen(f[4]);
		w.newest_first = 1;
	}
	w.eq = &filter;
	w.neq = nfilter;
	if (series_select(db, &schema, table, NULL, &w, &st, &idx, &err) < 0)
		return;
	if (width)
		resample_rows(st, schema_find_table(&schema, table), idx, width,
			      agg, kind, &sink, &n, &err);
	else
		format_rows(st, idx, kind, &sink, &n, &err);
	store_finalize(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const tables[] = { "readings", "motion", "u" };
	static const char *const second[] = { "r_watts", "r_s_name", "v" };
	int64_t now = INT64_C(1700050000) * US_PER_SEC;
	char *text, *p, *f[5];
	size_t nf = 0;
	unsigned pick;

	if (!db)
		setup();
	/* Query strings are short; long ones only make runs slow. */
	if (size > 300 || !(text = fuzz_split(data, size, &pick, &size)))
		return 0;
	f[nf++] = text;
	for (p = text; *p && nf < 5; p++)
		if (*p == '\n') {
			*p = '\0';
			f[nf++] = p + 1;
		}
	filter.col = second[pick / 2 % 3];
	filter.val = f[nf - 1];
	nfilter = pick & 0x80 ? 1 : 0;
	if (pick % 2)
		chart(tables[pick / 2 % 3], f, nf, now);
	else
		rows(tables[pick / 2 % 3], f, nf, now,
		     (enum format_kind)(pick / 6 % 3));
	free(text);
	return 0;
}

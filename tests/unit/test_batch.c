/* Tests for batch.c and wtx.c: request bodies parsed into a batch, then
 * stored in a write transaction, as the server does with them. */
#include "t.h"
#include "t_store.h"

#include <stdint.h>

#include "base/buf.h"
#include "base/config.h"
#include "ingest/batch.h"
#include "ingest/ingest.h"
#include "ingest/wtx.h"
#include "rollup/rollup.h"

/* A body parsed whole into one batch. */
struct body {
	struct ingest_src src;
	struct batch *b;
};

static void body_free(struct body *st)
{
	if (!st)
		return;
	batch_free(st->b);
	free(st);
}

/* body_prepare: parse and convert body; on error *bad_line is the line
 * at fault (0 when the error is not the input's), *out NULL. */
static int body_prepare(struct body **out, struct store *s,
			const struct schema *schema, const struct config *cfg,
			enum ingest_format f, const char *table,
			enum lp_precision prec, const char *body, size_t len,
			long *bad_line, struct hearth_err *err)
{
	struct body *st = calloc(1, sizeof(*st));
	struct batch_opts bo = { s, schema, cfg, table, 64, 0 };
	struct ingest_parser *p;
	int rc;

	ingest_src_mem(&st->src, body, len);
	p = ingest_open(f, &st->src, prec);
	st->b = batch_new(&bo);
	rc = batch_fill(st->b, p, SIZE_MAX, bad_line, err);
	ingest_free(p);
	if (rc < 0) {
		body_free(st);
		st = NULL;
	}
	*out = st;
	return rc < 0 ? -1 : 0;
}

static size_t body_rows(const struct body *st)
{
	return batch_rows(st->b);
}

/* body_store: one write transaction; committed(ctx, table, rows) per
 * table after the commit. */
static int body_store(struct body *st, struct store *s,
		      void (*committed)(void *ctx, const char *table,
					int64_t rows),
		      void *ctx, long *bad_line, struct hearth_err *err)
{
	struct wtx tx = WTX_INIT;
	size_t i;
	int rc = -1;

	*bad_line = 0;
	if (wtx_begin(&tx, s, err) == 0 &&
	    wtx_put(&tx, st->b, bad_line, err) == 0 &&
	    wtx_commit(&tx, err) == 0) {
		rc = 0;
		for (i = 0; committed && i < tx.counts.n; i++)
			committed(ctx, tx.counts.v[i].table,
				  tx.counts.v[i].rows);
	}
	wtx_release(&tx);
	return rc;
}

static const char ddl[] =
	"CREATE TABLE r (t TIMESTAMP NOT NULL, w INTEGER CHECK (w >= 0), c REAL);"
	"CREATE TABLE m (t TIMESTAMP NOT NULL, name TEXT NOT NULL);";

struct seen {
	int64_t r, m;
	int calls;
};

static void counted(void *ctx, const char *table, int64_t rows)
{
	struct seen *c = ctx;

	c->calls++;
	if (!strcmp(table, "r"))
		c->r += rows;
	else if (!strcmp(table, "m"))
		c->m += rows;
}

/* 100 lines, r and m interleaved now and then: every row stored in
 * order, counted per table. */
static void test_lp_tables(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem(ddl);
	struct schema schema = SCHEMA_INIT;
	struct body *st = NULL;
	struct seen c = { 0, 0, 0 };
	struct buf body = BUF_INIT;
	long bad = -1;
	int i;

	CHECK_INT(store_introspect(s, &schema, &err), 0);
	for (i = 0; i < 100; i++) {
		if (i % 25 == 24)
			buf_addf(&body, "m name=\"s%d\" %d\n", i, 1700000000 + i);
		else
			buf_addf(&body, "r w=%di,c=%d.5 %d\n", i, i, 1700000000 + i);
	}
	CHECK_INT(body_prepare(&st, s, &schema, NULL, INGEST_LP, NULL, LP_S,
				body.s, body.len, &bad, &err), 0);
	CHECK_INT(body_rows(st), 100);
	CHECK_INT(t_int(s, "SELECT count(*) FROM r"), 0); /* nothing written yet */
	CHECK_INT(body_store(st, s, counted, &c, &bad, &err), 0);
	CHECK_INT(c.r, 96);
	CHECK_INT(c.m, 4);
	CHECK_INT(c.calls, 2);
	CHECK_INT(t_int(s, "SELECT count(*) FROM r"), 96);
	CHECK_INT(t_int(s, "SELECT sum(w) FROM r"), 4950 - (24 + 49 + 74 + 99));
	/* rowid order is input order */
	CHECK_INT(t_int(s, "SELECT count(*) FROM r a JOIN r b ON b.rowid = a.rowid + 1 "
		       "WHERE b.w < a.w"), 0);
	CHECK_INT(t_int(s, "SELECT count(*) FROM r WHERE t = '2023-11-14 22:13:21'"), 1);
	body_free(st);
	buf_release(&body);
	schema_release(&schema);
	store_close(s);
}

/* A CHECK failure on line 200 (inside the second multi-row statement,
 * rows 129 to 256): the error names line 200 and nothing is stored. */
static void test_constraint_line(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem(ddl);
	struct schema schema = SCHEMA_INIT;
	struct body *st = NULL;
	struct buf body = BUF_INIT;
	long bad = 0;
	int i;

	CHECK_INT(store_introspect(s, &schema, &err), 0);
	for (i = 1; i <= 300; i++)
		buf_addf(&body, "r w=%di\n", i == 200 ? -1 : i);
	CHECK_INT(body_prepare(&st, s, &schema, NULL, INGEST_LP, "r", LP_NS,
				body.s, body.len, &bad, &err), 0);
	CHECK_INT(body_store(st, s, NULL, NULL, &bad, &err), -1);
	CHECK_INT(bad, 200);
	CHECK(strstr(err.msg, "line 200") != NULL);
	CHECK(strstr(err.msg, "CHECK") != NULL);
	CHECK_INT(t_int(s, "SELECT count(*) FROM r"), 0);
	body_free(st);
	buf_release(&body);
	schema_release(&schema);
	store_close(s);
}

/* Bad input tried: a bad value (CSV line 3), a short row (CSV line 2),
 * an unknown column (LP line 2), another measurement than the table. */
static void test_bad_input(void)
{
	static const struct {
		enum ingest_format f;
		const char *table, *body, *msg;
		long line;
	} cases[] = {
		{ INGEST_CSV, "r", "t,w\n2024-01-01,1\n2024-01-02,x\n",
		  "line 3: column w: 'x' is not an integer", 3 },
		{ INGEST_CSV, "r", "t,w\n2024-01-01\n", "line 2: 1 fields", 2 },
		{ INGEST_LP, NULL, "r w=1i\nr volts=2\n",
		  "line 2: unknown column 'volts'", 2 },
		{ INGEST_LP, "r", "r w=1i\nm name=\"x\"\n",
		  "line 2: measurement 'm' is not table 'r'", 2 },
		/* times hearth could not read back: years past 9999 */
		{ INGEST_CSV, "r", "t,w\n2024-01-01,1\n1000000000000,2\n",
		  "line 3: column t: '1000000000000' is not a time", 3 },
		{ INGEST_CSV, "r", "t,w\n12024-01-01,1\n",
		  "line 2: column t: '12024-01-01' is not a time", 2 },
	};
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem(ddl);
	struct schema schema = SCHEMA_INIT;
	struct body *st;
	size_t i;
	long bad;

	CHECK_INT(store_introspect(s, &schema, &err), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		st = NULL;
		bad = 0;
		CHECK_INT(body_prepare(&st, s, &schema, NULL, cases[i].f,
					cases[i].table, LP_NS, cases[i].body,
					strlen(cases[i].body), &bad, &err), -1);
		CHECK(st == NULL);
		CHECK_INT(bad, cases[i].line);
		if (!strstr(err.msg, cases[i].msg)) {
			fprintf(stderr, "  case %zu: '%s' lacks '%s'\n", i,
				err.msg, cases[i].msg);
			t_case_failed = 1;
		}
	}
	/* A line protocol timestamp in seconds can be any year: 700000000000
	 * s is in year 24152. */
	st = NULL;
	CHECK_INT(body_prepare(&st, s, &schema, NULL, INGEST_LP, "r", LP_S,
				"r w=1i 1700000000\nr w=2i 700000000000\n", 38,
				&bad, &err), -1);
	CHECK_INT(bad, 2);
	CHECK_STR(err.msg, "line 2: timestamp out of range: times are years "
		  "0001 to 9999");
	CHECK_INT(t_int(s, "SELECT count(*) FROM r"), 0);
	schema_release(&schema);
	store_close(s);
}

static void test_csv(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem(ddl);
	struct schema schema = SCHEMA_INIT;
	struct body *st = NULL;
	const char *body = "\xef\xbb\xbf t , w ,c\n2024-01-01 00:00:00,5,1.5\n"
			   "1704067260,6,\n";
	long bad;

	CHECK_INT(store_introspect(s, &schema, &err), 0);
	CHECK_INT(body_prepare(&st, s, &schema, NULL, INGEST_CSV, "r", LP_NS,
				body, strlen(body), &bad, &err), 0);
	CHECK_INT(body_store(st, s, NULL, NULL, &bad, &err), 0);
	CHECK_INT(t_int(s, "SELECT count(*) FROM r WHERE c IS NULL AND w = 6 AND "
		       "t = '2024-01-01 00:01:00'"), 1);
	body_free(st);
	schema_release(&schema);
	store_close(s);
}

/* A request's rows go into the rollups from the aggregates made before
 * the lock (no trigger, nothing read back), and a failed request leaves
 * rollups and mark as they were. */
static void test_rollups(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem(ddl);
	struct schema schema = SCHEMA_INIT;
	struct body *st = NULL;
	struct buf body = BUF_INIT;
	long bad = 0;
	int i, k;

	CHECK_INT(store_exec(s, "INSERT INTO r VALUES ('2023-11-14 22:00:00', 7, 1)",
			     &err), 0);
	CHECK_INT(store_introspect(s, &schema, &err), 0);
	CHECK_INT(rollup_rebuild(s, &schema, "r", NULL, NULL, &err), 0);
	schema_release(&schema);
	CHECK_INT(store_introspect(s, &schema, &err), 0);
	for (i = 0; i < 600; i++)
		buf_addf(&body, "r w=%di,c=1 %d\n", i, 1700000000 + i);
	CHECK_INT(body_prepare(&st, s, &schema, NULL, INGEST_LP, "r", LP_S,
				body.s, body.len, &bad, &err), 0);
	CHECK_INT(body_store(st, s, NULL, NULL, &bad, &err), 0);
	body_free(st);
	CHECK_INT(t_int(s, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
		       "AND name = 'hearth_rollup_r_ins'"), 0);
	CHECK_INT(t_int(s, "SELECT upto FROM hearth_rollup_mark WHERE tbl = 'r'"), 601);
	CHECK_INT(t_int(s, "SELECT sum(\"w:n\") FROM hearth_rollup_r_m"), 601);
	CHECK_INT(t_int(s, "SELECT sum(\"w:sum\") FROM hearth_rollup_r_h"), 7 + 599 * 600 / 2);
	CHECK_INT(t_int(s, "SELECT max(\"w:max\") FROM hearth_rollup_r_m"), 599);
	/* The same again with a bad row at the end: nothing changes. */
	buf_reset(&body);
	for (i = 0; i < 600; i++)
		buf_addf(&body, "r w=%di %d\n", i == 599 ? -5 : i, 1700001000 + i);
	CHECK_INT(body_prepare(&st, s, &schema, NULL, INGEST_LP, "r", LP_S,
				body.s, body.len, &bad, &err), 0);
	CHECK_INT(body_store(st, s, NULL, NULL, &bad, &err), -1);
	CHECK_INT(bad, 600);
	body_free(st);
	CHECK_INT(t_int(s, "SELECT upto FROM hearth_rollup_mark WHERE tbl = 'r'"), 601);
	CHECK_INT(t_int(s, "SELECT sum(\"w:n\") FROM hearth_rollup_r_m"), 601);
	/* A row another program inserted is folded by the next request, once. */
	CHECK_INT(store_exec(s, "INSERT INTO r VALUES ('2023-11-14 22:00:30', 3, 1)",
			     &err), 0);
	CHECK_INT(body_prepare(&st, s, &schema, NULL, INGEST_LP, "r", LP_S,
				"r w=1000i 1700005000\n", 21, &bad, &err), 0);
	CHECK_INT(body_store(st, s, NULL, NULL, &bad, &err), 0);
	body_free(st);
	CHECK_INT(t_int(s, "SELECT sum(\"w:n\") FROM hearth_rollup_r_m"), 603);
	CHECK_INT(t_int(s, "SELECT upto FROM hearth_rollup_mark WHERE tbl = 'r'"), 603);
	/* Rows of the next day first, then a request across midnight: the
	 * fold must not take the later day's rows for its own (a text
	 * range spelled with 'T' would, "2023-11-16 00:30" sorting before
	 * "2023-11-16T00:05"). */
	for (k = 0; k < 2; k++) {
		buf_reset(&body);
		for (i = 0; i < 600; i++)
			buf_addf(&body, "r w=1i %lld\n", /* milliseconds */
				 k == 0 ? 1700094000000LL + i * 1000 /* 11-16 00:20 on */
					: 1700092500000LL + i * 500); /* 11-15 23:55 on */
		CHECK_INT(body_prepare(&st, s, &schema, NULL, INGEST_LP, "r",
					LP_MS, body.s, body.len, &bad, &err), 0);
		if (!st)
			break;
		CHECK_INT(body_store(st, s, NULL, NULL, &bad, &err), 0);
		body_free(st);
	}
	CHECK_INT(t_int(s, "SELECT sum(\"w:n\") FROM hearth_rollup_r_m"),
		  t_int(s, "SELECT count(w) FROM r"));
	CHECK_INT(t_int(s, "SELECT sum(\"w:n\") FROM hearth_rollup_r_h"),
		  t_int(s, "SELECT count(w) FROM r"));
	buf_release(&body);
	schema_release(&schema);
	store_close(s);
}

/* The rollups of table k hold what a rebuild from its rows would. */
static void check_rollups_match_rows(struct store *s)
{
	CHECK_INT(t_int(s, "SELECT sum(\"w:n\") FROM hearth_rollup_k_m"),
		  t_int(s, "SELECT count(w) FROM k"));
	CHECK_INT(t_int(s, "SELECT sum(\"w:sum\") FROM hearth_rollup_k_h"),
		  t_int(s, "SELECT sum(w) FROM k"));
	CHECK_INT(t_int(s, "SELECT sum(\"c:n\") FROM hearth_rollup_k_h"),
		  t_int(s, "SELECT count(c) FROM k"));
	CHECK_INT(t_int(s, "SELECT sum(\"c:sum\") * 10 FROM hearth_rollup_k_m"),
		  t_int(s, "SELECT sum(c) * 10 FROM k"));
	CHECK_INT(t_int(s, "SELECT max(\"c:max\") * 10 FROM hearth_rollup_k_m"),
		  t_int(s, "SELECT max(c) * 10 FROM k"));
	CHECK_INT(t_int(s, "SELECT upto FROM hearth_rollup_mark WHERE tbl = 'k'"),
		  t_int(s, "SELECT max(rowid) FROM k"));
}

/* A table with a key keeps one row per key: a batch sent again updates
 * the rows it names with the values it gives (a retry stores nothing
 * twice), and the rollups follow the updates. */
static void test_keyed_table_updates(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = t_mem("CREATE TABLE k (t TIMESTAMP NOT NULL, host TEXT "
				"NOT NULL, w INTEGER, c REAL, UNIQUE (t, host))");
	struct schema schema = SCHEMA_INIT;
	struct body *st = NULL;
	struct buf body = BUF_INIT;
	long bad = 0;
	int i, pass;

	CHECK_INT(store_introspect(s, &schema, &err), 0);
	CHECK_INT(rollup_rebuild(s, &schema, "k", NULL, NULL, &err), 0);
	schema_release(&schema);
	CHECK_INT(store_introspect(s, &schema, &err), 0);
	/* 300 rows (multi-row INSERTs), twice: the same rows. */
	for (i = 0; i < 300; i++)
		buf_addf(&body, "k,host=h%d w=%di,c=1 %d\n", i % 2, i,
			 1700000000 + i / 2);
	for (pass = 0; pass < 2; pass++) {
		CHECK_INT(body_prepare(&st, s, &schema, NULL, INGEST_LP, NULL,
					LP_S, body.s, body.len, &bad, &err), 0);
		CHECK_INT(body_store(st, s, NULL, NULL, &bad, &err), 0);
		body_free(st);
	}
	CHECK_INT(t_int(s, "SELECT count(*) FROM k"), 300);
	check_rollups_match_rows(s);
	/* Half of them again with c only, and 100 new rows; one key twice
	 * in the batch: the later value stays. */
	buf_reset(&body);
	for (i = 150; i < 400; i++)
		buf_addf(&body, i < 300 ? "k,host=h%d c=2.5 %d\n"
					: "k,host=h%d w=1i,c=3 %d\n",
			 i % 2, 1700000000 + i / 2);
	buf_addstr(&body, "k,host=h0 c=4.5 1700000100\n");
	CHECK_INT(body_prepare(&st, s, &schema, NULL, INGEST_LP, NULL, LP_S,
				body.s, body.len, &bad, &err), 0);
	CHECK_INT(body_store(st, s, NULL, NULL, &bad, &err), 0);
	body_free(st);
	CHECK_INT(t_int(s, "SELECT count(*) FROM k"), 400);
	CHECK_INT(t_int(s, "SELECT w FROM k WHERE t = '2023-11-14 22:15:00' AND "
		       "host = 'h0'"), 200);
	CHECK_INT(t_int(s, "SELECT c * 10 FROM k WHERE t = '2023-11-14 22:15:00' "
		       "AND host = 'h0'"), 45);
	CHECK_INT(t_int(s, "SELECT count(*) FROM k WHERE c = 2.5"), 149);
	CHECK_INT(t_int(s, "SELECT count(*) FROM k WHERE c = 1"), 150);
	check_rollups_match_rows(s);
	buf_release(&body);
	schema_release(&schema);
	store_close(s);
}

T_MAIN("batch", T(test_lp_tables), T(test_constraint_line), T(test_rollups),
       T(test_keyed_table_updates),
       T(test_bad_input), T(test_csv))

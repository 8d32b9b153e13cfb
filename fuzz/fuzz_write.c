/* libFuzzer harness: what an HTTP write or `hearth import` does with its
 * body - line protocol, CSV and JSON parsed into batches and stored in
 * one write transaction (batch.h, wtx.h), as the server's writing thread
 * stores a request, files imported in batches (import.h) - into an
 * in-memory database shaped like `hearth init`'s, with a table whose
 * time column is unix seconds and columns of every affinity.  The first
 * byte picks the path, table, precision, batch size and atomicity.  The
 * rows in the database must grow by exactly the rows the path says it
 * stored: all of a request's or none (for import, every row before the
 * bad line).  Table k has a key, so a row may update one stored before
 * (writer.h): its rows written are counted by triggers of the test's
 * own instead.  What auto_columns and auto_tables would add is looked for
 * too (autocol_pending): when nothing, the write must find no unknown
 * table or column. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "fuzz.h"
#include "ingest/batch.h"
#include "ingest/import.h"
#include "ingest/ingest.h"
#include "ingest/wtx.h"
#include "serve/autocol.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char ddl[] =
	"CREATE TABLE readings (r_datetime TIMESTAMP NOT NULL, r_watts INTEGER,"
	" r_temp REAL);"
	"CREATE INDEX readings_r_datetime ON readings (r_datetime);"
	"CREATE TABLE motion (r_datetime TIMESTAMP NOT NULL, r_s_name TEXT NOT NULL,"
	" ok BOOLEAN, n NUMERIC CHECK (n IS NULL OR n >= 0));"
	"CREATE TABLE u (t INTEGER, v REAL, b BLOB);"
	"CREATE TABLE k (t TIMESTAMP NOT NULL, s TEXT NOT NULL, v REAL, "
	" n INTEGER, PRIMARY KEY (t, s));"
	/* Rows inserted into k or updated by a write, rolled back with it. */
	"CREATE TEMP TABLE k_written (n INTEGER NOT NULL);"
	"INSERT INTO k_written VALUES (0);"
	"CREATE TEMP TRIGGER k_ins AFTER INSERT ON main.k BEGIN "
	" UPDATE k_written SET n = n + 1; END;"
	"CREATE TEMP TRIGGER k_upd AFTER UPDATE ON main.k BEGIN "
	" UPDATE k_written SET n = n + 1; END;";

static struct store *db;
static struct schema schema = SCHEMA_INIT;
static struct config *cfg;

static void setup(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;

	cfg = config_new();
	if (store_open(&db, "sqlite:///:memory:", NULL, STORE_CREATE, &err) < 0 ||
	    store_exec(db, ddl, &err) < 0 ||
	    store_introspect(db, &schema, &err) < 0 ||
	    config_parse(cfg, "[time_columns]\nu = t\n", "fuzz.ini", &err) < 0)
		abort();
}

/* Rows in the tables without a key, and rows written into k. */
static int64_t stored(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	int64_t n = -1;

	if (store_query_int(db, "SELECT (SELECT count(*) FROM readings) + "
			    "(SELECT count(*) FROM motion) + "
			    "(SELECT count(*) FROM u) + "
			    "(SELECT n FROM k_written)", &n, &err,
			    (const char *)NULL) < 0)
		abort();
	return n;
}

/* The error is a writer's finding an unknown table or column (after
 * "line N: ", "element N: " or "line N (header): "), not a parser's
 * message that happens to quote such words from the input. */
static int unknown_name(const char *msg)
{
	const char *p = msg;

	if (!strncmp(p, "line ", 5))
		p += 5;
	else if (!strncmp(p, "element ", 8))
		p += 8;
	else
		return 0;
	if (*p < '0' || *p > '9')
		return 0;
	while (*p >= '0' && *p <= '9')
		p++;
	if (!strncmp(p, " (header)", 9))
		p += 9;
	return !strncmp(p, ": unknown table '", 17) ||
	       !strncmp(p, ": unknown column '", 18);
}

/* A request's body in batches of a few rows (so that a body is often
 * several), all in one transaction: its rows stored, or 0. */
static int64_t write_request(enum ingest_format f, const char *table,
			     enum lp_precision prec, const char *body,
			     size_t size, struct hearth_err *err)
{
	static struct ingest_src src; /* 64 KB */
	struct batch_opts bo = { db, &schema, cfg, table, 64, 0 };
	struct batch *b = batch_new(&bo);
	struct ingest_parser *p;
	struct wtx tx = WTX_INIT;
	int64_t rows = 0;
	long bad = 0;
	int fill = 1;

	ingest_src_mem(&src, body, size);
	p = ingest_open(f, &src, prec);
	if (wtx_begin(&tx, db, err) == 0) {
		while (fill > 0 && (fill = batch_fill(b, p, 7, &bad, err)) >= 0 &&
		       wtx_put(&tx, b, &bad, err) == 0)
			batch_reset(b);
		if (fill == 0 && wtx_commit(&tx, err) == 0)
			rows = tx.counts.rows;
	}
	wtx_release(&tx);
	ingest_free(p);
	batch_free(b);
	return rows;
}

/* The rows a path says it stored: all of a request's or none. */
static int64_t write_body(unsigned pick, const char *body, size_t size)
{
	static const enum lp_precision precs[] = { LP_NS, LP_US, LP_MS, LP_S };
	static const char *const tables[] = { NULL, "readings", "motion", "u" };
	struct hearth_err err = HEARTH_ERR_INIT, scan_err = HEARTH_ERR_INIT;
	const char *table = tables[pick / 4 % 4];
	enum ingest_format format = pick % 4 == 1 ? INGEST_CSV
				  : pick % 4 == 2 ? INGEST_JSON : INGEST_LP;
	struct import_result res;
	static struct ingest_src src; /* 64 KB */
	struct import_opts o;
	int64_t rows;
	int pending;

	if (format != INGEST_LP && !table)
		table = format == INGEST_CSV ? "motion" : "u";
	switch (pick % 4) {
	case 0: /* line protocol, CSV and JSON bodies, as the API stores them */
	case 1:
	case 2:
		pending = format != INGEST_CSV
				  ? autocol_pending(&schema, AUTOCOL_COLUMNS |
						    (format == INGEST_LP
							     ? AUTOCOL_TABLES
							     : 0),
						    format, table, body, size,
						    &scan_err)
				  : -1;
		rows = write_request(format, table, precs[pick / 16 % 4], body,
				     size, &err);
		/* auto_columns and auto_tables look before the write: when
		 * they find nothing to add, the write finds nothing missing. */
		if (pending == 0 && unknown_name(err.msg))
			abort();
		return rows;
	default: /* hearth import: batches */
		memset(&o, 0, sizeof(o));
		o.table = table;
		o.format = pick / 16 % 2 ? INGEST_CSV : INGEST_LP;
		if (o.format == INGEST_CSV && !table)
			o.table = "readings";
		o.precision = precs[pick / 32 % 4];
		o.cfg = cfg;
		o.batch = 1 + pick / 128 % 4;
		o.atomic = (int)(pick / 64 % 2);
		ingest_src_mem(&src, body, size);
		import_run(db, &schema, &src, &o, &res, &err);
		return res.rows;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	static unsigned runs;
	int64_t before, rows;
	unsigned pick;
	char *body;

	if (!db)
		setup();
	if (!(body = fuzz_split(data, size, &pick, &size)))
		return 0;
	before = stored();
	rows = write_body(pick, body, size);
	/* Nothing lost, nothing half-stored, nothing stored unsaid. */
	if (stored() != before + rows)
		abort();
	/* Keep the database small, and so the runs fast. */
	if (++runs % 500 == 0)
		store_exec(db, "DELETE FROM readings; DELETE FROM motion; "
			   "DELETE FROM u; DELETE FROM k; "
			   "UPDATE k_written SET n = 0;", &err);
	free(body);
	return 0;
}

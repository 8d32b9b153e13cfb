/* libFuzzer harness: what an HTTP write or `hearth import` does with its
 * body - line protocol and CSV staged and stored (stage.h), JSON rows
 * stored (jsonrows.h), files imported in batches (import.h) - into an
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

#include "serve/autocol.h"
#include "base/config.h"
#include "fuzz.h"
#include "ingest/import.h"
#include "ingest/ingest.h"
#include "ingest/jsonrows.h"
#include "ingest/stage.h"
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

/* The rows a path says it stored: all of a request's or none. */
static int64_t write_body(unsigned pick, const char *body, size_t size)
{
	static const enum lp_precision precs[] = { LP_NS, LP_US, LP_MS, LP_S };
	static const char *const tables[] = { NULL, "readings", "motion", "u" };
	struct hearth_err err = HEARTH_ERR_INIT, scan_err = HEARTH_ERR_INIT;
	const char *table = tables[pick / 4 % 4];
	enum import_format format = pick % 4 == 1 ? IMPORT_CSV : IMPORT_LP;
	struct jsonrows_result jr;
	struct import_result res;
	static struct ingest_src src; /* 64 KB */
	struct import_opts o;
	struct stage *st = NULL;
	int64_t rows = 0;
	long bad = 0;
	int pending;

	if (format == IMPORT_CSV && !table)
		table = "motion";
	switch (pick % 4) {
	case 0: /* line protocol and CSV bodies, as the API stages them */
	case 1:
		pending = format == IMPORT_LP
				  ? autocol_pending(&schema, AUTOCOL_COLUMNS |
						    AUTOCOL_TABLES, NULL, body,
						    size, &scan_err)
				  : -1;
		if (stage_prepare(&st, db, &schema, cfg, format, table,
				  precs[pick / 16 % 4], body, size, &bad,
				  &err) == 0 &&
		    stage_store(st, NULL, NULL, &bad, &err) == 0)
			rows = (int64_t)stage_rows(st);
		/* auto_columns and auto_tables look before the write: when
		 * they find nothing to add, the write finds nothing missing. */
		if (pending == 0 && (strstr(err.msg, "unknown table") ||
				     strstr(err.msg, "unknown column")))
			abort();
		stage_free(st);
		return rows;
	case 2:
		memset(&jr, 0, sizeof(jr));
		jsonrows_write(db, &schema, table ? table : "u", NULL, body,
			       size, &jr, &err);
		return jr.rows;
	default: /* hearth import, and bodies too big to stage: batches */
		memset(&o, 0, sizeof(o));
		o.table = table;
		o.format = pick / 16 % 2 ? IMPORT_CSV : IMPORT_LP;
		if (o.format == IMPORT_CSV && !table)
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

/* libFuzzer harness: what an HTTP write does with its body - line protocol
 * and CSV staged and stored (stage.h), JSON rows stored (jsonrows.h) -
 * into an in-memory database shaped like `hearth init`'s, with a table
 * whose time column is unix seconds and columns of every affinity.  The
 * first byte picks the path and the line-protocol precision. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz.h"
#include "jsonrows.h"
#include "stage.h"
#include "store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char ddl[] =
	"CREATE TABLE readings (r_datetime TIMESTAMP NOT NULL, r_watts INTEGER,"
	" r_temp REAL);"
	"CREATE INDEX readings_r_datetime ON readings (r_datetime);"
	"CREATE TABLE motion (r_datetime TIMESTAMP NOT NULL, r_s_name TEXT NOT NULL,"
	" ok BOOLEAN, n NUMERIC CHECK (n IS NULL OR n >= 0));"
	"CREATE TABLE u (t INTEGER, v REAL, b BLOB);";

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum lp_precision precs[] = { LP_NS, LP_US, LP_MS, LP_S };
	static const char *const tables[] = { NULL, "readings", "motion", "u" };
	struct hearth_err err = HEARTH_ERR_INIT;
	static unsigned runs;
	char *body;
	unsigned pick;
	long bad = 0;

	if (!db)
		setup();
	if (!(body = fuzz_split(data, size, &pick, &size)))
		return 0;
	if (pick % 3 == 2) {
		struct jsonrows_result jr;

		memset(&jr, 0, sizeof(jr));
		jsonrows_write(db, &schema, tables[1 + pick / 3 % 3], NULL, body,
			       size, &jr, &err);
	} else {
		struct stage *st = NULL;
		int csv = pick % 3 == 1;

		if (stage_prepare(&st, db, &schema, cfg,
				  csv ? IMPORT_CSV : IMPORT_LP,
				  tables[pick / 3 % 4] ? tables[pick / 3 % 4]
						       : csv ? "motion" : NULL,
				  precs[pick / 12 % 4], body, size, &bad,
				  &err) == 0)
			stage_store(st, NULL, NULL, &bad, &err);
		stage_free(st);
	}
	/* Keep the database small, and so the runs fast. */
	if (++runs % 500 == 0)
		store_exec(db, "DELETE FROM readings; DELETE FROM motion; "
			   "DELETE FROM u;", &err);
	free(body);
	return 0;
}

/* libFuzzer harness: what a person edits by hand - hearth.ini, revision
 * files, schema.sql - through the config parser (and the [imap] settings
 * read from it), the revision parser,
 * the SQL tokenizer and its rewrites, and, for SQL SQLite accepts, the
 * schema diff against `hearth init`'s tables (with the renames its
 * comments say) and the DDL it renders.
 * The first byte picks which. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/config.h"
#include "migrate/annotation.h"
#include "migrate/ddl.h"
#include "migrate/diff.h"
#include "fuzz.h"
#include "sources/imap.h"
#include "migrate/revision.h"
#include "store/schema.h"
#include "store/sqltok.h"
#include "store/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char base_ddl[] =
	"CREATE TABLE readings (r_datetime TIMESTAMP NOT NULL, r_watts INTEGER,"
	" r_temp REAL);"
	"CREATE INDEX readings_r_datetime ON readings (r_datetime);"
	"CREATE TABLE motion (r_datetime TIMESTAMP NOT NULL, r_s_name TEXT NOT NULL"
	" DEFAULT 'x' CHECK (length(r_s_name) < 99));"
	"CREATE VIEW v AS SELECT * FROM motion;";

static struct schema base = SCHEMA_INIT;

static void item(void *ctx, const char *p, size_t n, int constraint)
{
	(void)ctx;
	(void)p;
	(void)n;
	(void)constraint;
}

static void tokens(const char *s, size_t n)
{
	char *a = sqltok_normalize(s), *b = sqltok_create_rename(s, "new \"t\""),
	     *c = sqltok_index_retable(s, "t t"), **checks = NULL;
	size_t i, nchecks = 0;

	sqltok_table_items(s, item, NULL);
	sqltok_table_tail(s);
	sqltok_checks(s, n, &checks, &nchecks);
	sqltok_tx_control(s);
	sqltok_mentions(s, "readings");
	for (i = 0; i < nchecks; i++)
		free(checks[i]);
	free(checks);
	free(a);
	free(b);
	free(c);
}

/* The input as schema.sql, its rename annotations met with base's
 * tables, diffed with base one way or the other. */
static void diff(const char *sql, int forward)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct schema sc = SCHEMA_INIT;
	struct diff d = DIFF_INIT;
	struct buf out = BUF_INIT;
	struct store *s = NULL;
	struct annotations notes = ANNOTATIONS_INIT;
	struct diff_renames rn = DIFF_RENAMES_INIT, back = DIFF_RENAMES_INIT;

	if (store_open(&s, "sqlite:///:memory:", NULL, STORE_CREATE, &err) == 0 &&
	    store_exec(s, sql, &err) == 0 && store_introspect(s, &sc, &err) == 0) {
		if (annotation_read(sql, "schema.sql", &notes, &err) == 0)
			annotation_resolve(&notes, "schema.sql", &base, &sc, &rn,
					   &err);
		diff_renames_reverse(&rn, &back);
		diff_schemas_renamed(forward ? &base : &sc, forward ? &sc : &base,
				     forward ? &rn : &back, &d);
		ddl_render(&d, "sqlite", &out, &err);
		diff_release(&d);
	}
	annotation_release(&notes);
	diff_renames_release(&rn);
	diff_renames_release(&back);
	schema_release(&sc);
	if (s)
		store_close(s);
	buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	static struct store *base_db;
	struct imap_settings imap;
	struct config *cfg;
	struct revision r;
	unsigned pick;
	char *s;

	if (!base_db &&
	    (store_open(&base_db, "sqlite:///:memory:", NULL, STORE_CREATE,
			&err) < 0 ||
	     store_exec(base_db, base_ddl, &err) < 0 ||
	     store_introspect(base_db, &base, &err) < 0))
		abort();
	if (!(s = fuzz_split(data, size, &pick, &size)))
		return 0;
	switch (pick % 5) {
	case 0: /* and its [imap] section: URL, interval, secrets */
		cfg = config_new();
		if (config_parse(cfg, s, "hearth.ini", &err) == 0) {
			imap_settings_load(&imap, cfg, &err);
			imap_settings_release(&imap);
		}
		config_free(cfg);
		break;
	case 1:
		memset(&r, 0, sizeof(r));
		if (revision_parse(&r, "migrations/x.sql", s, size, &err) == 0)
			revision_release(&r);
		break;
	case 2:
		tokens(s, size);
		break;
	default:
		diff(s, pick % 5 == 3);
		break;
	}
	free(s);
	return 0;
}

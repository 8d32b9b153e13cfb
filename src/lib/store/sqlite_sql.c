/*
 * sqlite_sql.c - SQLite's SQL: the dialect other modules ask for pieces
 * of, and the statements behind the store calls that SQLite answers with
 * a PRAGMA or its catalog.
 *
 * The trigger and expression texts must stay as they are, byte for byte:
 * rollups compare the triggers a database holds with the ones they would
 * make now, and rebuild them when the two differ.
 */
#include "store/sqlite_sql.h"

#include "store/backend.h"
#include "store/store.h"

static void sq_is_number(struct buf *b, const char *expr)
{
	buf_addf(b, "typeof(%s) IN ('integer','real')", expr);
}

static void sq_unix_secs(struct buf *b, const char *expr, const char *type)
{
	/* unixepoch() of text costs about half of strftime('%s'), which
	 * formats a string only to have it parsed back; it runs once per
	 * row written.  (A number given to it would be a julian day, hence
	 * the CASE; a column of any type may hold either.) */
	(void)type;
	buf_addstr(b, "(CASE WHEN ");
	sq_is_number(b, expr);
	buf_addf(b, " THEN CAST(%s AS INTEGER) ELSE unixepoch(%s) END)", expr,
		 expr);
}

static void sq_minute_text(struct buf *b, const char *secs, char sep,
			   const char *tail)
{
	buf_addf(b, "strftime('%%Y-%%m-%%d%c%%H:%%M%s', %s, 'unixepoch')", sep,
		 tail, secs);
}

static void sq_min_max(struct buf *b, int max, const char *x, const char *y)
{
	/* The two-argument min() and max() are NULL when either is. */
	buf_addf(b, "%s(coalesce(%s, %s), coalesce(%s, %s))", max ? "max" : "min",
		 x, y, y, x);
}

static void sq_now_iso(struct buf *b)
{
	buf_addstr(b, "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')");
}

static void sq_create_trigger(struct buf *b, const char *name,
			      const char *event, const char *table,
			      const char *body)
{
	buf_addstr(b, "CREATE TRIGGER ");
	store_quote_ident(b, name);
	buf_addf(b, " AFTER %s ON ", event);
	store_quote_ident(b, table);
	buf_addstr(b, " BEGIN ");
	buf_addstr(b, body);
	buf_addstr(b, " END");
}

static void sq_drop_trigger(struct buf *b, const char *name,
			    const char *table)
{
	buf_addstr(b, "DROP TRIGGER IF EXISTS ");
	store_quote_ident(b, name);
}

/* PRAGMA foreign_keys does nothing inside a transaction: it goes before
 * BEGIN, and back on after COMMIT. */
static void sq_script_begin(struct buf *b)
{
	buf_addstr(b, "PRAGMA foreign_keys = OFF;\nBEGIN;\n");
}

static void sq_script_end(struct buf *b)
{
	buf_addstr(b, "PRAGMA foreign_key_check;\nCOMMIT;\n"
		      "PRAGMA foreign_keys = ON;\n");
}

const struct store_sql sqlite_sql = {
	.name = "sqlite",
	.begin_write = "BEGIN IMMEDIATE",
	.lock_tx = NULL, /* BEGIN IMMEDIATE holds the one write lock */
	.row_order = "rowid",
	.row_id = "rowid",
	/* The default (ABORT) undoes the rows before the one that failed:
	 * to be able to, SQLite copies every page the statement changes
	 * first, which costs a twentieth of an insert. */
	.insert_keep = "INSERT OR FAIL INTO ",
	.temp_prefix = "temp.",
	.any_type = "",
	.type_time = "TIMESTAMP",
	.type_int = "INTEGER",
	.type_real = "REAL",
	.type_text = "TEXT",
	.type_blob = "BLOB",
	.type_numeric = "NUMERIC",
	.is_number = sq_is_number,
	.unix_secs = sq_unix_secs,
	.minute_text = sq_minute_text,
	.min_max = sq_min_max,
	.now_iso = sq_now_iso,
	.create_trigger = sq_create_trigger,
	.drop_trigger = sq_drop_trigger,
	.script_begin = sq_script_begin,
	.script_end = sq_script_end,
};

int sqlite_sql_schema_version(struct store *s, int64_t *out,
			      struct hearth_err *err)
{
	/* Cached: a server asks before every request. */
	return store_query_int(s, "PRAGMA schema_version", out, err,
			       (const char *)NULL) < 0 ? -1 : 0;
}

int sqlite_sql_has_table(struct store *s, const char *name,
			 struct hearth_err *err)
{
	int64_t n = 0;

	if (store_query_int(s, "SELECT count(*) FROM sqlite_master WHERE "
			    "type = 'table' AND name = ?", &n, err, name,
			    (const char *)NULL) < 0)
		return -1;
	return n > 0;
}

/* A WITHOUT ROWID table has no rowid to select. */
int sqlite_sql_has_row_order(struct store *s, const char *table,
			     struct hearth_err *why)
{
	struct hearth_err ignore;
	struct store_stmt *st = NULL;
	struct buf sql = BUF_INIT;
	int ok;

	buf_addstr(&sql, "SELECT rowid FROM ");
	store_quote_ident(&sql, table);
	ok = store_prepare(s, sql.s, &st, &ignore) == 0;
	store_finalize(st);
	buf_release(&sql);
	if (!ok)
		err_set(why, "table %s has no rowid (WITHOUT ROWID)", table);
	return ok;
}

/* SQLite 3.35 and later take ON CONFLICT without naming the constraint,
 * so every unique index of the table counts. */
void sqlite_sql_upsert(struct store *s, struct buf *b, const char *table)
{
	buf_addstr(b, " ON CONFLICT DO UPDATE SET ");
}

int sqlite_sql_migration_begin(struct store *s, struct hearth_err *err)
{
	/* secure_delete (on by default in Debian's SQLite) zeroes every page
	 * a rebuild's DROP TABLE frees, which costs as much as the copy;
	 * FAST still clears deleted content where that costs no extra I/O.
	 * The rows are not deleted anyway, they moved to the new table.  The
	 * DROP also reads every page of the old table once more: memory-
	 * mapped reads make that cheaper (SQLite falls back to read() where
	 * the mapping cannot be made). */
	if (store_exec(s, "PRAGMA foreign_keys = OFF; "
			  "PRAGMA secure_delete = FAST; "
			  "PRAGMA mmap_size = 1073741824", err) < 0) {
		sqlite_sql_migration_end(s);
		return -1;
	}
	return 0;
}

/* Rows that break a foreign key after the revision ran with the keys off. */
int sqlite_sql_migration_check(struct store *s, struct hearth_err *err)
{
	struct store_stmt *st = NULL;
	int rc;

	if (store_prepare(s, "PRAGMA foreign_key_check", &st, err) < 0)
		return -1;
	rc = store_step(st, err);
	if (rc == 1)
		err_set(err, "a row of table %s breaks a foreign key to %s "
			"(rowid %lld)", store_column_text(st, 0, NULL),
			store_column_text(st, 2, NULL),
			(long long)store_column_int(st, 1));
	store_finalize(st);
	return rc == 0 ? 0 : -1;
}

void sqlite_sql_migration_end(struct store *s)
{
	store_exec(s, "PRAGMA foreign_keys = ON", NULL);
}

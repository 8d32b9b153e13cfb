/*
 * pg_sql.c - PostgreSQL's SQL: the dialect other modules ask for pieces
 * of, and the store calls PostgreSQL answers from its catalog.
 *
 * hearth works in the connection's current schema (the first of its
 * search_path, "public" unless the user set another).
 */
#include "store/pg_sql.h"

#include <string.h>

#include "store/dialect.h"
#include "store/pg_scratch.h"
#include "store/schema.h"
#include "store/store.h"

/* The current schema's oid, as a subquery. */
#define NSP "current_schema()::regnamespace"

static void pg_is_number(struct buf *b, const char *expr)
{
	buf_addf(b, "(pg_typeof(%s) IN ('smallint'::regtype, 'integer'::regtype,"
		 " 'bigint'::regtype, 'real'::regtype, 'double precision'::regtype,"
		 " 'numeric'::regtype))", expr);
}

/* A column holds only its declared type: its unix seconds depend on it.
 * floor(), as SQLite's seconds and hearth's C cut the fraction off (a
 * plain ::bigint would round 59.7 up into the next minute). */
static void pg_unix_secs(struct buf *b, const char *expr, const char *type)
{
	switch (type ? schema_affinity(type) : AFF_TEXT) {
	case AFF_INTEGER:
		buf_addf(b, "(%s)::bigint", expr);
		break;
	case AFF_REAL:
	case AFF_NUMERIC:
		buf_addf(b, "floor(%s)::bigint", expr);
		break;
	case AFF_TIME:
		buf_addf(b, "floor(extract(epoch FROM %s))::bigint", expr);
		break;
	default:
		buf_addf(b, "floor(extract(epoch FROM (%s)::timestamptz))::bigint",
			 expr);
	}
}

static int pg_time_at(struct buf *b, const char *secs, const char *type)
{
	switch (type ? schema_affinity(type) : AFF_TEXT) {
	case AFF_INTEGER:
	case AFF_REAL:
	case AFF_NUMERIC:
		buf_addf(b, "(%s)", secs);
		return 1;
	case AFF_TIME:
		/* A time without zone compares with one in the session's
		 * zone: UTC. */
		buf_addf(b, "to_timestamp(%s)", secs);
		return 1;
	default:
		return 0;
	}
}

static void pg_minute_text(struct buf *b, const char *secs, char sep,
			   const char *tail)
{
	buf_addf(b, "(to_char(to_timestamp(%s) AT TIME ZONE 'UTC', "
		 "'YYYY-MM-DD\"%c\"HH24:MI') || '%s')", secs, sep, tail);
}

static void pg_min_max(struct buf *b, int max, const char *x, const char *y)
{
	/* least() and greatest() leave NULLs out, as the merge wants. */
	buf_addf(b, "%s(%s, %s)", max ? "greatest" : "least", x, y);
}

static void pg_now_iso(struct buf *b)
{
	buf_addstr(b, "to_char(now() AT TIME ZONE 'UTC', "
		      "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')");
}

/* A trigger runs a function: one of its own, named after it. */
static void pg_create_trigger(struct buf *b, const char *name,
			      const char *event, const char *table,
			      const char *body)
{
	struct buf fn = BUF_INIT;

	buf_addf(&fn, "%s_fn", name);
	buf_addstr(b, "CREATE FUNCTION ");
	store_quote_ident(b, fn.s);
	buf_addstr(b, "() RETURNS trigger LANGUAGE plpgsql AS $hearth$ BEGIN ");
	buf_addstr(b, body);
	buf_addstr(b, "; RETURN NULL; END $hearth$; CREATE TRIGGER ");
	store_quote_ident(b, name);
	buf_addf(b, " AFTER %s ON ", event);
	store_quote_ident(b, table);
	buf_addstr(b, " FOR EACH ROW EXECUTE FUNCTION ");
	store_quote_ident(b, fn.s);
	buf_addstr(b, "()");
	buf_release(&fn);
}

/* Once per statement, the statement's rows in transition tables. */
static void pg_create_set_trigger(struct buf *b, const char *name,
				  const char *event, const char *table,
				  const char *body)
{
	struct buf fn = BUF_INIT;
	int ins = !strcmp(event, "INSERT"), del = !strcmp(event, "DELETE");

	buf_addf(&fn, "%s_fn", name);
	buf_addstr(b, "CREATE FUNCTION ");
	store_quote_ident(b, fn.s);
	buf_addstr(b, "() RETURNS trigger LANGUAGE plpgsql AS $hearth$ BEGIN ");
	buf_addstr(b, body);
	buf_addstr(b, " RETURN NULL; END $hearth$; CREATE TRIGGER ");
	store_quote_ident(b, name);
	buf_addf(b, " AFTER %s ON ", event);
	store_quote_ident(b, table);
	buf_addf(b, " REFERENCING %s%s%s FOR EACH STATEMENT EXECUTE FUNCTION ",
		 del ? "" : "NEW TABLE AS hearth_new",
		 !ins && !del ? " " : "", ins ? "" : "OLD TABLE AS hearth_old");
	store_quote_ident(b, fn.s);
	buf_addstr(b, "()");
	buf_release(&fn);
}

/* A block of its own, whose handler undoes only the block. */
static void pg_trigger_guard(struct buf *b, const char *stmts)
{
	buf_addf(b, "BEGIN %s EXCEPTION WHEN undefined_column OR "
		 "undefined_table OR undefined_function OR datatype_mismatch "
		 "THEN NULL; END;", stmts);
}

static void pg_drop_trigger(struct buf *b, const char *name,
			    const char *table)
{
	struct buf fn = BUF_INIT;

	buf_addf(&fn, "%s_fn", name);
	buf_addstr(b, "DROP TRIGGER IF EXISTS ");
	store_quote_ident(b, name);
	buf_addstr(b, " ON ");
	store_quote_ident(b, table);
	buf_addstr(b, "; DROP FUNCTION IF EXISTS ");
	store_quote_ident(b, fn.s);
	buf_addstr(b, "()");
	buf_release(&fn);
}

/* DDL is transactional: a revision that fails leaves nothing behind. */
static void pg_script_begin(struct buf *b)
{
	buf_addstr(b, "BEGIN;\n");
}

static void pg_script_end(struct buf *b)
{
	buf_addstr(b, "COMMIT;\n");
}

const struct store_sql pg_sql = {
	.name = "postgresql",
	.begin_write = "BEGIN",
	/* READ COMMITTED: once it has the lock, the next statement sees
	 * what the holder before it committed. */
	.lock_tx = "SELECT pg_advisory_xact_lock(hashtext(?))",
	.row_order = NULL,
	.row_id = "ctid",
	.insert_keep = "INSERT INTO ",
	.temp_prefix = "pg_temp.",
	.any_type = "TEXT",
	/* UTC in timestamptz; SQLite's integers are 64 bits, its reals
	 * doubles (PostgreSQL's INTEGER and REAL are half that). */
	.type_time = "TIMESTAMPTZ",
	.type_int = "BIGINT",
	.type_real = "DOUBLE PRECISION",
	.type_text = "TEXT",
	.type_blob = "BYTEA",
	.type_numeric = "NUMERIC",
	.typed = 1,
	.error_aborts = 1,
	.is_number = pg_is_number,
	.unix_secs = pg_unix_secs,
	.time_at = pg_time_at,
	.minute_text = pg_minute_text,
	.min_max = pg_min_max,
	.now_iso = pg_now_iso,
	.create_trigger = pg_create_trigger,
	.drop_trigger = pg_drop_trigger,
	.create_set_trigger = pg_create_set_trigger,
	.trigger_guard = pg_trigger_guard,
	.script_begin = pg_script_begin,
	.script_end = pg_script_end,
	.type = pg_scratch_type,
};

/*
 * PostgreSQL counts no schema version.  The catalog rows of the schema's
 * tables, columns, constraints and triggers get a new xmin whenever one
 * changes, and rows come and go with what they describe: their count and
 * the sum of their xmins move with every change of the schema.
 */
int pg_sql_schema_version(struct store *s, int64_t *out,
			  struct hearth_err *err)
{
	static const char sql[] =
		"SELECT (SELECT count(*) + coalesce(sum(c.xmin::text::bigint), 0)"
		" FROM pg_class c WHERE c.relnamespace = " NSP ")"
		" + (SELECT count(*) + coalesce(sum(a.xmin::text::bigint), 0)"
		" FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
		" WHERE c.relnamespace = " NSP " AND a.attnum > 0)"
		" + (SELECT count(*) + coalesce(sum(k.xmin::text::bigint), 0)"
		" FROM pg_constraint k WHERE k.connamespace = " NSP ")"
		" + (SELECT count(*) + coalesce(sum(t.xmin::text::bigint), 0)"
		" FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
		" WHERE c.relnamespace = " NSP ")";

	return store_query_int(s, sql, out, err, (const char *)NULL) < 0 ? -1
									: 0;
}

/* Makers of hearth's tables queue on a lock of the database's own.  One
 * string of statements is one transaction (an implicit one, or the
 * caller's), so the lock is held until what it made is committed, and
 * the next maker's IF NOT EXISTS sees it. */
int pg_sql_create(struct store *s, const char *sql, struct hearth_err *err)
{
	struct buf b = BUF_INIT;
	int ret;

	buf_addstr(&b, "SELECT pg_advisory_xact_lock(hashtext('hearth "
		       "create')); ");
	buf_addstr(&b, sql);
	ret = store_exec(s, b.s, err);
	buf_release(&b);
	return ret;
}

int pg_sql_size(struct store *s, int64_t *out, struct hearth_err *err)
{
	return store_query_int(s, "SELECT pg_database_size(current_database())",
			       out, err, (const char *)NULL) < 0 ? -1 : 1;
}

int pg_sql_has_table(struct store *s, const char *name,
		     struct hearth_err *err)
{
	int64_t n = 0;

	if (store_query_int(s, "SELECT count(*) FROM pg_class WHERE relname = ?"
			    " AND relkind IN ('r', 'p') AND relnamespace = " NSP,
			    &n, err, name, (const char *)NULL) < 0)
		return -1;
	return n > 0;
}

int pg_sql_has_row_order(struct store *s, const char *table,
			 struct hearth_err *why)
{
	(void)s;
	err_set(why, "table %s has no insertion order (PostgreSQL)", table);
	return 0;
}

/* ON CONFLICT must name the key: the primary key, else the first full
 * unique index of plain columns. */
void pg_sql_upsert(struct store *s, struct buf *b, const char *table)
{
	static const char sql[] =
		"WITH k AS (SELECT i.indrelid, i.indkey FROM pg_index i"
		" WHERE i.indrelid = to_regclass(quote_ident(?::text))"
		" AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL"
		" ORDER BY i.indisprimary DESC, i.indexrelid LIMIT 1)"
		" SELECT a.attname FROM k CROSS JOIN LATERAL"
		" unnest(k.indkey::int2[]) WITH ORDINALITY AS u(attnum, ord)"
		" JOIN pg_attribute a"
		" ON a.attrelid = k.indrelid AND a.attnum = u.attnum ORDER BY u.ord";
	struct hearth_err ignore;
	struct store_stmt *st = NULL;
	int n = 0;

	buf_addstr(b, " ON CONFLICT (");
	if (store_cached(s, sql, &st, &ignore) == 0) {
		store_bind_text(st, 1, table, strlen(table));
		while (store_step(st, &ignore) == 1) {
			if (n++)
				buf_addstr(b, ", ");
			store_quote_ident(b, store_column_text(st, 0, NULL));
		}
		store_reset(st);
	}
	buf_addstr(b, ") DO UPDATE SET ");
}

/* Two upgrades at once queue on a lock of the database's own. */
int pg_sql_migration_begin(struct store *s, struct hearth_err *err)
{
	return store_exec(s, "SELECT pg_advisory_lock(hashtext('hearth "
			  "migrations'))", err);
}

int pg_sql_migration_check(struct store *s, struct hearth_err *err)
{
	/* Foreign keys hold at every statement: nothing is left to check. */
	(void)s;
	(void)err;
	return 0;
}

void pg_sql_migration_end(struct store *s)
{
	store_exec(s, "SELECT pg_advisory_unlock(hashtext('hearth "
		      "migrations'))", NULL);
}

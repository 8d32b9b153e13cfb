/*
 * pg_introspect.c - the schema model of a PostgreSQL schema, read from
 * pg_catalog: a query per kind of object for the whole schema, not per
 * table, so that `hearth check` on a hundred tables is a few round trips.
 *
 * Types are as format_type() writes them ("integer", "timestamp with time
 * zone"), checks and defaults as the server deparses them: both sides of
 * a diff are read this way, so they compare alike.  float4 is written
 * float4, not real: schema.sql's REAL is SQLite's 8-byte one, taken as
 * double precision (pg_scratch.h), so "real" would read back as another
 * type than the column has.  Index, view and
 * trigger statements name the schema's own tables unqualified (the server
 * qualifies an index's table always: that is taken out), so a statement
 * read from the scratch schema that schema.sql was loaded into
 * (pg_scratch.h) makes the same object in the live one.  Constraints
 * keep their names, which ALTER TABLE ... DROP CONSTRAINT needs.
 */
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"
#include "store/pg_introspect.h"
#include "store/store.h"

#define NSP "current_schema()::regnamespace"

static const char tables_sql[] =
	"SELECT c.relname FROM pg_class c WHERE c.relnamespace = " NSP
	" AND c.relkind IN ('r', 'p') ORDER BY c.relname";

static const char columns_sql[] =
	"SELECT c.relname, a.attname, CASE WHEN a.atttypid = 'float4'::regtype"
	" THEN 'float4' ELSE format_type(a.atttypid, a.atttypmod) END,"
	" a.attnotnull, pg_get_expr(d.adbin, d.adrelid),"
	" coalesce(array_position(p.conkey, a.attnum), 0)"
	" FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
	" LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
	" LEFT JOIN pg_constraint p ON p.conrelid = c.oid AND p.contype = 'p'"
	" WHERE c.relnamespace = " NSP " AND c.relkind IN ('r', 'p')"
	" AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum";

static const char fks_sql[] =
	"SELECT c.relname, k.conname, a.attname, af.attname, f.relname,"
	" k.confupdtype, k.confdeltype"
	" FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
	" JOIN pg_class f ON f.oid = k.confrelid CROSS JOIN LATERAL"
	" unnest(k.conkey, k.confkey) WITH ORDINALITY AS u(fk, pk, ord)"
	" JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.fk"
	" JOIN pg_attribute af ON af.attrelid = k.confrelid AND af.attnum = u.pk"
	" WHERE k.contype = 'f' AND c.relnamespace = " NSP
	" ORDER BY c.relname, k.conname, u.ord";

static const char checks_sql[] =
	"SELECT c.relname, pg_get_constraintdef(k.oid, true), k.conname"
	" FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
	" WHERE k.contype = 'c' AND c.relnamespace = " NSP
	" ORDER BY c.relname, k.conname";

static const char indexes_sql[] =
	"SELECT i.relname, c.relname, x.indisunique, x.indisprimary,"
	" EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid"
	" AND k.contype = 'u'),"
	" replace(replace(pg_get_indexdef(x.indexrelid),"
	" ' ON ' || quote_ident(current_schema()) || '.', ' ON '),"
	" ' ON ONLY ' || quote_ident(current_schema()) || '.', ' ON ONLY '),"
	" pg_get_expr(x.indpred, x.indrelid, true),"
	" array_to_string(ARRAY(SELECT pg_get_indexdef(x.indexrelid, k, true)"
	" FROM generate_series(1, x.indnkeyatts) k ORDER BY k), E'\\x1f')"
	" FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
	" JOIN pg_class c ON c.oid = x.indrelid"
	" WHERE c.relnamespace = " NSP " ORDER BY i.relname";

static const char views_sql[] =
	"SELECT c.relname, pg_get_viewdef(c.oid, true) FROM pg_class c"
	" WHERE c.relkind = 'v' AND c.relnamespace = " NSP " ORDER BY c.relname";

static const char triggers_sql[] =
	"SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid, true)"
	" FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
	" WHERE NOT t.tgisinternal AND c.relnamespace = " NSP
	" ORDER BY t.tgname";

static char *col_dup(struct store_stmt *st, int i)
{
	return store_column_type(st, i) == STORE_NULL
		       ? NULL
		       : xstrdup(store_column_text(st, i, NULL));
}

/* The model's table name (schema_find_table: the names PostgreSQL gives
 * are exact). */
static struct schema_table *table_of(struct schema *out, struct store_stmt *st)
{
	return (struct schema_table *)schema_find_table(
		out, store_column_text(st, 0, NULL));
}

static const char *action(const char *code)
{
	switch (*code) {
	case 'r':
		return "RESTRICT";
	case 'c':
		return "CASCADE";
	case 'n':
		return "SET NULL";
	case 'd':
		return "SET DEFAULT";
	default:
		return "NO ACTION";
	}
}

static void add_column(struct schema *out, struct store_stmt *st)
{
	struct schema_table *t = table_of(out, st);
	struct schema_column *c;

	if (!t)
		return;
	c = schema_add_column(t, store_column_text(st, 1, NULL));
	free(c->type);
	c->type = xstrdup(store_column_text(st, 2, NULL));
	c->notnull = (int)store_column_int(st, 3);
	c->dflt = col_dup(st, 4);
	c->pk = (int)store_column_int(st, 5);
}

/* Rows of one constraint follow each other (ordered by name). */
static void add_fk(struct schema *out, struct store_stmt *st,
		   struct buf *last)
{
	struct schema_table *t = table_of(out, st);
	const char *name = store_column_text(st, 1, NULL);
	struct schema_fk *fk;

	if (!t)
		return;
	if (!t->nfks || strcmp(buf_cstr(last), name)) {
		fk = schema_add_fk(t);
		fk->ref_table = xstrdup(store_column_text(st, 4, NULL));
		fk->on_update = xstrdup(action(store_column_text(st, 5, NULL)));
		fk->on_delete = xstrdup(action(store_column_text(st, 6, NULL)));
		fk->name = xstrdup(name);
		buf_reset(last);
		buf_addstr(last, name);
	}
	fk = &t->fks[t->nfks - 1];
	fk->from = xreallocarray(fk->from, fk->ncols + 1, sizeof(char *));
	fk->to = xreallocarray(fk->to, fk->ncols + 1, sizeof(char *));
	fk->from[fk->ncols] = xstrdup(store_column_text(st, 2, NULL));
	fk->to[fk->ncols] = xstrdup(store_column_text(st, 3, NULL));
	fk->ncols++;
}

/* "CHECK ((w >= 0))" -> "(w >= 0)": the expression, as the diff keeps
 * it. */
static void add_check(struct schema *out, struct store_stmt *st)
{
	struct schema_table *t = table_of(out, st);
	const char *def = store_column_text(st, 1, NULL);
	size_t n = strlen(def);

	if (!t)
		return;
	if (!strncmp(def, "CHECK ", 6)) {
		def += 6;
		n -= 6;
	}
	t->checks = xreallocarray(t->checks, t->nchecks + 1, sizeof(char *));
	t->check_names = xreallocarray(t->check_names, t->nchecks + 1,
				       sizeof(char *));
	t->check_names[t->nchecks] = xstrdup(store_column_text(st, 2, NULL));
	t->checks[t->nchecks++] = xstrndup(def, n);
}

static void add_index(struct schema *out, struct store_stmt *st)
{
	struct schema_index *x = schema_add_index(
		out, store_column_text(st, 0, NULL),
		store_column_text(st, 1, NULL));
	const char *cols = store_column_text(st, 7, NULL), *sep;

	x->unique = (int)store_column_int(st, 2);
	x->origin = store_column_int(st, 3) ? 'p'
		  : store_column_int(st, 4) ? 'u' : 'c';
	x->sql = x->origin == 'c' ? col_dup(st, 5) : NULL;
	x->where = col_dup(st, 6);
	while (*cols) {
		sep = strchr(cols, '\x1f');
		x->cols = xreallocarray(x->cols, x->ncols + 1, sizeof(char *));
		x->cols[x->ncols++] = sep ? xstrndup(cols, (size_t)(sep - cols))
					  : xstrdup(cols);
		if (!sep)
			break;
		cols = sep + 1;
	}
}

static void add_view(struct schema *out, struct store_stmt *st)
{
	struct buf sql = BUF_INIT;
	const char *name = store_column_text(st, 0, NULL);

	buf_addstr(&sql, "CREATE VIEW ");
	store_quote_ident(&sql, name);
	buf_addstr(&sql, " AS ");
	buf_addstr(&sql, store_column_text(st, 1, NULL));
	schema_add_object(&out->views, &out->nviews, name, NULL, sql.s);
	buf_release(&sql);
}

static void add_trigger(struct schema *out, struct store_stmt *st)
{
	schema_add_object(&out->triggers, &out->ntriggers,
			  store_column_text(st, 0, NULL),
			  store_column_text(st, 1, NULL),
			  store_column_text(st, 2, NULL));
}

/* Run sql and hand each row to fn. */
static int each(struct store *s, const char *sql, struct schema *out,
		void (*fn)(struct schema *out, struct store_stmt *st),
		struct hearth_err *err)
{
	struct store_stmt *st = NULL;
	int rc;

	if (store_prepare(s, sql, &st, err) < 0)
		return -1;
	while ((rc = store_step(st, err)) == 1)
		fn(out, st);
	store_finalize(st);
	return rc < 0 ? err_prefix(err, "introspecting database") : 0;
}

static void add_table(struct schema *out, struct store_stmt *st)
{
	schema_add_table(out, store_column_text(st, 0, NULL));
}

int pg_introspect(struct store *s, struct schema *out, struct hearth_err *err)
{
	struct buf last = BUF_INIT;
	struct store_stmt *st = NULL;
	int rc, ret = -1;

	if (each(s, tables_sql, out, add_table, err) < 0 ||
	    each(s, columns_sql, out, add_column, err) < 0 ||
	    each(s, checks_sql, out, add_check, err) < 0 ||
	    each(s, indexes_sql, out, add_index, err) < 0 ||
	    each(s, views_sql, out, add_view, err) < 0 ||
	    each(s, triggers_sql, out, add_trigger, err) < 0)
		goto out;
	/* Foreign keys need the constraint of the row before. */
	if (store_prepare(s, fks_sql, &st, err) < 0)
		goto out;
	while ((rc = store_step(st, err)) == 1)
		add_fk(out, st, &last);
	if (rc < 0) {
		err_prefix(err, "introspecting database");
		goto out;
	}
	ret = 0;
out:
	store_finalize(st);
	buf_release(&last);
	if (ret < 0)
		schema_release(out);
	return ret;
}

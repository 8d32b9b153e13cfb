/*
 * loss.c - find and count what a schema change would destroy.
 */
#include "migrate/loss.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/sqltok.h"
#include "base/xalloc.h"

/* RENAME statements of the SQL: table renames have column NULL. */
struct rename {
	char *table, *column, *to;
};

static void find_renames(const char *sql, struct rename **out, size_t *n)
{
	struct sqltok t[8];
	const char *p = sql;
	size_t i;

	/* ALTER TABLE x RENAME [COLUMN] a TO b | ALTER TABLE a RENAME TO b */
	for (;;) {
		p = sqltok_next(p, &t[0]);
		if (t[0].kind == SQLTOK_END)
			return;
		if (!sqltok_is(&t[0], "ALTER") || t[0].kind != SQLTOK_WORD)
			continue;
		{
			const char *q = p;
			for (i = 1; i < 8; i++)
				q = sqltok_next(q, &t[i]);
		}
		if (!sqltok_is(&t[1], "TABLE") || !sqltok_is(&t[3], "RENAME"))
			continue;
		*out = xreallocarray(*out, *n + 1, sizeof(**out));
		(*out)[*n].table = sqltok_ident(&t[2]);
		if (sqltok_is(&t[4], "TO")) {
			(*out)[*n].column = NULL;
			(*out)[*n].to = sqltok_ident(&t[5]);
		} else {
			i = sqltok_is(&t[4], "COLUMN") ? 5 : 4;
			(*out)[*n].column = sqltok_ident(&t[i]);
			(*out)[*n].to = sqltok_ident(&t[i + 2]);
		}
		(*n)++;
	}
}

/* The name table (column NULL) or its column has after the renames of
 * the SQL; NULL when none renames it.  A column's RENAME may name its
 * table by the name before or after the table's own. */
static const char *renamed_to(const struct rename *r, size_t n,
			      const char *table, const char *new_table,
			      const char *column)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcasecmp(r[i].table, table) &&
		    (!new_table || strcasecmp(r[i].table, new_table)))
			continue;
		if (!column && !r[i].column)
			return r[i].to;
		if (column && r[i].column && !strcasecmp(r[i].column, column))
			return r[i].to;
	}
	return NULL;
}

static void add(struct loss_report *out, const char *table,
		const char *column, const char *from_type, const char *to_type)
{
	struct loss_item *it;

	out->items = xreallocarray(out->items, out->n + 1, sizeof(*it));
	it = &out->items[out->n++];
	memset(it, 0, sizeof(*it));
	it->table = xstrdup(table);
	it->column = column ? xstrdup(column) : NULL;
	it->to_type = to_type ? xstrdup(to_type) : NULL;
	it->from_type = from_type ? xstrdup(from_type) : NULL;
}

void loss_find(const struct schema *before, const struct schema *after,
	       const char *sql, struct loss_report *out)
{
	struct rename *rn = NULL;
	size_t nrn = 0, i, j;

	out->items = NULL;
	out->n = 0;
	find_renames(sql, &rn, &nrn);
	for (i = 0; i < before->ntables; i++) {
		const struct schema_table *a = &before->tables[i], *b;
		const char *to;
		if (a->internal)
			continue;
		b = schema_find_table(after, a->name);
		if (!b && (to = renamed_to(rn, nrn, a->name, NULL, NULL)))
			b = schema_find_table(after, to);
		if (!b) {
			add(out, a->name, NULL, NULL, NULL);
			continue;
		}
		/* Renamed columns are followed to their new names: a type
		 * that narrows there narrows all the same. */
		for (j = 0; j < a->ncols; j++) {
			const struct schema_column *c = &a->cols[j];
			const struct schema_column *d =
				schema_find_column(b, c->name);
			if (!d && (to = renamed_to(rn, nrn, a->name, b->name,
						   c->name)))
				d = schema_find_column(b, to);
			if (!d)
				add(out, a->name, c->name, NULL, NULL);
			else if (schema_type_narrows(c->type, d->type))
				add(out, a->name, c->name, c->type, d->type);
		}
	}
	for (i = 0; i < nrn; i++) {
		free(rn[i].table);
		free(rn[i].column);
		free(rn[i].to);
	}
	free(rn);
}

/* Column c of op->to gets no value from the rows there: the op adds it,
 * or its rebuild copies no column into it. */
static int gets_nothing(const struct diff_op *op, const struct schema_column *c)
{
	size_t i;

	if (op->kind == DIFF_ADD_COLUMN)
		return !strcasecmp(op->column, c->name);
	for (i = 0; i < op->ncopy; i++)
		if (!strcasecmp(op->copy[i], c->name))
			return 0;
	return 1;
}

/* c is t's INTEGER PRIMARY KEY, which numbers the rows itself. */
static int rowid(const struct schema_table *t, const struct schema_column *c)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (t->cols[i].pk > 1)
			return 0;
	return c->pk == 1 && !strcasecmp(c->type, "INTEGER");
}

void loss_find_unfilled(const struct diff *d, struct loss_report *out)
{
	size_t i, j;

	out->items = NULL;
	out->n = 0;
	for (i = 0; i < d->n; i++) {
		const struct diff_op *op = &d->ops[i];
		if (op->kind != DIFF_ADD_COLUMN && op->kind != DIFF_REBUILD_TABLE)
			continue;
		for (j = 0; j < op->to->ncols; j++) {
			const struct schema_column *c = &op->to->cols[j];
			if (!c->notnull || c->dflt || rowid(op->to, c) ||
			    !gets_nothing(op, c))
				continue;
			add(out, op->from->name, c->name, NULL, NULL);
			out->items[out->n - 1].unfilled = 1;
		}
	}
}

/* A type name that can go into SQL as it is (a type cannot be bound):
 * words, digits, spaces, parentheses and commas. */
static int plain_type(const char *t)
{
	return t && *t && strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				    "0123456789_ (),") == strlen(t);
}

/* The values of it->column that its narrowing would change: cast to the
 * new type and back, they read otherwise (2.5 as an INTEGER is 2 on
 * SQLite, 3 on PostgreSQL; 'ab' is 0); it->rows, and one of them. */
static int count_changed(struct store *s, struct loss_item *it,
			 struct hearth_err *err)
{
	struct buf q = BUF_INIT, c = BUF_INIT;
	struct store_stmt *st = NULL;
	int ret = -1;

	store_quote_ident(&c, it->column);
	buf_addf(&q, "SELECT count(*), min(CAST(%s AS TEXT)) FROM ", c.s);
	store_quote_ident(&q, it->table);
	buf_addf(&q, " WHERE %s IS NOT NULL AND CAST(CAST(%s AS %s) AS %s) "
		     "IS DISTINCT FROM %s", c.s, c.s, it->to_type,
		 it->from_type, c.s);
	if (store_prepare(s, q.s, &st, err) < 0 || store_step(st, err) < 0)
		goto out;
	it->rows = store_column_int(st, 0);
	if (store_column_type(st, 1) != STORE_NULL)
		it->example = xstrdup(store_column_text(st, 1, NULL));
	ret = 0;
out:
	store_finalize(st);
	buf_release(&q);
	buf_release(&c);
	return ret;
}

int loss_count(struct store *s, struct loss_report *r, struct hearth_err *err)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		struct loss_item *it = &r->items[i];
		struct buf q = BUF_INIT;
		int rc;

		if (it->to_type && plain_type(it->to_type) &&
		    plain_type(it->from_type)) {
			if (count_changed(s, it, err) < 0)
				return -1;
			continue;
		}
		buf_addstr(&q, "SELECT count(");
		if (it->column && !it->unfilled)
			store_quote_ident(&q, it->column);
		else
			buf_addch(&q, '*');
		buf_addstr(&q, ") FROM ");
		store_quote_ident(&q, it->table);
		rc = store_query_int(s, q.s, &it->rows, err, NULL);
		buf_release(&q);
		if (rc < 0)
			return -1;
	}
	return 0;
}

size_t loss_describe(const struct loss_report *r, struct buf *out)
{
	size_t i, n = 0;

	for (i = 0; i < r->n; i++) {
		const struct loss_item *it = &r->items[i];
		if (it->rows <= 0)
			continue;
		buf_addstr(out, n++ ? ", " : "");
		if (!it->column)
			buf_addf(out, "drops table %s (%lld rows)", it->table,
				 (long long)it->rows);
		else if (it->to_type && it->example)
			buf_addf(out, "narrows %s.%s to %s (%lld values would "
				      "change, such as '%.40s')", it->table,
				 it->column, it->to_type, (long long)it->rows,
				 it->example);
		else if (it->to_type)
			buf_addf(out, "narrows %s.%s to %s (%lld rows hold a "
				      "value)", it->table, it->column,
				 it->to_type, (long long)it->rows);
		else
			buf_addf(out, "drops column %s.%s (%lld rows hold a "
				      "value)", it->table, it->column,
				 (long long)it->rows);
	}
	return n;
}

void loss_report_release(struct loss_report *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->items[i].table);
		free(r->items[i].column);
		free(r->items[i].to_type);
		free(r->items[i].from_type);
		free(r->items[i].example);
	}
	free(r->items);
	r->items = NULL;
	r->n = 0;
}

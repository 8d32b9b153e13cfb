/*
 * diff_op.c - the list of schema changes: growing it, freeing it, and the
 * symbol of each change in listings.
 */
#include "migrate/diff_op.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"

struct diff_op *diff_add_op(struct diff *d, enum diff_kind kind)
{
	struct diff_op *op;

	d->ops = xreallocarray(d->ops, d->n + 1, sizeof(*op));
	op = &d->ops[d->n++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	return op;
}

void diff_release(struct diff *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		diff_free_list(d->ops[i].copy, d->ops[i].ncopy);
		free(d->ops[i].early);
		free(d->ops[i].early_remake);
		free(d->ops[i].old);
		free(d->ops[i].why);
	}
	free(d->ops);
	d->ops = NULL;
	d->n = 0;
}

const char *diff_symbol(const struct diff_op *op)
{
	switch (op->kind) {
	case DIFF_CREATE_TABLE:
	case DIFF_ADD_COLUMN:
	case DIFF_CREATE_INDEX:
	case DIFF_CREATE_VIEW:
	case DIFF_CREATE_TRIGGER:
		return "+";
	case DIFF_DROP_TABLE:
	case DIFF_DROP_INDEX:
	case DIFF_DROP_VIEW:
	case DIFF_DROP_TRIGGER:
		return "-";
	case DIFF_RENAME_COLUMN:
		return op->said ? "~" : "?";
	default:
		return "~";
	}
}

void diff_push(char ***v, size_t *n, char *s)
{
	*v = xreallocarray(*v, *n + 1, sizeof(char *));
	(*v)[(*n)++] = s;
}

void diff_free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void diff_renames_add(struct diff_renames *r, const char *from_table,
		      const char *to_table, const char *from_column,
		      const char *to_column, const char *said)
{
	struct diff_rename *x;

	r->v = xreallocarray(r->v, r->n + 1, sizeof(*x));
	x = &r->v[r->n++];
	x->from_table = xstrdup(from_table);
	x->to_table = xstrdup(to_table);
	x->from_column = dup_or_null(from_column);
	x->to_column = dup_or_null(to_column);
	x->said = xstrdup(said);
}

void diff_renames_reverse(const struct diff_renames *r,
			  struct diff_renames *out)
{
	size_t i;

	out->v = NULL;
	out->n = 0;
	for (i = 0; i < r->n; i++)
		diff_renames_add(out, r->v[i].to_table, r->v[i].from_table,
				 r->v[i].to_column, r->v[i].from_column,
				 r->v[i].said);
}

void diff_renames_release(struct diff_renames *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		free(r->v[i].from_table);
		free(r->v[i].to_table);
		free(r->v[i].from_column);
		free(r->v[i].to_column);
		free(r->v[i].said);
	}
	free(r->v);
	r->v = NULL;
	r->n = 0;
}

/* The table rename whose `side` (0 from, 1 to) is name; NULL if none. */
static const struct diff_rename *table_rename(const struct diff_renames *r,
					      int side, const char *name)
{
	size_t i;

	for (i = 0; r && i < r->n; i++)
		if (!r->v[i].from_column &&
		    !strcasecmp(side ? r->v[i].to_table : r->v[i].from_table,
				name))
			return &r->v[i];
	return NULL;
}

/* The table of `other` that t (of the other model) is, going to `to`
 * (to_side) or back to `from`. */
static const struct schema_table *across(const struct diff_renames *r,
					 int to_side, const struct schema *other,
					 const struct schema_table *t)
{
	const struct diff_rename *x = table_rename(r, !to_side, t->name);
	const struct schema_table *o;

	if (x)
		return schema_find_table(other, to_side ? x->to_table
							: x->from_table);
	o = schema_find_table(other, t->name);
	/* the same name, renamed away: t is a new table in its place */
	return o && table_rename(r, to_side, o->name) ? NULL : o;
}

const struct schema_table *diff_table_from(const struct diff_renames *r,
					   const struct schema *from,
					   const struct schema_table *t)
{
	return across(r, 0, from, t);
}

const struct schema_table *diff_table_to(const struct diff_renames *r,
					 const struct schema *to,
					 const struct schema_table *t)
{
	return across(r, 1, to, t);
}

const char *diff_table_said(const struct diff_renames *r,
			    const struct schema_table *from,
			    const struct schema_table *to)
{
	const struct diff_rename *x = table_rename(r, 1, to->name);

	return x && !strcasecmp(x->from_table, from->name) ? x->said : NULL;
}

/* The column rename of table a -> b whose `side` is name. */
static const struct diff_rename *column_rename(const struct diff_renames *r,
					       const struct schema_table *a,
					       const struct schema_table *b,
					       int side, const char *name)
{
	size_t i;

	for (i = 0; r && i < r->n; i++)
		if (r->v[i].from_column &&
		    !strcasecmp(r->v[i].from_table, a->name) &&
		    !strcasecmp(r->v[i].to_table, b->name) &&
		    !strcasecmp(side ? r->v[i].to_column : r->v[i].from_column,
				name))
			return &r->v[i];
	return NULL;
}

const struct schema_column *diff_column_from(const struct diff_renames *r,
					     const struct schema_table *a,
					     const struct schema_table *b,
					     const struct schema_column *c,
					     const char **said)
{
	const struct diff_rename *x = column_rename(r, a, b, 1, c->name);
	const struct schema_column *old;

	*said = x ? x->said : NULL;
	if (x)
		return schema_find_column(a, x->from_column);
	old = schema_find_column(a, c->name);
	return old && column_rename(r, a, b, 0, old->name) ? NULL : old;
}

const char *diff_renamed(const struct diff_renames *r, const char *table,
			 const char *column)
{
	size_t i;

	for (i = 0; r && i < r->n; i++) {
		const struct diff_rename *x = &r->v[i];
		if (strcasecmp(x->from_table, table) || !x->from_column != !column)
			continue;
		if (!column)
			return x->to_table;
		if (!strcasecmp(x->from_column, column))
			return x->to_column;
	}
	return column ? column : table;
}

/*
 * ddl_pg.c - PostgreSQL's DDL for diff operations (ddl_pg.h).
 */
#include "migrate/ddl_pg.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"
#include "migrate/ddl_op.h"
#include "migrate/dump.h"
#include "store/store.h"

/* "ALTER TABLE "t" " */
static void alter(struct buf *out, const char *table)
{
	buf_addstr(out, "ALTER TABLE ");
	store_quote_ident(out, table);
	buf_addch(out, ' ');
}

static void alter_column(struct buf *out, const char *table, const char *col)
{
	alter(out, table);
	buf_addstr(out, "ALTER COLUMN ");
	store_quote_ident(out, col);
	buf_addch(out, ' ');
}

/* The name column c of `from` has in `to`, NULL when it is dropped. */
static const char *new_name(const struct diff_op *op,
			    const struct schema_column *c)
{
	size_t i;

	for (i = 0; i < op->to->ncols; i++)
		if (op->old && op->old[i] == c)
			return op->to->cols[i].name;
	return NULL;
}

/* The keys of one kind that a table has, as text in `to`'s names, sorted:
 * two tables have the same keys when the texts are equal. */
struct keys {
	char **v;
	size_t n;
};

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int same_keys(struct keys *a, struct keys *b)
{
	size_t i;
	int same = a->n == b->n;

	/* qsort wants an array, even of no elements */
	if (a->n)
		qsort(a->v, a->n, sizeof(char *), cmp_str);
	if (b->n)
		qsort(b->v, b->n, sizeof(char *), cmp_str);
	for (i = 0; same && i < a->n; i++)
		same = !strcmp(a->v[i], b->v[i]);
	diff_free_list(a->v, a->n);
	diff_free_list(b->v, b->n);
	return same;
}

/* A column name as the keys write it: in `to`'s name (from: the op maps
 * it), lower case as PostgreSQL compares unquoted ones. */
static void key_col(struct buf *b, const struct diff_op *op, int from,
		    const char *name)
{
	const struct schema_column *c;
	const char *n = name;

	if (from) {
		c = schema_find_column(op->from, name);
		n = c ? new_name(op, c) : NULL;
		if (!n)
			n = "\x01"; /* dropped: matches nothing of `to` */
	}
	buf_addstr(b, n);
	buf_addch(b, ',');
}

static void pk_keys(const struct diff_op *op, int from, struct keys *k)
{
	const struct schema_table *t = from ? op->from : op->to;
	struct buf b = BUF_INIT;
	size_t i;
	int j, any = 0;

	for (j = 1; j <= (int)t->ncols; j++)
		for (i = 0; i < t->ncols; i++)
			if (t->cols[i].pk == j) {
				key_col(&b, op, from, t->cols[i].name);
				any = 1;
			}
	k->v = NULL;
	k->n = 0;
	if (any)
		diff_push(&k->v, &k->n, buf_detach(&b, NULL));
	buf_release(&b);
}

static void fk_keys(const struct diff_op *op, int from, struct keys *k)
{
	const struct schema_table *t = from ? op->from : op->to;
	size_t i, j;

	k->v = NULL;
	k->n = 0;
	for (i = 0; i < t->nfks; i++) {
		const struct schema_fk *fk = &t->fks[i];
		struct buf b = BUF_INIT;
		for (j = 0; j < fk->ncols; j++)
			key_col(&b, op, from, fk->from[j]);
		buf_addf(&b, "->%s", fk->ref_table);
		for (j = 0; j < fk->ncols; j++)
			buf_addf(&b, ",%s", fk->to[j] ? fk->to[j] : "");
		buf_addf(&b, " %s %s", fk->on_update ? fk->on_update : "",
			 fk->on_delete ? fk->on_delete : "");
		diff_push(&k->v, &k->n, buf_detach(&b, NULL));
	}
}

static void unique_keys(const struct diff *d, const struct diff_op *op,
			int from, struct keys *k)
{
	const struct schema *s = from ? d->from : d->to;
	const struct schema_table *t = from ? op->from : op->to;
	size_t i, j;

	k->v = NULL;
	k->n = 0;
	for (i = 0; s && i < s->nindexes; i++) {
		const struct schema_index *x = &s->indexes[i];
		struct buf b = BUF_INIT;
		if (x->origin != 'u' || strcasecmp(x->table, t->name))
			continue;
		for (j = 0; j < x->ncols; j++)
			key_col(&b, op, from, x->cols[j]);
		diff_push(&k->v, &k->n, buf_detach(&b, NULL));
	}
}

/* CHECKs name columns by their names at the time: a renamed column's
 * CHECK reads differently, and is made again. */
static void check_keys(const struct schema_table *t, struct keys *k)
{
	size_t i;

	k->v = NULL;
	k->n = 0;
	for (i = 0; i < t->nchecks; i++)
		diff_push(&k->v, &k->n, schema_norm_expr(t->checks[i]));
}

static int drop_constraint(struct buf *out, const char *table,
			   const char *name, const char *what,
			   struct hearth_err *err)
{
	if (!name)
		return err_set(err, "table %s: a %s has no name to drop it by",
			       table, what);
	alter(out, table);
	buf_addstr(out, "DROP CONSTRAINT ");
	store_quote_ident(out, name);
	buf_addstr(out, ";\n");
	return 0;
}

/* "ADD CONSTRAINT "name" " where the model has a name. */
static void add_constraint(struct buf *out, const char *table,
			   const char *name)
{
	alter(out, table);
	buf_addstr(out, "ADD ");
	if (name) {
		buf_addstr(out, "CONSTRAINT ");
		store_quote_ident(out, name);
		buf_addch(out, ' ');
	}
}

/* Which kinds of constraint change: they are dropped first, all of the
 * kind, and added after the columns are as `to` wants them. */
struct changed {
	int pk, fk, unique, check;
};

static int drop_constraints(const struct diff *d, const struct diff_op *op,
			    const struct changed *ch, struct buf *out,
			    struct hearth_err *err)
{
	const char *t = op->to->name;
	size_t i;

	for (i = 0; d->from && i < d->from->nindexes; i++) {
		const struct schema_index *x = &d->from->indexes[i];
		if (strcasecmp(x->table, op->from->name) ||
		    !((x->origin == 'p' && ch->pk) ||
		      (x->origin == 'u' && ch->unique)))
			continue;
		if (drop_constraint(out, t, x->name, "key", err) < 0)
			return -1;
	}
	for (i = 0; ch->fk && i < op->from->nfks; i++)
		if (drop_constraint(out, t, op->from->fks[i].name,
				    "foreign key", err) < 0)
			return -1;
	for (i = 0; ch->check && i < op->from->nchecks; i++)
		if (drop_constraint(out, t, op->from->check_names
						    ? op->from->check_names[i]
						    : NULL,
				    "CHECK", err) < 0)
			return -1;
	return 0;
}

static void add_constraints(const struct diff *d, const struct diff_op *op,
			    const struct changed *ch, struct buf *out)
{
	const struct schema_table *b = op->to;
	char **pk = xcalloc(b->ncols + 1, sizeof(char *));
	size_t i, j, n;
	int k;

	for (k = 1, n = 0; ch->pk && k <= (int)b->ncols; k++)
		for (i = 0; i < b->ncols; i++)
			if (b->cols[i].pk == k)
				pk[n++] = b->cols[i].name;
	if (n) {
		alter(out, b->name);
		buf_addstr(out, "ADD PRIMARY KEY ");
		dump_names(out, pk, n);
		buf_addstr(out, ";\n");
	}
	for (i = 0; ch->unique && d->to && i < d->to->nindexes; i++) {
		const struct schema_index *x = &d->to->indexes[i];
		if (x->origin != 'u' || strcasecmp(x->table, b->name))
			continue;
		add_constraint(out, b->name, x->name);
		buf_addstr(out, "UNIQUE ");
		dump_names(out, x->cols, x->ncols);
		buf_addstr(out, ";\n");
	}
	for (i = 0; ch->fk && i < b->nfks; i++) {
		add_constraint(out, b->name, b->fks[i].name);
		dump_foreign_key(&b->fks[i], out);
		buf_addstr(out, ";\n");
	}
	for (j = 0; ch->check && j < b->nchecks; j++) {
		add_constraint(out, b->name,
			       b->check_names ? b->check_names[j] : NULL);
		buf_addf(out, "CHECK (%s);\n", b->checks[j]);
	}
	free(pk);
}

/* One column of both sides: type, default, NOT NULL. */
static void alter_one(struct buf *out, const char *t,
		      const struct schema_column *a,
		      const struct schema_column *b)
{
	char *ta = schema_norm_type(a->type), *tb = schema_norm_type(b->type);
	char *da = schema_norm_default(a->dflt), *db = schema_norm_default(b->dflt);
	int retype = strcmp(ta, tb) != 0, dropped = 0;
	int redefault = (da || db) && (!da || !db || strcmp(da, db));

	/* The old default may not convert to the new type: out of the way
	 * first, set again after. */
	if (retype && a->dflt) {
		alter_column(out, t, b->name);
		buf_addstr(out, "DROP DEFAULT;\n");
		dropped = 1;
	}
	if (retype) {
		/* USING converts each value as a cast does; one that does not
		 * convert fails the revision, which then changes nothing. */
		alter_column(out, t, b->name);
		buf_addf(out, "TYPE %s USING ", b->type);
		store_quote_ident(out, b->name);
		buf_addf(out, "::%s;\n", b->type);
	}
	if (b->dflt && (redefault || dropped)) {
		alter_column(out, t, b->name);
		buf_addstr(out, "SET");
		dump_default(b->dflt, out);
		buf_addstr(out, ";\n");
	} else if (!b->dflt && redefault && !dropped) {
		alter_column(out, t, b->name);
		buf_addstr(out, "DROP DEFAULT;\n");
	}
	if (a->notnull != b->notnull) {
		alter_column(out, t, b->name);
		buf_addstr(out, b->notnull ? "SET NOT NULL;\n"
					   : "DROP NOT NULL;\n");
	}
	free(ta);
	free(tb);
	free(da);
	free(db);
}

/* What SQLite rebuilds, as ALTERs (see ddl_pg.h for the order). */
static int alter_table(const struct diff *d, const struct diff_op *op,
		       struct buf *out, struct hearth_err *err)
{
	const struct schema_table *a = op->from, *b = op->to;
	struct changed ch;
	struct keys ka, kb;
	size_t i;

	pk_keys(op, 1, &ka);
	pk_keys(op, 0, &kb);
	ch.pk = !same_keys(&ka, &kb);
	fk_keys(op, 1, &ka);
	fk_keys(op, 0, &kb);
	ch.fk = !same_keys(&ka, &kb);
	unique_keys(d, op, 1, &ka);
	unique_keys(d, op, 0, &kb);
	ch.unique = !same_keys(&ka, &kb);
	check_keys(a, &ka);
	check_keys(b, &kb);
	ch.check = !same_keys(&ka, &kb);

	if (op->loses_data)
		buf_addstr(out, "-- hearth: WARNING: this loses data (dropped "
				"column or narrower type); upgrade asks for "
				"--allow-data-loss\n");
	if (drop_constraints(d, op, &ch, out, err) < 0)
		return -1;
	for (i = 0; i < a->ncols; i++)
		if (!new_name(op, &a->cols[i])) {
			alter(out, b->name);
			buf_addstr(out, "DROP COLUMN ");
			store_quote_ident(out, a->cols[i].name);
			buf_addstr(out, ";\n");
		}
	for (i = 0; i < b->ncols; i++)
		if (op->old && op->old[i])
			alter_one(out, b->name, op->old[i], &b->cols[i]);
	for (i = 0; i < b->ncols; i++)
		if (!op->old || !op->old[i]) {
			alter(out, b->name);
			buf_addstr(out, "ADD COLUMN ");
			dump_column(&b->cols[i], out);
			buf_addstr(out, ";\n");
		}
	add_constraints(d, op, &ch, out);
	for (i = 0; i < op->nearly; i++)
		if (!op->early_remake || !op->early_remake[i])
			ddl_stmt(out, op->early[i]->sql);
	return 0;
}

int ddl_pg_op(const struct diff *d, const struct diff_op *op, struct buf *out,
	      struct hearth_err *err)
{
	int shared;

	/* Unchanged: PostgreSQL kept it through the ALTERs. */
	if (op->kind == DIFF_CREATE_INDEX && op->remake)
		return 0;
	ddl_op_comment(op, out);
	if ((shared = ddl_op_shared(op, out, err)) != 0)
		return shared < 0 ? -1 : 0;
	switch (op->kind) {
	case DIFF_DROP_TRIGGER:
		/* a trigger's name is its table's own */
		buf_addstr(out, "DROP TRIGGER IF EXISTS ");
		store_quote_ident(out, op->obj->name);
		buf_addstr(out, " ON ");
		store_quote_ident(out, op->obj->table);
		buf_addstr(out, ";\n");
		break;
	case DIFF_CREATE_TABLE:
		dump_table(d->to, op->to, out);
		buf_addstr(out, ";\n");
		break;
	case DIFF_ADD_COLUMN:
		alter(out, op->to->name);
		buf_addstr(out, "ADD COLUMN ");
		dump_column(schema_find_column(op->to, op->column), out);
		buf_addstr(out, ";\n");
		break;
	case DIFF_REBUILD_TABLE:
		return alter_table(d, op, out, err);
	default:
		break;
	}
	return 0;
}

/*
 * diff.c - schema model x schema model -> operations.
 *
 * Everything is compared in normal form (schema_norm_*), so spellings the
 * database treats alike never show up as changes: `check` right after
 * `upgrade` has to be clean.  A table whose change SQLite cannot ALTER is
 * rebuilt; the rebuild copies every column both sides have.
 */
#include "migrate/diff.h"
#include "migrate/diff_table.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/sqltok.h"
#include "base/xalloc.h"

static int internal(const char *name)
{
	return !strncasecmp(name, "hearth_", 7);
}

static int str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

/* Index a (of `from`) is b (of `to`); a's table is called table in
 * `to`. */
static int index_same(const struct schema_index *a, const char *table,
		      const struct schema_index *b)
{
	size_t i;
	char *wa, *wb;
	int same;

	if (a->unique != b->unique || a->ncols != b->ncols ||
	    strcasecmp(table, b->table))
		return 0;
	for (i = 0; i < a->ncols; i++) {
		if (strcasecmp(a->cols[i], b->cols[i]))
			return 0;
		if (!strcmp(a->cols[i], "<expression>")) {
			char *sa = schema_norm_expr(a->sql);
			char *sb = schema_norm_expr(b->sql);
			same = !strcmp(sa, sb);
			free(sa);
			free(sb);
			if (!same)
				return 0;
		}
	}
	wa = a->where ? schema_norm_expr(a->where) : NULL;
	wb = b->where ? schema_norm_expr(b->where) : NULL;
	same = str_eq(wa, wb);
	free(wa);
	free(wb);
	return same;
}

static const struct schema_index *find_index(const struct schema *s,
					     const char *name)
{
	size_t i;

	for (i = 0; i < s->nindexes; i++)
		if (!strcasecmp(s->indexes[i].name, name))
			return &s->indexes[i];
	return NULL;
}

static const struct schema_object *find_obj(const struct schema_object *o,
					    size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcasecmp(o[i].name, name))
			return &o[i];
	return NULL;
}

static int obj_same(const struct schema_object *a, const struct schema_object *b)
{
	char *sa = schema_norm_expr(a->sql), *sb = schema_norm_expr(b->sql);
	int same = !strcmp(sa, sb);

	free(sa);
	free(sb);
	return same;
}

/* Tables that change shape (rebuilt, dropped, columns renamed), by name. */
struct affected {
	char **names;
	size_t n;
};

static int mentions_affected(const struct affected *af, const char *sql)
{
	size_t i;

	for (i = 0; i < af->n; i++)
		if (sqltok_mentions(sql, af->names[i]))
			return 1;
	return 0;
}

/* Views read other views: one that reads a view dropped to be made again
 * (changed, or reading what changes shape) is dropped and made again
 * too; af gets their names, until no more are found. */
static void affect_views(const struct schema *from, const struct schema *to,
			 struct affected *af)
{
	char *in = xcalloc(from->nviews + 1, 1);
	size_t i;
	int more = 1;

	while (more) {
		more = 0;
		for (i = 0; i < from->nviews; i++) {
			const struct schema_object *v = &from->views[i];
			const struct schema_object *o =
				find_obj(to->views, to->nviews, v->name);
			if (in[i] || internal(v->name) ||
			    (o && obj_same(v, o) && !mentions_affected(af, v->sql)))
				continue;
			in[i] = 1;
			diff_push(&af->names, &af->n, xstrdup(v->name));
			more = 1;
		}
	}
	free(in);
}

/* Ops of one kind at [start, end) of d, put in an order in which each
 * comes after those it needs (needs(a, b): a needs b there first); the
 * other ops keep their places.  A cycle keeps the order it had. */
static void order_ops(struct diff *d, size_t start, enum diff_kind kind,
		      int (*needs)(const struct diff_op *a,
				   const struct diff_op *b))
{
	size_t *slot = xcalloc(d->n + 1, sizeof(size_t)), n = 0, i, j, k;
	struct diff_op *op = xcalloc(d->n + 1, sizeof(*op));
	char *done = xcalloc(d->n + 1, 1);

	for (i = start; i < d->n; i++)
		if (d->ops[i].kind == kind) {
			op[n] = d->ops[i];
			slot[n++] = i;
		}
	for (k = 0; k < n; k++) {
		size_t pick = n;
		for (i = 0; i < n && pick == n; i++) {
			if (done[i])
				continue;
			for (j = 0; j < n; j++)
				if (j != i && !done[j] && needs(&op[i], &op[j]))
					break;
			if (j == n)
				pick = i;
		}
		for (i = 0; pick == n && i < n; i++)
			if (!done[i])
				pick = i;
		done[pick] = 1;
		d->ops[slot[k]] = op[pick];
	}
	free(slot);
	free(op);
	free(done);
}

/* a's table refers to b's: in PostgreSQL the parent must be there first
 * and go last. */
static int refers(const struct schema_table *a, const struct schema_table *b)
{
	size_t i;

	for (i = 0; a != b && i < a->nfks; i++)
		if (!strcasecmp(a->fks[i].ref_table, b->name))
			return 1;
	return 0;
}

static int create_needs(const struct diff_op *a, const struct diff_op *b)
{
	return refers(a->to, b->to);
}

static int drop_needs(const struct diff_op *a, const struct diff_op *b)
{
	return refers(b->from, a->from);
}

static int view_needs(const struct diff_op *a, const struct diff_op *b)
{
	return a->obj != b->obj && sqltok_mentions(a->obj->sql, b->obj->name);
}

static int view_drop_needs(const struct diff_op *a, const struct diff_op *b)
{
	return view_needs(b, a);
}

static void diff_objects(struct diff *d, const struct schema_object *fo,
			 size_t nf, const struct schema_object *to, size_t nt,
			 const struct affected *af, int drop, enum diff_kind k,
			 const char *what)
{
	size_t i;

	if (drop) {
		for (i = 0; i < nf; i++) {
			const struct schema_object *o = find_obj(to, nt, fo[i].name);
			struct diff_op *op;
			if (internal(fo[i].name))
				continue;
			if (o && obj_same(&fo[i], o) &&
			    !mentions_affected(af, fo[i].sql))
				continue;
			op = diff_add_op(d, k);
			op->obj = &fo[i];
			op->why = xasprintf("%s %s", what, fo[i].name);
		}
		return;
	}
	for (i = 0; i < nt; i++) {
		const struct schema_object *o = find_obj(fo, nf, to[i].name);
		struct diff_op *op;
		if (internal(to[i].name))
			continue;
		if (o && obj_same(o, &to[i]) && !mentions_affected(af, o->sql))
			continue;
		op = diff_add_op(d, k);
		op->obj = &to[i];
		op->why = xasprintf("%s %s", what, to[i].name);
	}
}

/* An index led by the table's time column goes with its rebuild, made
 * before the copy; 1 if it was taken. */
static int early_index(struct diff *d, const struct schema_table *t,
		       const struct schema_index *x, int same)
{
	const struct schema_column *tc = schema_time_column(t, NULL);
	size_t i;

	if (!tc || !x->ncols || strcasecmp(x->cols[0], tc->name) || !x->sql)
		return 0;
	for (i = 0; i < d->n; i++) {
		struct diff_op *op = &d->ops[i];
		if (op->kind != DIFF_REBUILD_TABLE || op->to != t)
			continue;
		op->early = xreallocarray(op->early, op->nearly + 1,
					  sizeof(*op->early));
		op->early_remake = xreallocarray(op->early_remake,
						 op->nearly + 1, 1);
		op->early_remake[op->nearly] = (char)same;
		op->early[op->nearly++] = x;
		return 1;
	}
	return 0;
}

void diff_schemas(const struct schema *from, const struct schema *to,
		  struct diff *out)
{
	diff_schemas_renamed(from, to, NULL, out);
}

void diff_schemas_renamed(const struct schema *from, const struct schema *to,
			  const struct diff_renames *rn, struct diff *out)
{
	struct diff early = DIFF_INIT, renames = DIFF_INIT, body = DIFF_INIT;
	struct diff tail = DIFF_INIT;
	struct affected af = { NULL, 0 };
	char *rebuilt = xcalloc(to->ntables + 1, 1);
	size_t i;

	out->ops = NULL;
	out->n = 0;
	out->from = from;
	out->to = to;
	/* Tables first, into `body`, to learn which are affected; tables
	 * renamed into `renames`, which go before all that changes them. */
	for (i = 0; i < to->ntables; i++) {
		const struct schema_table *b = &to->tables[i], *a;
		struct diff_op *op;
		int rb = 0, rn_cols = 0;
		if (b->internal)
			continue;
		a = diff_table_from(rn, from, b);
		if (!a) {
			op = diff_add_op(&body, DIFF_CREATE_TABLE);
			op->to = b;
			op->why = xasprintf("table %s", b->name);
			continue;
		}
		if (strcasecmp(a->name, b->name)) {
			op = diff_add_op(&renames, DIFF_RENAME_TABLE);
			op->from = a;
			op->to = b;
			op->said = diff_table_said(rn, a, b);
			op->why = xasprintf("rename table %s -> %s (%s)", a->name,
					    b->name, op->said);
			diff_push(&af.names, &af.n, xstrdup(a->name));
			rn_cols = 1;
		}
		diff_table(&body, from, to, a, b, rn, &rb, &rn_cols);
		rebuilt[i] = (char)rb;
		if (rb || rn_cols)
			diff_push(&af.names, &af.n, xstrdup(b->name));
	}
	for (i = 0; i < from->ntables; i++) {
		const struct schema_table *a = &from->tables[i];
		struct diff_op *op;
		size_t j;
		if (a->internal || diff_table_to(rn, to, a))
			continue;
		/* a table renamed to its name: out of the way first */
		for (j = 0; j < renames.n; j++)
			if (!strcasecmp(renames.ops[j].to->name, a->name))
				break;
		op = diff_add_op(j < renames.n ? &early : &tail, DIFF_DROP_TABLE);
		op->from = a;
		op->loses_data = 1;
		op->why = xasprintf("table %s (and its rows)", a->name);
		diff_push(&af.names, &af.n, xstrdup(a->name));
	}

	affect_views(from, to, &af);
	diff_objects(out, from->views, from->nviews, to->views, to->nviews,
		     &af, 1, DIFF_DROP_VIEW, "view");
	order_ops(out, 0, DIFF_DROP_VIEW, view_drop_needs);
	diff_objects(out, from->triggers, from->ntriggers, to->triggers,
		     to->ntriggers, &af, 1, DIFF_DROP_TRIGGER, "trigger");
	for (i = 0; i < from->nindexes; i++) {
		const struct schema_index *x = &from->indexes[i], *y;
		const struct schema_table *ft = schema_find_table(from, x->table);
		const struct schema_table *tt = ft ? diff_table_to(rn, to, ft)
						   : NULL;
		struct diff_op *op;
		/* Also those of a rebuilt table: where the table is altered
		 * in place they stay until dropped (SQLite's rebuild drops
		 * them with the old table anyway). */
		if (x->origin != 'c' || internal(x->name) || internal(x->table) ||
		    !tt)
			continue;
		y = find_index(to, x->name);
		if (y && index_same(x, tt->name, y))
			continue;
		op = diff_add_op(out, DIFF_DROP_INDEX);
		op->index = x;
		op->why = xasprintf("index %s on %s", x->name, x->table);
	}
	for (i = 0; i < early.n; i++)
		*diff_add_op(out, early.ops[i].kind) = early.ops[i];
	for (i = 0; i < renames.n; i++)
		*diff_add_op(out, renames.ops[i].kind) = renames.ops[i];
	for (i = 0; i < body.n; i++)
		if (body.ops[i].kind != DIFF_REBUILD_TABLE)
			*diff_add_op(out, body.ops[i].kind) = body.ops[i];
	for (i = 0; i < body.n; i++)
		if (body.ops[i].kind == DIFF_REBUILD_TABLE)
			*diff_add_op(out, body.ops[i].kind) = body.ops[i];
	for (i = 0; i < tail.n; i++)
		*diff_add_op(out, tail.ops[i].kind) = tail.ops[i];
	free(early.ops);
	free(renames.ops);
	free(body.ops);
	free(tail.ops);
	order_ops(out, 0, DIFF_CREATE_TABLE, create_needs);
	order_ops(out, 0, DIFF_DROP_TABLE, drop_needs);

	for (i = 0; i < to->nindexes; i++) {
		const struct schema_index *y = &to->indexes[i], *x;
		const struct schema_table *tt = schema_find_table(to, y->table);
		const struct schema_table *ft;
		struct diff_op *op;
		int same;
		if (y->origin != 'c' || internal(y->name) || !tt || tt->internal)
			continue;
		x = find_index(from, y->name);
		ft = diff_table_from(rn, from, tt);
		same = x && ft && !strcasecmp(x->table, ft->name) &&
		       index_same(x, tt->name, y);
		if (!rebuilt[tt - to->tables] && same)
			continue;
		if (rebuilt[tt - to->tables] && early_index(out, tt, y, same))
			continue;
		op = diff_add_op(out, DIFF_CREATE_INDEX);
		op->index = y;
		op->remake = same;
		op->why = xasprintf("index %s on %s", y->name, y->table);
	}
	diff_objects(out, from->views, from->nviews, to->views, to->nviews,
		     &af, 0, DIFF_CREATE_VIEW, "view");
	order_ops(out, 0, DIFF_CREATE_VIEW, view_needs);
	diff_objects(out, from->triggers, from->ntriggers, to->triggers,
		     to->ntriggers, &af, 0, DIFF_CREATE_TRIGGER, "trigger");
	diff_free_list(af.names, af.n);
	free(rebuilt);
}

/*
 * diff_table.c - what changed in one table present on both sides: the
 * columns (with likely renames), keys, CHECKs, collations and options,
 * and whether SQLite needs a rebuild for it.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "migrate/diff_table.h"
#include "store/sqltok.h"
#include "base/xalloc.h"

static int str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Two lists of strings hold the same items in any order. */
static int same_set(char **a, size_t na, char **b, size_t nb)
{
	size_t i;

	if (na != nb)
		return 0;
	if (!na)
		return 1;
	qsort(a, na, sizeof(char *), cmp_str);
	qsort(b, nb, sizeof(char *), cmp_str);
	for (i = 0; i < na; i++)
		if (strcmp(a[i], b[i]))
			return 0;
	return 1;
}

/* Renamed columns (old -> new) of one table, to compare keys across a
 * rename. */
struct renames {
	const char **old;
	const char **new;
	size_t n;
};

static const char *renamed(const struct renames *r, const char *name)
{
	size_t i;

	for (i = 0; r && i < r->n; i++)
		if (!strcasecmp(r->old[i], name))
			return r->new[i];
	return name;
}

static void add_lower(struct buf *b, const char *s)
{
	for (; *s; s++)
		buf_addch(b, (char)(*s >= 'A' && *s <= 'Z' ? *s + 32 : *s));
}

/* The foreign keys of t, as text to compare; for t of `from`, r says
 * what its columns are called in `to`, and rn what the tables and
 * columns it refers to are. */
static void fk_keys(const struct schema_table *t, const struct renames *r,
		    const struct diff_renames *rn, char ***v, size_t *n)
{
	size_t i, j;

	for (i = 0; i < t->nfks; i++) {
		const struct schema_fk *fk = &t->fks[i];
		struct buf b = BUF_INIT;
		for (j = 0; j < fk->ncols; j++) {
			add_lower(&b, renamed(r, fk->from[j]));
			buf_addch(&b, ',');
		}
		buf_addstr(&b, "->");
		add_lower(&b, diff_renamed(rn, fk->ref_table, NULL));
		for (j = 0; j < fk->ncols; j++) {
			buf_addch(&b, ',');
			add_lower(&b, fk->to[j] ? diff_renamed(rn, fk->ref_table,
							       fk->to[j])
						: "");
		}
		buf_addf(&b, " %s %s", fk->on_update ? fk->on_update : "",
			 fk->on_delete ? fk->on_delete : "");
		diff_push(v, n, buf_detach(&b, NULL));
	}
}

static void unique_keys(const struct schema *s, const struct schema_table *t,
			const struct renames *r, char ***v, size_t *n)
{
	size_t i, j;

	for (i = 0; i < s->nindexes; i++) {
		const struct schema_index *x = &s->indexes[i];
		struct buf b = BUF_INIT;
		if (x->origin != 'u' || strcasecmp(x->table, t->name))
			continue;
		for (j = 0; j < x->ncols; j++) {
			add_lower(&b, renamed(r, x->cols[j]));
			buf_addch(&b, ',');
		}
		diff_push(v, n, buf_detach(&b, NULL));
	}
}

static void check_keys(const struct schema_table *t, char ***v, size_t *n)
{
	size_t i;

	for (i = 0; i < t->nchecks; i++)
		diff_push(v, n, schema_norm_expr(t->checks[i]));
}

/* ALTER TABLE ADD COLUMN takes a column with no key, no reference, no
 * CHECK (existing rows would not be checked), and a constant default
 * when it is NOT NULL. */
static int addable(const struct schema_table *t, const struct schema_column *c)
{
	char *def = schema_column_def(t, c->name);
	struct sqltok tok;
	const char *p;
	/* A table without its statement (PostgreSQL's) is the model: a
	 * key, reference or CHECK there changes the table's constraints,
	 * which are compared below. */
	int ok = (def != NULL || !t->sql) && !c->pk;

	for (p = def ? sqltok_next(def, &tok) : ""; ok && def &&
	     tok.kind != SQLTOK_END; p = sqltok_next(p, &tok))
		if (sqltok_is(&tok, "PRIMARY") || sqltok_is(&tok, "UNIQUE") ||
		    sqltok_is(&tok, "REFERENCES") || sqltok_is(&tok, "CHECK") ||
		    sqltok_is(&tok, "GENERATED") || sqltok_is(&tok, "AS"))
			ok = 0;
	if (c->notnull && !c->dflt)
		ok = 0;
	if (c->dflt && (strchr(c->dflt, '(') ||
			!strncasecmp(c->dflt, "CURRENT_", 8)))
		ok = 0;
	free(def);
	return ok;
}

static int same_text(const char *a, const char *b)
{
	char *na = sqltok_normalize(a), *nb = sqltok_normalize(b);
	int same = !strcmp(na, nb);

	free(na);
	free(nb);
	return same;
}

/* The COLLATE of a column as written in its table's SQL, lower case; ""
 * for the default.  The pragmas do not report it. */
static char *collation(const struct schema_table *t, const char *col)
{
	char *def = schema_column_def(t, col), *r = NULL;
	struct sqltok tok;
	const char *p;

	for (p = def ? sqltok_next(def, &tok) : ""; def &&
	     tok.kind != SQLTOK_END; p = sqltok_next(p, &tok))
		if (sqltok_is(&tok, "COLLATE")) {
			struct sqltok n;
			char *name;
			sqltok_next(p, &n);
			name = xstrndup(n.p, n.n);
			free(r);
			r = sqltok_normalize(name);
			free(name);
		}
	free(def);
	if (r && !strcmp(r, "binary")) {
		free(r);
		r = NULL;
	}
	return r ? r : xstrdup("");
}

/* Start the next reason in a "; "-separated list. */
static struct buf *sep(struct buf *why)
{
	buf_addstr(why, why->len ? "; " : "");
	return why;
}

static size_t common_prefix(const char *a, const char *b)
{
	size_t n = 0;

	while (a[n] && b[n] && (a[n] | 32) == (b[n] | 32))
		n++;
	return n;
}

/*
 * The column of `list` that `c` was likely renamed to (or from): the only
 * one of the same type, or among several the one sharing the longest
 * name prefix (r_temp, r_temperature), at least 3 characters.  -1: none.
 * Used both ways, so the down of a revision finds the same rename.
 */
static int match(const struct schema_column *c,
		 const struct schema_column **list, size_t n)
{
	char *tc = schema_norm_type(c->type);
	size_t j, cand = 0, best = 0, nbest = 0;
	int only = -1, pick = -1;

	for (j = 0; j < n; j++) {
		char *tj;
		size_t pre;
		if (!list[j])
			continue;
		tj = schema_norm_type(list[j]->type);
		if (!strcmp(tc, tj)) {
			if (!cand++)
				only = (int)j;
			pre = common_prefix(c->name, list[j]->name);
			if (pre > best) {
				best = pre;
				nbest = 0;
				pick = (int)j;
			}
			nbest += pre == best;
		}
		free(tj);
	}
	free(tc);
	if (cand == 1)
		return only;
	return nbest == 1 && best >= 3 ? pick : -1;
}

/* What differs in one column present on both sides; 1 if anything. */
static int column_changes(const struct schema_column *a,
			  const struct schema_column *b, struct buf *why,
			  int *loses)
{
	char *ta = schema_norm_type(a->type), *tb = schema_norm_type(b->type);
	char *da = schema_norm_default(a->dflt), *db = schema_norm_default(b->dflt);
	int changed = 0;

	if (strcmp(ta, tb)) {
		buf_addf(sep(why), "type of %s %s -> %s", b->name,
			 *ta ? ta : "(none)", *tb ? tb : "(none)");
		if (schema_type_narrows(a->type, b->type))
			*loses = 1;
		changed = 1;
	}
	if (a->notnull != b->notnull) {
		buf_addf(sep(why), "%s %s", b->name,
			 b->notnull ? "becomes NOT NULL" : "allows NULL");
		changed = 1;
	}
	if (!str_eq(da, db)) {
		buf_addf(sep(why), "default of %s %s -> %s", b->name,
			 da ? da : "none", db ? db : "none");
		changed = 1;
	}
	if (a->pk != b->pk) {
		buf_addstr(sep(why), "primary key changes");
		changed = 1;
	}
	free(ta);
	free(tb);
	free(da);
	free(db);
	return changed;
}

/* The op renaming column `old` of a to `new` of b. */
static void rename_op(struct diff *d, const struct schema_table *a,
		      const struct schema_table *b, const char *old,
		      const char *new, const char *said)
{
	struct diff_op *op = diff_add_op(d, DIFF_RENAME_COLUMN);

	op->from = a;
	op->to = b;
	op->column = old;
	op->new_column = new;
	op->said = said;
	op->why = said ? xasprintf("%s: rename column %s -> %s (%s)", b->name,
				   old, new, said)
		       : xasprintf("%s: rename column %s -> %s (likely: %s "
				   "dropped, %s added, same type; check it)",
				   b->name, old, new, old, new);
}

void diff_table(struct diff *d, const struct schema *fs,
		const struct schema *ts, const struct schema_table *a,
		const struct schema_table *b, const struct diff_renames *rn,
		int *rebuilt, int *renamed_cols)
{
	struct buf why = BUF_INIT;
	const struct schema_column **dropped = xcalloc(a->ncols + 1, sizeof(*dropped));
	const struct schema_column **added = xcalloc(b->ncols + 1, sizeof(*added));
	/* old[i]: the column of a that b's column i was; NULL when new */
	const struct schema_column **old = xcalloc(b->ncols + 1, sizeof(*old));
	char *kept = xcalloc(a->ncols + 1, 1);
	struct renames r = { xcalloc(a->ncols + 1, sizeof(char *)),
			     xcalloc(a->ncols + 1, sizeof(char *)), 0 };
	size_t ndrop = 0, nadd = 0, i;
	char **ka = NULL, **kb = NULL;
	size_t na = 0, nb = 0;
	int rebuild = 0, loses = 0;

	for (i = 0; i < b->ncols; i++) {
		const char *said;
		const struct schema_column *c =
			diff_column_from(rn, a, b, &b->cols[i], &said);
		if (!c) {
			added[nadd++] = &b->cols[i];
			continue;
		}
		old[i] = c;
		kept[c - a->cols] = 1;
		/* Said, whatever else changes with it: the values go along
		 * (then into a rebuilt table, when the type changes too). */
		if (said) {
			rename_op(d, a, b, c->name, b->cols[i].name, said);
			r.old[r.n] = c->name;
			r.new[r.n++] = b->cols[i].name;
			*renamed_cols = 1;
		}
		if (column_changes(c, &b->cols[i], &why, &loses))
			rebuild = 1;
	}
	for (i = 0; i < a->ncols; i++)
		if (!kept[i])
			dropped[ndrop++] = &a->cols[i];
	/* A likely rename (see match), paired both ways.  Losing a
	 * column's data silently is worse than asking. */
	for (i = 0; i < ndrop; i++) {
		int pick = match(dropped[i], added, nadd);
		if (pick >= 0 && match(added[pick], dropped, ndrop) == (int)i) {
			rename_op(d, a, b, dropped[i]->name, added[pick]->name,
				  NULL);
			r.old[r.n] = dropped[i]->name;
			r.new[r.n++] = added[pick]->name;
			old[added[pick] - b->cols] = dropped[i];
			*renamed_cols = 1;
			if (column_changes(dropped[i], added[pick], &why, &loses))
				rebuild = 1;
			dropped[i] = NULL;
			added[pick] = NULL;
		}
	}
	for (i = 0; i < ndrop; i++)
		if (dropped[i]) {
			buf_addf(sep(&why), "drop column %s", dropped[i]->name);
			rebuild = loses = 1;
		}
	for (i = 0; i < nadd; i++)
		if (added[i] && !addable(b, added[i])) {
			buf_addf(sep(&why), "add column %s", added[i]->name);
			rebuild = 1;
		}

	fk_keys(a, &r, rn, &ka, &na);
	fk_keys(b, NULL, NULL, &kb, &nb);
	if (!same_set(ka, na, kb, nb)) {
		buf_addstr(sep(&why), "foreign keys change");
		rebuild = 1;
	}
	diff_free_list(ka, na);
	diff_free_list(kb, nb);
	ka = kb = NULL;
	na = nb = 0;
	unique_keys(fs, a, &r, &ka, &na);
	unique_keys(ts, b, NULL, &kb, &nb);
	if (!same_set(ka, na, kb, nb)) {
		buf_addstr(sep(&why), "unique constraints change");
		rebuild = 1;
	}
	diff_free_list(ka, na);
	diff_free_list(kb, nb);
	ka = kb = NULL;
	na = nb = 0;
	check_keys(a, &ka, &na);
	check_keys(b, &kb, &nb);
	if (!r.n && !same_set(ka, na, kb, nb)) {
		buf_addstr(sep(&why), "CHECK constraints change");
		rebuild = 1;
	} else if (r.n && !same_set(ka, na, kb, nb)) {
		/* The rename rewrites CHECKs naming the column; only a
		 * rebuild makes them exactly what schema.sql says. */
		rebuild = 1;
	}
	diff_free_list(ka, na);
	diff_free_list(kb, nb);
	if (!same_text(a->sql ? sqltok_table_tail(a->sql) : "",
		       b->sql ? sqltok_table_tail(b->sql) : "")) {
		buf_addstr(sep(&why), "table options change");
		rebuild = 1;
	}
	for (i = 0; i < b->ncols; i++) {
		char *ca, *cb;
		if (!old[i])
			continue;
		ca = collation(a, old[i]->name);
		cb = collation(b, b->cols[i].name);
		if (strcmp(ca, cb)) {
			buf_addf(sep(&why), "collation of %s %s -> %s",
				 b->cols[i].name, *ca ? ca : "binary",
				 *cb ? cb : "binary");
			rebuild = 1;
		}
		free(ca);
		free(cb);
	}

	if (rebuild) {
		struct diff_op *op = diff_add_op(d, DIFF_REBUILD_TABLE);
		op->from = a;
		op->to = b;
		op->loses_data = loses;
		op->why = xasprintf("%s: %s", b->name, buf_cstr(&why));
		/* renamed columns have their new names by now */
		for (i = 0; i < b->ncols; i++)
			if (old[i])
				diff_push(&op->copy, &op->ncopy,
					  xstrdup(b->cols[i].name));
		/* who was who, for a dialect that alters in place */
		op->old = old;
		old = NULL;
		*rebuilt = 1;
	} else {
		for (i = 0; i < nadd; i++) {
			struct diff_op *op;
			if (!added[i])
				continue;
			op = diff_add_op(d, DIFF_ADD_COLUMN);
			op->to = b;
			op->from = a;
			op->column = added[i]->name;
			op->why = xasprintf("%s: add column %s %s", b->name,
					    added[i]->name, added[i]->type);
		}
	}
	buf_release(&why);
	free(dropped);
	free(added);
	free(old);
	free(kept);
	free(r.old);
	free(r.new);
}

/*
 * rollup_acc.c - buckets of rows held in memory, aggregated in C (see
 * rollup.h).  Each aggregate follows what SQLite's function does over the
 * same values in the same order: min and max compare numbers by value
 * and keep the first of equals, with its type; sum is exact over
 * integers and otherwise the double sum of every value in order; count
 * counts non-NULL values.  Hours are made from minutes, oldest first, as
 * the SQL fold and the rebuild make them.
 */
#include <stdlib.h>
#include <string.h>

#include "rollup/rollup.h"
#include "rollup/rollup_impl.h"
#include "base/timefmt.h"
#include "base/xalloc.h"

struct num {
	enum store_type type; /* STORE_NULL: none yet */
	int64_t i;
	double r;
};

struct cell {
	struct num min, max;
	int64_t isum, n;
	double rsum;
	int approx; /* a real, or an integer overflow: the sum is rsum */
};

struct rollup_acc {
	char *table;
	char **cols;
	size_t ncols;
	int64_t *b;          /* bucket starts, unix seconds */
	struct cell *cells;  /* ncols per bucket */
	size_t nb, ab;
	size_t *slots;       /* hash of b: index + 1, 0 = free */
	size_t nslots;
	size_t cur;          /* the current row's bucket */
	/* The merges into the minute and hour tables, made at the first
	 * store: a loader stores batch after batch through the same acc. */
	char *merge_sql[2];
};

struct rollup_acc *rollup_acc_new(const struct schema *schema,
				  const char *table)
{
	const struct schema_table *t = schema_find_table(schema, table);
	struct rollup_acc *a;
	char **cols;
	size_t ncols;

	/* An older hearth's per-row trigger folds rows already.  In a table
	 * with a key, a row may update a stored one (writer.h) rather than
	 * add to its bucket. */
	if (!t || !schema_find_table(schema, ROLLUP_MARK) ||
	    rollup_has_trigger(schema, table, "ins") ||
	    schema_has_unique_key(schema, t))
		return NULL;
	rollup_columns(schema, table, &cols, &ncols);
	if (!ncols || !rollup_columns_match(t, NULL, cols, ncols)) {
		rollup_columns_free(cols, ncols);
		return NULL;
	}
	a = xcalloc(1, sizeof(*a));
	a->table = xstrdup(table);
	a->cols = cols;
	a->ncols = ncols;
	return a;
}

void rollup_acc_free(struct rollup_acc *a)
{
	if (!a)
		return;
	free(a->table);
	rollup_columns_free(a->cols, a->ncols);
	free(a->b);
	free(a->cells);
	free(a->slots);
	free(a->merge_sql[0]);
	free(a->merge_sql[1]);
	free(a);
}

void rollup_acc_clear(struct rollup_acc *a)
{
	a->nb = 0;
	a->cur = 0;
	if (a->slots)
		memset(a->slots, 0, a->nslots * sizeof(*a->slots));
}

int rollup_acc_col(const struct rollup_acc *a, const char *col)
{
	size_t i;

	for (i = 0; i < a->ncols; i++)
		if (!strcmp(a->cols[i], col))
			return (int)i;
	return -1;
}

static size_t hash(int64_t b, size_t nslots)
{
	return (size_t)(((uint64_t)b / 60) * 0x9E3779B97F4A7C15ull >> 7) &
	       (nslots - 1);
}

static void rehash(struct rollup_acc *a)
{
	size_t i, h;

	free(a->slots);
	a->nslots = a->nslots ? a->nslots * 2 : 64;
	a->slots = xcalloc(a->nslots, sizeof(*a->slots));
	for (i = 0; i < a->nb; i++) {
		for (h = hash(a->b[i], a->nslots); a->slots[h];
		     h = (h + 1) & (a->nslots - 1))
			;
		a->slots[h] = i + 1;
	}
}

/* The bucket starting at b, made when new. */
static size_t bucket(struct rollup_acc *a, int64_t b)
{
	size_t h, k;

	if (a->nb && a->b[a->cur] == b)
		return a->cur;
	if (2 * (a->nb + 1) > a->nslots)
		rehash(a);
	for (h = hash(b, a->nslots); a->slots[h]; h = (h + 1) & (a->nslots - 1))
		if (a->b[a->slots[h] - 1] == b)
			return a->slots[h] - 1;
	if (a->nb == a->ab) {
		a->ab = a->ab ? a->ab * 2 : 16;
		a->b = xreallocarray(a->b, a->ab, sizeof(*a->b));
		a->cells = xreallocarray(a->cells, a->ab * a->ncols,
					 sizeof(*a->cells));
	}
	k = a->nb++;
	a->b[k] = b;
	memset(&a->cells[k * a->ncols], 0, a->ncols * sizeof(*a->cells));
	a->slots[h] = k + 1;
	return k;
}

void rollup_acc_row(struct rollup_acc *a, int64_t t)
{
	/* C division truncates toward zero, as the SQL of the fold does. */
	a->cur = bucket(a, t / US_PER_SEC / 60 * 60);
}

/* <0, 0, >0 as x is below, equal to or above y (both numbers). */
static int cmp(const struct num *x, const struct num *y)
{
	double dx, dy;

	if (x->type == STORE_INT && y->type == STORE_INT)
		return (x->i > y->i) - (x->i < y->i);
	dx = x->type == STORE_INT ? (double)x->i : x->r;
	dy = y->type == STORE_INT ? (double)y->i : y->r;
	return (dx > dy) - (dx < dy);
}

static void keep_min(struct num *min, const struct num *v)
{
	if (v->type != STORE_NULL &&
	    (min->type == STORE_NULL || cmp(v, min) < 0))
		*min = *v;
}

static void keep_max(struct num *max, const struct num *v)
{
	if (v->type != STORE_NULL &&
	    (max->type == STORE_NULL || cmp(v, max) > 0))
		*max = *v;
}

static void add_sum(struct cell *c, const struct num *v)
{
	if (v->type == STORE_INT) {
		c->rsum += (double)v->i;
		if (!c->approx && __builtin_add_overflow(c->isum, v->i, &c->isum))
			c->approx = 1;
	} else {
		c->rsum += v->r;
		c->approx = 1;
	}
}

void rollup_acc_add(struct rollup_acc *a, int col, enum store_type type,
		    int64_t i, double r)
{
	struct cell *c;
	struct num v;

	if (col < 0 || (type != STORE_INT && type != STORE_REAL))
		return;
	v.type = type;
	v.i = i;
	v.r = r;
	c = &a->cells[a->cur * a->ncols + (size_t)col];
	keep_min(&c->min, &v);
	keep_max(&c->max, &v);
	add_sum(c, &v);
	c->n++;
}

/* The hour cell takes a minute cell as SQL's min of mins, max of maxes,
 * sum of sums and sum of counts would. */
static void add_minute(struct cell *h, const struct cell *m)
{
	struct num sum;

	keep_min(&h->min, &m->min);
	keep_max(&h->max, &m->max);
	if (m->n) {
		sum.type = m->approx ? STORE_REAL : STORE_INT;
		sum.i = m->isum;
		sum.r = m->rsum;
		add_sum(h, &sum);
	}
	h->n += m->n;
}

static void bind_num(struct store_stmt *st, int i, const struct num *v)
{
	if (v->type == STORE_INT)
		store_bind_int(st, i, v->i);
	else if (v->type == STORE_REAL)
		store_bind_real(st, i, v->r);
	else
		store_bind_null(st, i);
}

/* Upsert one bucket's row through st (the merge of rollup_merge_sql). */
static int put(struct store_stmt *st, int64_t b, const struct cell *cells,
	       size_t ncols, struct hearth_err *err)
{
	size_t i;
	int p = 1;

	store_bind_int(st, p++, b);
	for (i = 0; i < ncols; i++) {
		const struct cell *c = &cells[i];
		bind_num(st, p++, &c->min);
		bind_num(st, p++, &c->max);
		if (!c->n)
			store_bind_null(st, p++);
		else if (c->approx)
			store_bind_real(st, p++, c->rsum);
		else
			store_bind_int(st, p++, c->isum);
		store_bind_int(st, p++, c->n);
	}
	p = store_step(st, err);
	store_reset(st);
	return p < 0 ? -1 : 0;
}

/* The merge into a level's table, from the connection's cache: the same
 * statement serves every request that writes the table. */
static int merge_stmt(struct rollup_acc *a, struct store *s,
		      enum rollup_level lv, struct store_stmt **st,
		      struct hearth_err *err)
{
	struct buf name = BUF_INIT, values = BUF_INIT, sql = BUF_INIT;
	char **text = &a->merge_sql[lv == ROLLUP_HOUR];
	size_t i;

	if (!*text) {
		rollup_table_name(&name, a->table, lv);
		buf_addstr(&values, "VALUES (?");
		for (i = 0; i < 4 * a->ncols; i++)
			buf_addstr(&values, ", ?");
		buf_addch(&values, ')');
		rollup_merge_sql(store_sql(s), &sql, name.s,
				 (const char *const *)a->cols, a->ncols,
				 values.s);
		*text = buf_detach(&sql, NULL);
		buf_release(&name);
		buf_release(&values);
	}
	return store_cached(s, *text, st, err);
}

static int by_start(const void *x, const void *y)
{
	int64_t a = **(const int64_t *const *)x, b = **(const int64_t *const *)y;

	return (a > b) - (a < b);
}

int rollup_acc_store(struct rollup_acc *a, struct store *s,
		     struct hearth_err *err)
{
	const int64_t **order = NULL;
	struct store_stmt *m, *h;
	struct cell *hour = NULL;
	int64_t hb = 0, have = 0;
	size_t i, k;
	int ret = -1, have_hour = 0;

	if (store_query_int(s, "SELECT count(*) FROM " ROLLUP_MARK " WHERE tbl = ?",
			    &have, err, a->table, (const char *)NULL) < 0)
		goto out;
	if (!have) {
		ret = 0;
		goto out;
	}
	if (!a->nb)
		goto mark;
	if (merge_stmt(a, s, ROLLUP_MINUTE, &m, err) < 0 ||
	    merge_stmt(a, s, ROLLUP_HOUR, &h, err) < 0)
		goto out;
	order = xcalloc(a->nb, sizeof(*order));
	for (i = 0; i < a->nb; i++)
		order[i] = &a->b[i];
	qsort(order, a->nb, sizeof(*order), by_start);
	hour = xcalloc(a->ncols, sizeof(*hour));
	for (i = 0; i < a->nb; i++) {
		size_t idx = (size_t)(order[i] - a->b);
		const struct cell *cells = &a->cells[idx * a->ncols];
		int64_t b = a->b[idx];

		if (put(m, b, cells, a->ncols, err) < 0)
			goto out;
		if (have_hour && b / 3600 * 3600 != hb) {
			if (put(h, hb, hour, a->ncols, err) < 0)
				goto out;
			memset(hour, 0, a->ncols * sizeof(*hour));
		}
		hb = b / 3600 * 3600;
		have_hour = 1;
		for (k = 0; k < a->ncols; k++)
			add_minute(&hour[k], &cells[k]);
	}
	if (have_hour && put(h, hb, hour, a->ncols, err) < 0)
		goto out;
mark:
	if (rollup_mark_reset(s, a->table, err) < 0)
		goto out;
	ret = 0;
out:
	if (ret < 0)
		err_prefix(err, "rollup of %s", a->table);
	free(order);
	free(hour);
	return ret;
}

struct rollup_acc *rollup_accs_get(struct rollup_accs *set,
				   const struct schema *schema,
				   const char *table)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (!strcmp(set->tables[i], table))
			return set->v[i];
	set->tables = xreallocarray(set->tables, set->n + 1,
				    sizeof(*set->tables));
	set->v = xreallocarray(set->v, set->n + 1, sizeof(*set->v));
	set->schema = schema;
	set->tables[set->n] = xstrdup(table);
	set->v[set->n] = rollup_acc_new(schema, table);
	return set->v[set->n++];
}

int rollup_accs_put(const struct rollup_accs *set, struct store *s,
		    struct hearth_err *err)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (set->v[i] ? rollup_acc_store(set->v[i], s, err) < 0
			      : rollup_catch_up(s, set->schema, set->tables[i],
						err) < 0)
			return -1;
	return 0;
}

void rollup_accs_clear(struct rollup_accs *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		if (set->v[i])
			rollup_acc_clear(set->v[i]);
}

void rollup_accs_release(struct rollup_accs *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		free(set->tables[i]);
		rollup_acc_free(set->v[i]);
	}
	free(set->tables);
	free(set->v);
	set->tables = NULL;
	set->v = NULL;
	set->n = 0;
}

/*
 * readings.c - a column's readings, in time order, for integration.
 */
#include "energy/readings.h"

#include <stdlib.h>

#include "base/timefmt.h"
#include "base/xalloc.h"
#include "chart/series.h"

/* A reading's value as a number; -1 for NULL or text. */
static int value_of(struct store_stmt *st, int i, double *out)
{
	switch (store_column_type(st, i)) {
	case STORE_INT:
		*out = (double)store_column_int(st, i);
		return 0;
	case STORE_REAL:
		*out = store_column_real(st, i);
		return 0;
	default:
		return -1;
	}
}

/*
 * Step through the readings of col in window w, calling fn for each
 * with a time and a number, until it returns nonzero (1: stop).
 */
typedef int (*reading_fn)(void *ctx, int64_t t, double v);

static int readings(struct store *s, const struct schema *schema,
		    const char *table, const char *time_col, const char *col,
		    const struct series_window *w, reading_fn fn, void *ctx,
		    struct hearth_err *err)
{
	const struct schema_table *t = schema_find_table(schema, table);
	struct store_stmt *st = NULL;
	int ti, ci, rc, ret = -1;
	int64_t tm;
	double v;

	if (!t || (ci = schema_column_index(t, col)) < 0)
		return err_set(err, "unknown column '%s' in table %s", col,
			       table);
	if (series_select(s, schema, table, time_col, w, &st, &ti, err) < 0)
		return -1;
	while ((rc = store_step(st, err)) == 1)
		if (series_time_value(st, ti, &tm) == 0 &&
		    value_of(st, ci, &v) == 0 && fn(ctx, tm, v))
			break;
	if (rc >= 0)
		ret = 0;
	store_finalize(st);
	return ret;
}

/* Readings gathered from a window, to be put in time order: SQLite
 * sorts every number before every text, so a table holding times both
 * ways (unix seconds in some rows, ISO text in others) comes back in two
 * runs. */
struct pair {
	int64_t t;
	double v;
};

struct pairs {
	struct pair *v;
	size_t n, alloc;
};

static int gather(void *ctx, int64_t t, double v)
{
	struct pairs *p = ctx;

	XGROW(p->v, p->n + 1, p->alloc);
	p->v[p->n].t = t;
	p->v[p->n++].v = v;
	return 0;
}

static int cmp_pair(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->v < y->v ? -1 : x->v > y->v;
}

/* The readings of col with times in [t0, t1], in time order, into p
 * (emptied first). */
static int window_pairs(struct store *s, const struct schema *schema,
			const char *table, const char *time_col,
			const char *col, int64_t t0, int64_t t1,
			struct pairs *p, struct hearth_err *err)
{
	struct series_window w = SERIES_WINDOW_INIT;
	size_t i;
	int sorted = 1;

	p->n = 0;
	w.since = t0;
	w.until = t1;
	if (readings(s, schema, table, time_col, col, &w, gather, p, err) < 0)
		return -1;
	for (i = 1; i < p->n && sorted; i++)
		sorted = p->v[i - 1].t < p->v[i].t;
	if (!sorted)
		qsort(p->v, p->n, sizeof(*p->v), cmp_pair);
	return 0;
}

/* Windows of growing width, each read whole, since the order the
 * database gives is not time order where times are stored both ways. */
int energy_readings_near(struct store *s, const struct schema *schema,
			 const char *table, const char *time_col,
			 const char *col, int64_t t, int before, int64_t *out,
			 struct hearth_err *err)
{
	struct pairs p = { NULL, 0, 0 };
	int64_t width = 3600 * US_PER_SEC, a, b;
	int ret = -1, last = 0;

	while (!last) {
		if (before) {
			b = t - 1;
			a = t - TIMEFMT_MIN > width ? t - width : TIMEFMT_MIN;
			last = a == TIMEFMT_MIN;
		} else {
			a = t;
			b = TIMEFMT_MAX - t > width ? t + width : TIMEFMT_MAX;
			last = b == TIMEFMT_MAX;
		}
		if (a > b)
			break;
		if (window_pairs(s, schema, table, time_col, col, a, b, &p,
				 err) < 0)
			goto out;
		if (p.n) {
			*out = before ? p.v[p.n - 1].t : p.v[0].t;
			ret = 1;
			goto out;
		}
		width *= 4;
	}
	ret = 0;
out:
	free(p.v);
	return ret;
}

/* The first and last times of table's rows (any value): 1, or 0 when
 * it has none.  One scan, for a build from every reading: a search from
 * either end of time would read the whole table in its last window. */
static int time_range(struct store *s, const struct schema *schema,
		      const char *table, const char *time_col, int64_t *lo,
		      int64_t *hi, struct hearth_err *err)
{
	const struct schema_table *t = schema_find_table(schema, table);
	const struct schema_column *tc = t ? schema_time_column(t, time_col)
					   : NULL;
	struct buf sql = BUF_INIT, x = BUF_INIT;
	struct store_stmt *st = NULL;
	int rc, ret = -1;

	if (!tc)
		return err_set(err, "table %s has no time column", table);
	store_quote_ident(&x, tc->name);
	buf_addstr(&sql, "SELECT min(s), max(s) FROM (SELECT ");
	store_sql_unix_secs(store_sql(s), &sql, x.s, tc->type);
	buf_addstr(&sql, " AS s FROM ");
	store_quote_ident(&sql, table);
	buf_addstr(&sql, ") x");
	if (store_prepare(s, sql.s, &st, err) < 0)
		goto out;
	rc = store_step(st, err);
	if (rc < 0)
		goto out;
	ret = rc == 1 && store_column_type(st, 0) != STORE_NULL;
	if (ret) {
		*lo = store_column_int(st, 0) * US_PER_SEC;
		*hi = (store_column_int(st, 1) + 1) * US_PER_SEC - 1;
	}
out:
	store_finalize(st);
	buf_release(&sql);
	buf_release(&x);
	return ret;
}

/* Readings are read a week at a time. */
#define CHUNK (7 * 86400 * US_PER_SEC)

int energy_readings_integrate(struct store *s, const struct schema *schema,
			  const char *table, const char *time_col,
			  const struct energy_col *col, int64_t max_gap,
			  int64_t t0, int64_t t1, struct energy_slots *out,
			  struct hearth_err *err)
{
	struct pairs p = { NULL, 0, 0 };
	struct energy_integ g;
	int64_t c, lo = 0, hi = 0;
	size_t i;
	int rc, ret = -1;

	energy_integ_init(&g, col->kind, max_gap);
	if (t0 == SERIES_NO_BOUND || t1 == SERIES_NO_BOUND) {
		rc = time_range(s, schema, table, time_col, &lo, &hi, err);
		if (rc <= 0) {
			ret = rc;
			goto out;
		}
		if (t0 == SERIES_NO_BOUND)
			t0 = lo;
		if (t1 == SERIES_NO_BOUND)
			t1 = hi;
	}
	for (c = t0; c <= t1; c = t1 - c >= CHUNK ? c + CHUNK : t1 + 1) {
		int64_t e = t1 - c >= CHUNK ? c + CHUNK - 1 : t1;

		if (window_pairs(s, schema, table, time_col, col->name, c, e,
				 &p, err) < 0)
			goto out;
		for (i = 0; i < p.n; i++)
			energy_integ_add(&g, p.v[i].t, p.v[i].v);
	}
	for (i = 0; i < g.out.n; i++)
		energy_slots_add(out, g.out.v[i].b, g.out.v[i].wh,
				 g.out.v[i].covered);
	ret = 0;
out:
	free(p.v);
	energy_slots_release(&g.out);
	return ret;
}

struct times {
	int64_t *v;
	size_t n, alloc;
};

static int collect_time(void *ctx, int64_t t, double v)
{
	struct times *ts = ctx;

	(void)v;
	XGROW(ts->v, ts->n + 1, ts->alloc);
	ts->v[ts->n++] = t;
	return 0;
}

int energy_readings_usual_gap(struct store *s, const struct schema *schema,
			      const char *table, const char *time_col,
			      const char *col, int64_t *out,
			      struct hearth_err *err)
{
	struct series_window w = SERIES_WINDOW_INIT;
	struct times ts = { NULL, 0, 0 };

	w.limit = 1001;
	w.newest_first = 1;
	if (readings(s, schema, table, time_col, col, &w,
		     collect_time, &ts, err) < 0) {
		free(ts.v);
		return -1;
	}
	*out = energy_usual_gap(ts.v, ts.n);
	free(ts.v);
	return 0;
}

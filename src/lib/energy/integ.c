#include "energy/integ.h"

#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "base/xalloc.h"

static const char *const kind_names[] = { "power", "counter_kwh",
					  "counter_wh" };

int energy_kind_parse(const char *s, enum energy_kind *out)
{
	size_t i;

	for (i = 0; i < 3; i++)
		if (!strcmp(s, kind_names[i])) {
			*out = (enum energy_kind)i;
			return 0;
		}
	return -1;
}

const char *energy_kind_name(enum energy_kind k)
{
	return kind_names[k];
}

int64_t energy_slot_of(int64_t t_us)
{
	const int64_t w = ENERGY_SLOT * US_PER_SEC;
	int64_t q = t_us / w;

	if (t_us % w < 0)
		q--;
	return q * ENERGY_SLOT;
}

void energy_slots_release(struct energy_slots *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->alloc = 0;
}

void energy_slots_add(struct energy_slots *s, int64_t b, double wh,
		      double covered)
{
	struct energy_slot *last = s->n ? &s->v[s->n - 1] : NULL;

	if (!last || last->b != b) {
		XGROW(s->v, s->n + 1, s->alloc);
		last = &s->v[s->n++];
		last->b = b;
		last->wh = 0;
		last->covered = 0;
	}
	last->wh += wh;
	last->covered += covered;
}

void energy_integ_init(struct energy_integ *g, enum energy_kind kind,
		       int64_t max_gap_us)
{
	memset(g, 0, sizeof(*g));
	g->kind = kind;
	g->max_gap = max_gap_us;
}

/* The pair (t0, v0) - (t1, v1) over the slots it spans.  Power: the
 * trapezoid of each piece, from the values interpolated at its ends.
 * Counters: the difference d, in proportion to each piece's length. */
static void spread(struct energy_integ *g, int64_t t0, double v0, int64_t t1,
		   double v1, double d)
{
	const int64_t w = ENERGY_SLOT * US_PER_SEC;
	double span = (double)(t1 - t0);
	int64_t a = t0;

	while (a < t1) {
		int64_t b0 = energy_slot_of(a), end = b0 * US_PER_SEC + w, b;
		double len, wh;

		b = end < t1 ? end : t1;
		len = (double)(b - a);
		if (g->kind == ENERGY_POWER) {
			double va = v0 + (v1 - v0) * (double)(a - t0) / span;
			double vb = v0 + (v1 - v0) * (double)(b - t0) / span;
			wh = (va + vb) / 2 * len / (3600.0 * US_PER_SEC);
		} else {
			wh = d * len / span;
		}
		energy_slots_add(&g->out, b0, wh, len / US_PER_SEC);
		a = b;
	}
}

void energy_integ_add(struct energy_integ *g, int64_t t, double v)
{
	int64_t dt = t - g->t;
	double d;

	if (!g->have || dt < 0) {
		g->have = 1;
		goto keep;
	}
	if (g->kind == ENERGY_POWER) {
		if (dt > 0 && dt <= g->max_gap)
			spread(g, g->t, g->v, t, v, 0);
		goto keep;
	}
	d = v >= g->v ? v - g->v : v; /* a drop: reset, counted from 0 */
	if (g->kind == ENERGY_COUNTER_KWH)
		d *= 1000;
	if (dt > 0 && dt <= g->max_gap)
		spread(g, g->t, g->v, t, v, d);
	else
		energy_slots_add(&g->out, energy_slot_of(t), d, 0);
keep:
	g->t = t;
	g->v = v;
}

int energy_cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int64_t energy_usual_gap(const int64_t *t, size_t n)
{
	int64_t *ts, *gaps, m;
	size_t i, k = 0;

	if (n < 2)
		return 0;
	ts = xcalloc(n, sizeof(*ts));
	gaps = xcalloc(n, sizeof(*gaps));
	memcpy(ts, t, n * sizeof(*t));
	qsort(ts, n, sizeof(*ts), energy_cmp_i64);
	for (i = 1; i < n; i++)
		if (ts[i] > ts[i - 1])
			gaps[k++] = ts[i] - ts[i - 1];
	free(ts);
	qsort(gaps, k, sizeof(*gaps), energy_cmp_i64);
	m = k ? 3 * gaps[k / 2] : 0;
	free(gaps);
	return m;
}

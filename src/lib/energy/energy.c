#include "energy/energy.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "base/xalloc.h"
#include "chart/resample.h"

int energy_settings_load(struct energy_settings *es, const struct config *cfg,
			 struct hearth_err *err)
{
	const char *gap = config_get(cfg, "energy", "max_gap");
	struct hearth_err why = HEARTH_ERR_INIT;

	memset(es, 0, sizeof(*es));
	es->currency = xstrdup(config_get_or(cfg, "energy", "currency", ""));
	if (tariff_parse(&es->tariff, config_get(cfg, "energy", "tariff"),
			 config_get(cfg, "energy", "standing_charge"), err) < 0)
		return -1;
	if (gap && (resample_parse_width(gap, &es->max_gap, &why) < 0 ||
		    es->max_gap <= 0))
		return err_set(err, "[energy] max_gap '%s': want a duration "
			       "such as 30s, 5m or 1h", gap);
	if (tz_load(&es->zone, config_get(cfg, "serve", "timezone"), &why) < 0)
		return err_set(err, "[serve] timezone: %s", why.msg);
	return 0;
}

void energy_settings_release(struct energy_settings *es)
{
	free(es->currency);
	if (es->zone)
		tz_free(es->zone);
	memset(es, 0, sizeof(*es));
}

static int is_number_col(const struct schema_table *t,
			 const struct schema_column *tc, size_t i)
{
	enum schema_affinity a = schema_affinity(t->cols[i].type);

	return &t->cols[i] != tc &&
	       (a == AFF_INTEGER || a == AFF_REAL || a == AFF_NUMERIC);
}

int energy_columns(const struct config *cfg, const struct schema_table *t,
		   const char *want, struct energy_col **cols, size_t *n,
		   size_t *pick, struct hearth_err *err)
{
	const struct schema_column *tc =
		schema_time_column(t, config_get(cfg, "time_columns", t->name));
	struct energy_col *v = xcalloc(t->ncols + 1, sizeof(*v));
	struct buf key = BUF_INIT, names = BUF_INIT;
	size_t i, k = 0;
	int ret = -1, found = 0;

	*pick = 0;
	for (i = 0; i < t->ncols; i++) {
		const char *kind;

		buf_reset(&key);
		buf_addf(&key, "%s.%s", t->name, t->cols[i].name);
		kind = config_get(cfg, "energy", key.s);
		if (!kind)
			continue;
		if (energy_kind_parse(kind, &v[k].kind) < 0) {
			err_set(err, "[energy] %s = '%s': want power, "
				"counter_kwh or counter_wh", key.s, kind);
			goto out;
		}
		if (!is_number_col(t, tc, i)) {
			err_set(err, "[energy] %s: not a number column", key.s);
			goto out;
		}
		if (want && !strcmp(want, t->cols[i].name)) {
			*pick = k;
			found = 1;
		}
		buf_addf(&names, "%s%s", k ? ", " : "", t->cols[i].name);
		v[k++].name = t->cols[i].name;
	}
	if (want && !found) {
		const struct schema_column *c = schema_find_column(t, want);
		if (!c) {
			err_set(err, "--column: unknown column '%s' in table %s",
				want, t->name);
			goto out;
		}
		if (!is_number_col(t, tc, (size_t)(c - t->cols))) {
			err_set(err, "--column: %s.%s is not a number column",
				t->name, c->name);
			goto out;
		}
		*pick = k;
		v[k].name = c->name;
		v[k++].kind = ENERGY_POWER;
	}
	if (!k) {
		err_set(err, "table %s has no energy column: set [energy] "
			"%s.COLUMN = power (or counter_kwh, counter_wh), or "
			"name one with --column", t->name, t->name);
		goto out;
	}
	if (!want && k > 1) {
		err_set(err, "table %s has several energy columns (%s): "
			"choose one with --column", t->name, names.s);
		goto out;
	}
	*cols = v;
	*n = k;
	v = NULL;
	ret = 0;
out:
	free(v);
	buf_release(&key);
	buf_release(&names);
	return ret;
}

/* An ISO date or time with no zone: "2026-03-29", "2026-03-29 12:00". */
static int naive_iso(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 10 || !isdigit((unsigned char)s[0]) || s[4] != '-')
		return 0;
	for (i = 10; i < n; i++)
		if (s[i] == 'Z' || s[i] == 'z' || s[i] == '+' || s[i] == '-')
			return 0;
	return 1;
}

int energy_parse_time(const char *s, int64_t now, const struct tz *z,
		      int64_t *out, struct hearth_err *err)
{
	int64_t t, secs, frac;

	if (timefmt_parse(s, now, TIMEFMT_UTC, &t, err) < 0)
		return -1;
	if (naive_iso(s)) {
		secs = t / US_PER_SEC;
		frac = t % US_PER_SEC;
		if (frac < 0) {
			secs--;
			frac += US_PER_SEC;
		}
		t = tz_to_utc(z, secs) * US_PER_SEC + frac;
	}
	*out = t;
	return 0;
}

int64_t energy_default_since(enum energy_by by, int64_t now)
{
	static const int64_t days[] = { 1, 30, 84, 365 };

	return now - days[by] * 86400 * US_PER_SEC;
}

static int64_t secs_floor(int64_t us)
{
	int64_t q = us / US_PER_SEC;

	return us % US_PER_SEC < 0 ? q - 1 : q;
}

int energy_report(struct store *s, const struct schema *schema,
		  const struct config *cfg, const struct energy_settings *es,
		  const struct energy_query *q, struct energy_report *r,
		  struct hearth_err *err)
{
	const struct schema_table *t = schema_find_table(schema, q->table);
	struct energy_slots sl = ENERGY_SLOTS_INIT;
	struct energy_col *cols = NULL;
	struct energy_spec sp;
	int64_t since, until, b0, b1;
	size_t ncols = 0, pick = 0, i;
	int ret = -1;

	if (!t || t->internal || !schema_is_series(t)) {
		err_set(err, "'%s' is not a series table", q->table);
		goto out;
	}
	if (q->until < q->since) {
		err_set(err, "--until is before --since");
		goto out;
	}
	if (energy_columns(cfg, t, q->column, &cols, &ncols, &pick, err) < 0)
		goto out;
	memset(&sp, 0, sizeof(sp));
	sp.table = t->name;
	sp.time_col = config_get(cfg, "time_columns", t->name);
	sp.cols = cols;
	sp.ncols = ncols;
	sp.max_gap = es->max_gap;
	r->table = xstrdup(t->name);
	r->column = xstrdup(cols[pick].name);
	r->kind = cols[pick].kind;
	r->by = q->by;
	r->es = es;
	r->has_cost = es->tariff.n || es->tariff.standing > 0;
	if (!q->no_update &&
	    energy_keep_update(s, schema, &sp, q->rebuild, &r->max_gap, err) < 0)
		goto out;
	since = secs_floor(q->since);
	until = secs_floor(q->until);
	b0 = energy_period_start(es->zone, q->by, since);
	b1 = energy_period_next(es->zone, q->by,
				energy_period_start(es->zone, q->by, until));
	/* A slot that starts before the first period may reach into it. */
	if (energy_keep_read(s, t->name, cols[pick].name, b0 - ENERGY_SLOT + 1,
			     b1, &sl, err) < 0)
		goto out;
	energy_periods(es->zone, q->by, since, until, secs_floor(q->now), &sl,
		       &es->tariff, &r->periods, &r->n);
	for (i = 0; i < r->n; i++) {
		r->kwh += r->periods[i].kwh;
		r->missing += r->periods[i].missing;
		r->cost += r->periods[i].cost;
	}
	ret = 0;
out:
	free(cols);
	energy_slots_release(&sl);
	return ret;
}

void energy_report_release(struct energy_report *r)
{
	free(r->table);
	free(r->column);
	free(r->periods);
	memset(r, 0, sizeof(*r));
}

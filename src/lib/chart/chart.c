#include "chart/chart.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "chart/series.h"
#include "rollup/retention.h"
#include "base/timefmt.h"
#include "base/xalloc.h"

/* Enough deltas for a good median; more only cost memory. */
#define MAX_DELTAS 65536

static int name_has(const char *name, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = name; *p; p++)
		if (!strncasecmp(p, word, n))
			return 1;
	return 0;
}

const char *chart_unit(const struct config *cfg, const char *table,
		       const char *column)
{
	static const struct {
		const char *word, *unit;
	} guess[] = {
		{ "kwh", "kWh" }, { "watt", "W" },  { "temp", "°C" },
		{ "humid", "%" },  { "volt", "V" },  { "amp", "A" },
		{ "pressure", "hPa" }, { "lux", "lx" }, { "co2", "ppm" },
	};
	size_t i;

	if (cfg) {
		char key[256];
		const char *v;

		if ((size_t)snprintf(key, sizeof(key), "%s.%s", table, column) <
			    sizeof(key) &&
		    (v = config_get(cfg, "units", key)))
			return v;
	}
	for (i = 0; i < sizeof(guess) / sizeof(guess[0]); i++)
		if (name_has(column, guess[i].word))
			return guess[i].unit;
	return "";
}

void chart_release(struct chart *c)
{
	size_t i;

	free(c->title);
	for (i = 0; i < c->nseries; i++) {
		free(c->series[i].name);
		free(c->series[i].cols);
	}
	free(c->series);
	for (i = 0; i < c->nlanes; i++) {
		free(c->lanes[i].label);
		free(c->lanes[i].counts);
	}
	free(c->lanes);
	free(c->bins);
	free(c->latest_label);
	memset(c, 0, sizeof(*c));
}

static int is_number(struct store_stmt *st, int i, double *v)
{
	switch (store_column_type(st, i)) {
	case STORE_INT:
		*v = (double)store_column_int(st, i);
		return 1;
	case STORE_REAL:
		*v = store_column_real(st, i);
		return 1;
	default:
		return 0;
	}
}

/* Every row of the window into the columns (short windows). */
static int load_raw(struct chart *c, struct store *s,
		    const struct schema *schema, const char *table,
		    const struct chart_opts *o, const int *idx,
		    struct hearth_err *err)
{
	struct series_window w = SERIES_WINDOW_INIT;
	struct store_stmt *st = NULL;
	int64_t *deltas = xmalloc(MAX_DELTAS * sizeof(*deltas)), prev = 0;
	size_t nd = 0, i;
	int ti, rc, ret = -1;

	w.since = o->t0;
	w.until = o->t1;
	w.eq = o->eq;
	w.neq = o->neq;
	if (series_select(s, schema, table, o->time_col, &w, &st, &ti, err) < 0)
		goto out;
	while ((rc = store_step(st, err)) == 1) {
		int64_t t;
		long col;
		double v;

		if (series_time_value(st, ti, &t) < 0)
			continue;
		col = bucket_col(&c->grid, t);
		if (col < 0)
			continue;
		if (c->rows && t > prev && nd < MAX_DELTAS)
			deltas[nd++] = t - prev;
		prev = t;
		c->rows++;
		for (i = 0; i < c->nseries; i++)
			if (is_number(st, idx[i], &v))
				bucket_add(&c->series[i].cols[col], t, v);
	}
	if (rc < 0)
		goto out;
	c->gap = bucket_gap_threshold(bucket_median(deltas, nd));
	ret = 0;
out:
	store_finalize(st);
	free(deltas);
	return ret;
}

/* newest[i] gets the start of series i's newest bucket holding a value
 * of it, INT64_MIN when none does. */
static int load_rollup(struct chart *c, struct store *s,
		       const struct schema_table *t, const struct chart_opts *o,
		       int64_t *newest, struct hearth_err *err)
{
	const char **names = xcalloc(c->nseries + 1, sizeof(*names));
	int64_t width = rollup_width(c->level), prev_b = INT64_MIN;
	int64_t *iv = xmalloc(MAX_DELTAS * sizeof(*iv));
	struct store_stmt *st = NULL;
	size_t i, niv = 0;
	int rc, ret = -1;

	for (i = 0; i < c->nseries; i++)
		names[i] = c->series[i].name;
	if (rollup_select(s, t->name, c->level, names, c->nseries, o->t0,
			  o->t1, &st, err) < 0)
		goto out;
	for (i = 0; i < c->nseries; i++)
		newest[i] = INT64_MIN;
	while ((rc = store_step(st, err)) == 1) {
		int64_t b = store_column_int(st, 0) * US_PER_SEC, maxn = 0;
		long col = bucket_col(&c->grid, b < o->t0 ? o->t0 : b);

		if (col < 0)
			continue;
		c->rows++;
		for (i = 0; i < c->nseries; i++) {
			int k = 1 + 4 * (int)i;
			double mn, mx, sum;
			int64_t n = store_column_int(st, k + 3);

			if (n <= 0 || !is_number(st, k, &mn) ||
			    !is_number(st, k + 1, &mx) ||
			    !is_number(st, k + 2, &sum))
				continue;
			if (n > maxn)
				maxn = n;
			newest[i] = b;
			bucket_add_agg(&c->series[i].cols[col], b, b + width,
				       mn, mx, sum, (uint32_t)n);
		}
		/* The readings' interval: from how many fit in a bucket, or,
		 * for sparse readings (one per bucket), from the distance to
		 * the previous bucket. */
		if (maxn > 1 && niv < MAX_DELTAS)
			iv[niv++] = width / maxn;
		else if (maxn == 1 && prev_b != INT64_MIN && niv < MAX_DELTAS)
			iv[niv++] = b - prev_b;
		if (maxn > 0)
			prev_b = b;
	}
	if (rc < 0)
		goto out;
	c->gap = bucket_gap_threshold(bucket_median(iv, niv));
	ret = 0;
out:
	store_finalize(st);
	free(names);
	free(iv);
	return ret;
}

/* Raw columns hold the newest value of each series already. */
static void latest_from_columns(struct chart *c)
{
	size_t i, j;

	for (i = 0; i < c->nseries; i++) {
		struct chart_series *cs = &c->series[i];

		for (j = c->grid.ncols; j-- > 0;)
			if (cs->cols[j].n) {
				cs->has_latest = 1;
				cs->latest = cs->cols[j].last;
				cs->latest_t = cs->cols[j].t_last;
				break;
			}
	}
}

/* v[i] is among v[0..i-1]. */
static int seen_before(const int64_t *v, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (v[j] == v[i])
			return 1;
	return 0;
}

/* Rollup columns hold means: read the exact newest values from the rows
 * of the bucket starting at b, for the series whose newest bucket it is
 * (newest[i] == b): a small range, cheap with the time index. */
static int load_latest(struct chart *c, struct store *s,
		       const struct schema *schema, const char *table,
		       const struct chart_opts *o, const int *idx,
		       const int64_t *newest, int64_t b,
		       struct hearth_err *err)
{
	struct series_window w = SERIES_WINDOW_INIT;
	struct store_stmt *st = NULL;
	int64_t end = b + rollup_width(c->level) - 1;
	int ti, rc, ret = -1;
	size_t i;

	w.since = b > o->t0 ? b : o->t0;
	w.until = end < o->t1 ? end : o->t1;
	if (series_select(s, schema, table, o->time_col, &w, &st, &ti, err) < 0)
		return -1;
	while ((rc = store_step(st, err)) == 1) {
		int64_t t;
		double v;

		if (series_time_value(st, ti, &t) < 0)
			continue;
		for (i = 0; i < c->nseries; i++)
			if (newest[i] == b && is_number(st, idx[i], &v) &&
			    (!c->series[i].has_latest ||
			     t >= c->series[i].latest_t)) {
				c->series[i].has_latest = 1;
				c->series[i].latest = v;
				c->series[i].latest_t = t;
			}
	}
	if (rc < 0)
		goto out;
	ret = 0;
out:
	store_finalize(st);
	return ret;
}

static struct chart_lane *lane_for(struct chart *c, const char *label,
				   size_t len)
{
	size_t i;

	for (i = 0; i < c->nlanes; i++)
		if (strlen(c->lanes[i].label) == len &&
		    !memcmp(c->lanes[i].label, label, len))
			return &c->lanes[i];
	if (c->nlanes == CHART_MAX_LANES) /* the last lane takes the rest */
		return &c->lanes[c->nlanes - 1];
	c->lanes = xreallocarray(c->lanes, c->nlanes + 1, sizeof(*c->lanes));
	c->lanes[c->nlanes].label =
		xstrndup(c->nlanes == CHART_MAX_LANES - 1 ? "(others)" : label,
			 c->nlanes == CHART_MAX_LANES - 1 ? 8 : len);
	c->lanes[c->nlanes].counts = xcalloc(c->grid.ncols, sizeof(uint32_t));
	c->lanes[c->nlanes].total = 0;
	return &c->lanes[c->nlanes++];
}

static int load_events(struct chart *c, struct store *s,
		       const struct schema *schema, const char *table,
		       const struct chart_opts *o, int label_idx,
		       struct hearth_err *err)
{
	struct series_window w = SERIES_WINDOW_INIT;
	struct store_stmt *st = NULL;
	int64_t span = o->t1 - o->t0, hour = 3600 * US_PER_SEC;
	time_t t0s = (time_t)(o->t0 / US_PER_SEC);
	struct tm tm;
	int ti, rc, ret = -1;

	/* Per hour while that stays readable, else per day, else per week;
	 * bins start at a local hour or midnight. */
	c->bin_width = span <= 8 * 24 * hour ? hour
		       : span <= 400 * 24 * hour ? 24 * hour
						 : 7 * 24 * hour;
	localtime_r(&t0s, &tm);
	c->bin_t0 = o->t0 + tm.tm_gmtoff * US_PER_SEC;
	c->bin_t0 -= ((c->bin_t0 % c->bin_width) + c->bin_width) % c->bin_width;
	c->bin_t0 -= tm.tm_gmtoff * US_PER_SEC;
	c->nbins = (size_t)((o->t1 - c->bin_t0) / c->bin_width + 1);
	c->bins = xcalloc(c->nbins, sizeof(*c->bins));

	w.since = o->t0;
	w.until = o->t1;
	w.eq = o->eq;
	w.neq = o->neq;
	if (series_select(s, schema, table, o->time_col, &w, &st, &ti, err) < 0)
		goto out;
	while ((rc = store_step(st, err)) == 1) {
		struct chart_lane *ln;
		const char *label = c->title;
		size_t len = strlen(label);
		int64_t t, bin;
		long col;

		if (series_time_value(st, ti, &t) < 0 ||
		    (col = bucket_col(&c->grid, t)) < 0)
			continue;
		if (label_idx >= 0 &&
		    store_column_type(st, label_idx) != STORE_NULL)
			label = store_column_text(st, label_idx, &len);
		ln = lane_for(c, label ? label : "", label ? len : 0);
		if (!c->latest_label || t >= c->latest_t) {
			free(c->latest_label);
			c->latest_label = xstrndup(label ? label : "",
						   label ? len : 0);
			c->latest_t = t;
		}
		ln->counts[col]++;
		ln->total++;
		c->rows++;
		bin = (t - c->bin_t0) / c->bin_width;
		if (bin >= 0 && (size_t)bin < c->nbins)
			c->bins[bin]++;
	}
	if (rc < 0)
		goto out;
	ret = 0;
out:
	store_finalize(st);
	return ret;
}

/* The table's name, and what a filtered chart shows of it:
 * "cpu (host=pi, cpu=cpu-total)". */
static char *chart_title(const char *table, const struct chart_opts *o)
{
	struct buf b = BUF_INIT;
	size_t i;

	buf_addstr(&b, table);
	for (i = 0; i < o->neq; i++)
		buf_addf(&b, "%s%s=%s", i ? ", " : " (", o->eq[i].col,
			 o->eq[i].val);
	if (o->neq)
		buf_addch(&b, ')');
	return buf_detach(&b, NULL);
}

int chart_load(struct chart *c, struct store *s, const struct schema *schema,
	       const char *table, const struct chart_opts *opts,
	       struct hearth_err *err)
{
	const struct schema_table *t = schema_find_table(schema, table);
	const struct schema_column *tc;
	struct chart_opts oo = *opts, *o = &oo;
	int *idx = NULL, label_idx = -1, ret = -1;
	int64_t *newest = NULL;
	size_t i;

	if (!o->time_col && o->cfg)
		o->time_col = config_get(o->cfg, "time_columns", table);

	if (!t || t->internal)
		return err_set(err, "unknown table '%s'", table);
	tc = schema_time_column(t, o->time_col);
	if (!tc)
		return err_set(err, "table %s has no time column", t->name);
	if (o->t1 <= o->t0 || !o->ncols)
		return err_set(err, "chart of %s: empty time window", t->name);
	c->title = chart_title(t->name, o);
	c->grid.t0 = o->t0;
	c->grid.t1 = o->t1;
	c->grid.ncols = o->ncols;
	c->gap = INT64_MAX;
	idx = xcalloc(t->ncols + 1, sizeof(*idx));
	for (i = 0; i < t->ncols; i++) {
		struct chart_series *cs;

		if (label_idx < 0 && &t->cols[i] != tc &&
		    schema_affinity(t->cols[i].type) == AFF_TEXT)
			label_idx = (int)i;
		if (!rollup_is_value_col(t, tc, i))
			continue;
		c->series = xreallocarray(c->series, c->nseries + 1,
					  sizeof(*c->series));
		cs = &c->series[c->nseries];
		memset(cs, 0, sizeof(*cs));
		cs->name = xstrdup(t->cols[i].name);
		cs->unit = chart_unit(o->cfg, t->name, cs->name);
		cs->cols = xcalloc(o->ncols, sizeof(*cs->cols));
		idx[c->nseries++] = (int)i;
	}

	if (!c->nseries) {
		c->kind = CHART_EVENTS;
		if (load_events(c, s, schema, t->name, o, label_idx, err) < 0)
			goto out;
	} else {
		enum rollup_level lv = rollup_choose((o->t1 - o->t0) /
						     (int64_t)o->ncols);
		struct hearth_err ignore;
		int64_t kept;

		/* Before a table's kept_from ([retention]) only the rollups
		 * hold the time: a window short enough for rows draws the
		 * minutes instead of nothing. */
		if (lv == ROLLUP_RAW &&
		    retention_kept_from(s, t->name, &kept, &ignore) == 1 &&
		    o->t0 < kept)
			lv = ROLLUP_MINUTE;

		/* Rows other programs inserted since the last fold are
		 * folded first; when that cannot be done (a read-only
		 * database, say), the chart reads rows. */
		if (!o->raw && !o->neq && lv != ROLLUP_RAW &&
		    rollup_ready(schema, t, tc, lv) &&
		    rollup_refresh(s, schema, t->name, &ignore) == 0)
			c->level = lv;
		if (c->level == ROLLUP_RAW) {
			if (load_raw(c, s, schema, t->name, o, idx, err) < 0)
				goto out;
			latest_from_columns(c);
		} else {
			newest = xcalloc(c->nseries + 1, sizeof(*newest));
			if (load_rollup(c, s, t, o, newest, err) < 0)
				goto out;
			/* A series that stopped earlier than the others
			 * has its newest value in a bucket of its own. */
			for (i = 0; i < c->nseries; i++)
				if (newest[i] != INT64_MIN &&
				    !seen_before(newest, i) &&
				    load_latest(c, s, schema, t->name, o, idx,
						newest, newest[i], err) < 0)
					goto out;
		}
	}
	ret = 0;
out:
	if (ret < 0)
		err_prefix(err, "chart of %s", t->name);
	free(idx);
	free(newest);
	return ret;
}

int chart_window(const char *since, const char *until, int64_t now,
		 int64_t *t0, int64_t *t1, struct hearth_err *err)
{
	if (!since || !*since)
		since = "-24h";
	if (!until || !*until)
		until = "now";
	if (timefmt_parse(since, now, TIMEFMT_LOCAL, t0, err) < 0 ||
	    timefmt_parse(until, now, TIMEFMT_LOCAL, t1, err) < 0)
		return -1;
	if (*t1 <= *t0)
		return err_set(err, "empty time window: '%s' is not before '%s'",
			       since, until);
	return 0;
}

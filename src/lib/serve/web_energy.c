#include "serve/web_energy.h"

#include <stdio.h>
#include <string.h>

#include "base/timefmt.h"
#include "chart/svg.h"
#include "energy/energy.h"

#define BAR_W 900
#define BAR_H 200
#define BAR_LEFT 56
#define BAR_BOTTOM 24

/* Periods a window is shown in: hours up to two days, days up to about
 * three months, months beyond. */
static enum energy_by by_for(int64_t t0, int64_t t1)
{
	int64_t span = (t1 - t0) / US_PER_SEC;

	if (span <= 2 * 86400)
		return ENERGY_BY_HOUR;
	return span <= 93 * 86400 ? ENERGY_BY_DAY : ENERGY_BY_MONTH;
}

/* The short label under a bar: the time of an hour, the date of a day. */
static const char *short_label(const struct energy_period *p, enum energy_by by)
{
	size_t n = strlen(p->label);

	if (by == ENERGY_BY_HOUR && n > 11)
		return p->label + 11;
	if (by == ENERGY_BY_DAY && n > 5)
		return p->label + 5;
	return p->label;
}

static void amount(struct buf *b, const struct energy_report *r, double kwh,
		   double cost)
{
	buf_addf(b, "%.2f kWh", kwh);
	if (r->has_cost) {
		buf_addstr(b, " (");
		svg_escape(b, r->es->currency);
		buf_addf(b, "%.2f)", cost);
	}
}

static void bars(struct buf *b, const struct energy_report *r)
{
	double max = 0, bw;
	size_t i, every;

	for (i = 0; i < r->n; i++)
		if (r->periods[i].kwh > max)
			max = r->periods[i].kwh;
	if (max <= 0)
		max = 1;
	bw = (double)(BAR_W - BAR_LEFT) / (double)(r->n ? r->n : 1);
	every = r->n > 16 ? (r->n + 15) / 16 : 1;
	buf_addf(b, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\">"
		 "<text x=\"4\" y=\"14\" font-size=\"12\">%.2f kWh</text>"
		 "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#888\"/>",
		 BAR_W, BAR_H + BAR_BOTTOM, max, BAR_LEFT, BAR_H, BAR_W, BAR_H);
	for (i = 0; i < r->n; i++) {
		const struct energy_period *p = &r->periods[i];
		double h = p->kwh / max * (BAR_H - 20), x = BAR_LEFT + bw * (double)i;

		buf_addf(b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
			 "height=\"%.1f\" fill=\"%s\"><title>", x + bw * 0.1,
			 BAR_H - h, bw * 0.8, h,
			 p->missing > 0 ? "#9ecae1" : "#1f77b4");
		svg_escape(b, p->label);
		buf_addstr(b, ": ");
		amount(b, r, p->kwh, p->cost);
		if (p->missing > 0)
			buf_addf(b, ", %.1f h without readings", p->missing / 3600);
		buf_addstr(b, "</title></rect>");
		if (i % every == 0) {
			buf_addf(b, "<text x=\"%.1f\" y=\"%d\" font-size=\"11\" "
				 "text-anchor=\"middle\">", x + bw / 2,
				 BAR_H + 16);
			svg_escape(b, short_label(p, r->by));
			buf_addstr(b, "</text>");
		}
	}
	buf_addstr(b, "</svg>");
}

/* Readings covered some of the report's time. */
static int has_data(const struct energy_report *r, int64_t now)
{
	double elapsed = 0;
	size_t i;

	for (i = 0; i < r->n; i++) {
		int64_t end = r->periods[i].end < now ? r->periods[i].end : now;
		if (end > r->periods[i].start)
			elapsed += (double)(end - r->periods[i].start);
	}
	return r->kwh > 0 || elapsed > r->missing + 0.5;
}

/* One column's panel: the window's bars, then the figures. */
static int panel(struct buf *b, struct store *s, const struct schema *sc,
		 const struct config *cfg, const struct energy_settings *es,
		 const char *table, const char *col, int64_t t0, int64_t t1,
		 struct hearth_err *err)
{
	static const struct { const char *name; enum energy_by by; } sums[] = {
		{ "today so far", ENERGY_BY_DAY },
		{ "this month", ENERGY_BY_MONTH },
	};
	struct energy_query q = { table, col, ENERGY_BY_DAY, 0, 0, 0, 0, 0 };
	struct energy_report r = ENERGY_REPORT_INIT;
	const int64_t year = 365 * 86400 * US_PER_SEC;
	size_t i;
	int ret = -1;

	q.now = timefmt_now();
	q.by = by_for(t0, t1);
	q.since = t0;
	q.until = t1;
	if (energy_report(s, sc, cfg, es, &q, &r, err) < 0)
		goto out;
	bars(b, &r);
	buf_addstr(b, "<p class=\"meta\">window ");
	amount(b, &r, r.kwh, r.cost);
	energy_report_release(&r);
	/* The slots are current now: the rest only read them. */
	q.no_update = 1;
	for (i = 0; i < sizeof(sums) / sizeof(sums[0]); i++) {
		q.by = sums[i].by;
		q.since = q.until = q.now;
		if (energy_report(s, sc, cfg, es, &q, &r, err) < 0)
			goto out;
		buf_addf(b, ", %s ", sums[i].name);
		amount(b, &r, r.kwh, r.cost);
		energy_report_release(&r);
	}
	q.by = by_for(t0, t1);
	q.since = t0 - year;
	q.until = t1 - year;
	if (energy_report(s, sc, cfg, es, &q, &r, err) < 0)
		goto out;
	if (has_data(&r, q.now / US_PER_SEC)) {
		buf_addstr(b, ", the same window a year before ");
		amount(b, &r, r.kwh, r.cost);
	}
	buf_addstr(b, "</p>");
	ret = 0;
out:
	energy_report_release(&r);
	return ret;
}

void web_energy_panels(struct buf *b, struct store *s, const struct schema *sc,
		       const struct config *cfg, int64_t t0, int64_t t1)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct energy_settings es;
	struct buf key = BUF_INIT;
	size_t i, j;
	int loaded = 0, bad = 0;

	memset(&es, 0, sizeof(es));
	for (i = 0; i < sc->ntables; i++) {
		const struct schema_table *t = &sc->tables[i];

		if (!schema_is_series(t))
			continue;
		for (j = 0; j < t->ncols; j++) {
			buf_reset(&key);
			buf_addf(&key, "%s.%s", t->name, t->cols[j].name);
			if (!config_get(cfg, "energy", key.s))
				continue;
			buf_addstr(b, "<section class=\"table energy\"><h2>Energy: ");
			svg_escape(b, key.s);
			buf_addstr(b, "</h2>");
			if (!loaded++)
				bad = energy_settings_load(&es, cfg, &err) < 0;
			if (bad ||
			    panel(b, s, sc, cfg, &es, t->name, t->cols[j].name,
				  t0, t1, &err) < 0) {
				buf_addstr(b, "<p class=\"err\">");
				svg_escape(b, err.msg);
				buf_addstr(b, "</p>");
			}
			buf_addstr(b, "</section>");
		}
	}
	energy_settings_release(&es);
	buf_release(&key);
}

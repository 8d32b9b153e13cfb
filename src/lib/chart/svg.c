#include "chart/svg.h"

#include <math.h>
#include <string.h>

#include "chart/axis.h"
#include "base/timefmt.h"

#define DEF_W 800
#define DEF_H 320
#define MAX_TICKS 64

static const char *const palette[] = { "#d62728", "#1f77b4", "#2ca02c",
				       "#ff7f0e", "#9467bd", "#8c564b" };
#define NPAL (sizeof(palette) / sizeof(palette[0]))

void svg_escape(struct buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': buf_addstr(b, "&lt;"); break;
		case '>': buf_addstr(b, "&gt;"); break;
		case '&': buf_addstr(b, "&amp;"); break;
		case '"': buf_addstr(b, "&quot;"); break;
		case '\'': buf_addstr(b, "&#39;"); break;
		default:
			/* Control characters are not allowed in XML. */
			if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n')
				buf_addch(b, '?');
			else
				buf_addch(b, *s);
		}
	}
}

size_t svg_columns(int width)
{
	if (width <= 0)
		width = DEF_W;
	return width > SVG_LEFT + SVG_RIGHT + 10
		       ? (size_t)(width - SVG_LEFT - SVG_RIGHT)
		       : 10;
}

struct yaxis {
	const char *unit;
	int used;
	double lo, hi;          /* data range */
	double alo, ahi;        /* axis range */
	struct axis_tick ticks[16];
	size_t nticks;
};

struct frame {
	int w, h, plot_h;
	size_t ncols;
	const struct chart *c;
};

static double ymap(const struct frame *f, const struct yaxis *a, double v)
{
	return SVG_TOP + f->plot_h - (v - a->alo) / (a->ahi - a->alo) * f->plot_h;
}

static void time_axis(struct buf *b, const struct frame *f, int y0, int y1)
{
	struct axis_tick ticks[MAX_TICKS];
	const struct bucket_grid *g = &f->c->grid;
	size_t n, i;
	int maxt = (int)f->ncols / 70;

	n = axis_time_ticks(g->t0, g->t1, maxt < 2 ? 2 : maxt, ticks,
			    MAX_TICKS);
	buf_addf(b, "<g class=\"x-axis\"><line x1=\"%d\" y1=\"%d\" x2=\"%zu\" "
		 "y2=\"%d\" stroke=\"#333\"/>", SVG_LEFT, y1,
		 SVG_LEFT + f->ncols, y1);
	for (i = 0; i < n; i++) {
		double x = SVG_LEFT + (double)(ticks[i].t - g->t0) /
					      (double)(g->t1 - g->t0) *
					      (double)f->ncols;
		buf_addf(b, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" "
			 "x2=\"%.1f\" y2=\"%d\" stroke=\"#%s\"/>",
			 x, y0, x, y1 + 4, ticks[i].major ? "bbb" : "e4e4e4");
		buf_addf(b, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\"%s>",
			 x, y1 + 16, ticks[i].major ? " font-weight=\"bold\"" : "");
		svg_escape(b, ticks[i].label);
		buf_addstr(b, "</text>");
	}
	buf_addstr(b, "</g>");
}

static void draw_yaxis(struct buf *b, const struct frame *f,
		       const struct yaxis *a, int right)
{
	int x = right ? SVG_LEFT + (int)f->ncols : SVG_LEFT;
	size_t i;

	buf_addstr(b, "<g class=\"y-axis\" data-unit=\"");
	svg_escape(b, a->unit);
	buf_addf(b, "\"><line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" "
		 "stroke=\"#333\"/>", x, SVG_TOP, x, SVG_TOP + f->plot_h);
	for (i = 0; i < a->nticks; i++) {
		double y = ymap(f, a, a->ticks[i].v);
		if (!right)
			buf_addf(b, "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" "
				 "x2=\"%zu\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>",
				 SVG_LEFT, y, SVG_LEFT + f->ncols, y);
		buf_addf(b, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"%s\">",
			 right ? x + 5 : x - 5, y + 4, right ? "start" : "end");
		svg_escape(b, a->ticks[i].label);
		buf_addstr(b, "</text>");
	}
	buf_addf(b, "<text class=\"unit\" x=\"%d\" y=\"%d\" text-anchor=\"%s\" "
		 "font-weight=\"bold\">", right ? x + 5 : x - 5, SVG_TOP - 8,
		 right ? "start" : "end");
	svg_escape(b, a->unit);
	buf_addstr(b, "</text></g>");
}

/* One stretch of columns [from, to] without a gap: band, then line. */
static void draw_stretch(struct buf *b, const struct frame *f,
			 const struct yaxis *a, const struct bucket *cols,
			 size_t from, size_t to, const char *color)
{
	size_t i, npts = 0;
	int band = 0;
	double lasty = NAN;

	for (i = from; i <= to; i++)
		if (cols[i].n > 1 && cols[i].max > cols[i].min)
			band = 1;
	if (band) {
		buf_addf(b, "<polygon class=\"band\" fill=\"%s\" "
			 "fill-opacity=\"0.25\" points=\"", color);
		for (i = from; i <= to; i++)
			if (cols[i].n)
				buf_addf(b, "%zu,%.1f ", SVG_LEFT + i,
					 ymap(f, a, cols[i].max));
		for (i = to + 1; i-- > from;)
			if (cols[i].n)
				buf_addf(b, "%zu,%.1f ", SVG_LEFT + i,
					 ymap(f, a, cols[i].min));
		buf_truncate(b, b->len - 1);
		buf_addstr(b, "\"/>");
	}
	buf_addf(b, "<polyline class=\"line\" fill=\"none\" stroke=\"%s\" "
		 "stroke-width=\"1.5\" stroke-linecap=\"round\" "
		 "stroke-linejoin=\"round\" points=\"", color);
	for (i = from; i <= to; i++) {
		double y1, y2;

		if (!cols[i].n)
			continue;
		y1 = round(ymap(f, a, cols[i].first) * 10) / 10;
		y2 = round(ymap(f, a, cols[i].last) * 10) / 10;
		buf_addf(b, "%zu,%.1f ", SVG_LEFT + i, y1);
		npts++;
		if (y2 != y1) {
			buf_addf(b, "%zu,%.1f ", SVG_LEFT + i, y2);
			npts++;
		}
		lasty = y2;
	}
	/* A lone point still shows, as a round-capped dot. */
	if (npts == 1)
		buf_addf(b, "%zu,%.1f ", SVG_LEFT + to, lasty);
	buf_truncate(b, b->len - 1);
	buf_addstr(b, "\"/>");
}

static void draw_series(struct buf *b, const struct frame *f,
			const struct chart_series *s, const struct yaxis *a,
			const char *color)
{
	size_t i, from = 0, prev = 0;
	int have = 0;

	buf_addstr(b, "<g class=\"series\" data-name=\"");
	svg_escape(b, s->name);
	buf_addstr(b, "\">");
	for (i = 0; i < f->ncols; i++) {
		if (!s->cols[i].n)
			continue;
		if (have && bucket_is_gap(&s->cols[prev], &s->cols[i],
					  f->c->gap)) {
			draw_stretch(b, f, a, s->cols, from, prev, color);
			from = i;
		}
		if (!have)
			from = i;
		have = 1;
		prev = i;
	}
	if (have) {
		draw_stretch(b, f, a, s->cols, from, prev, color);
		buf_addf(b, "<circle class=\"latest\" cx=\"%zu\" cy=\"%.1f\" "
			 "r=\"3\" fill=\"%s\"/>", SVG_LEFT + prev,
			 ymap(f, a, s->cols[prev].last), color);
	}
	buf_addstr(b, "</g>");
}

static void latest_text(struct buf *b, const struct chart *c, int has,
			double v, const char *unit, int64_t t)
{
	char val[48], when[48];
	const char *fmt = c->grid.t1 - c->grid.t0 > 86400 * US_PER_SEC
				  ? "%d %b %H:%M" : "%H:%M";

	if (!has) {
		buf_addstr(b, ": no data");
		return;
	}
	/* Two decimals at most, trailing zeros dropped: 9, 20.5, 1234. */
	axis_format_value(v, fabs(v) >= 100 ? 1 : 0.01, val, sizeof(val));
	if (strchr(val, '.')) {
		size_t n = strlen(val);
		while (val[n - 1] == '0')
			val[--n] = '\0';
		if (val[n - 1] == '.')
			val[--n] = '\0';
	}
	buf_addf(b, ": %s", val);
	if (*unit) {
		buf_addch(b, ' ');
		svg_escape(b, unit);
	}
	buf_addf(b, " at %s", axis_format_time(t, fmt, when, sizeof(when)));
}

static void draw_lines(struct buf *b, struct frame *f)
{
	const struct chart *c = f->c;
	struct yaxis ax[2];
	size_t i, j, any = 0;
	int x = SVG_LEFT;

	memset(ax, 0, sizeof(ax));
	for (i = 0; i < c->nseries; i++) {
		const struct chart_series *s = &c->series[i];
		int k = (ax[0].unit && strcmp(ax[0].unit, s->unit)) ? 1 : 0;

		if (!ax[k].unit)
			ax[k].unit = s->unit;
		for (j = 0; j < f->ncols; j++) {
			if (!s->cols[j].n)
				continue;
			if (!ax[k].used || s->cols[j].min < ax[k].lo)
				ax[k].lo = s->cols[j].min;
			if (!ax[k].used || s->cols[j].max > ax[k].hi)
				ax[k].hi = s->cols[j].max;
			ax[k].used = 1;
			any++;
		}
	}
	for (i = 0; i < 2; i++) {
		if (!ax[i].unit)
			continue;
		if (!ax[i].used)
			ax[i].lo = 0, ax[i].hi = 1;
		ax[i].nticks = axis_value_ticks(ax[i].lo, ax[i].hi,
						f->plot_h / 40 + 1, ax[i].ticks,
						16, &ax[i].alo, &ax[i].ahi);
	}
	time_axis(b, f, SVG_TOP, SVG_TOP + f->plot_h);
	for (i = 0; i < 2; i++)
		if (ax[i].unit)
			draw_yaxis(b, f, &ax[i], (int)i);
	for (i = 0; i < c->nseries; i++) {
		int k = (ax[0].unit && strcmp(ax[0].unit, c->series[i].unit));
		draw_series(b, f, &c->series[i], &ax[k], palette[i % NPAL]);
	}
	/* Legend along the top: swatch, name (unit): latest value. */
	buf_addstr(b, "<g class=\"legend\">");
	for (i = 0; i < c->nseries; i++) {
		const struct chart_series *s = &c->series[i];
		struct buf t = BUF_INIT;

		buf_addf(b, "<rect x=\"%d\" y=\"8\" width=\"10\" height=\"10\" "
			 "fill=\"%s\"/><text x=\"%d\" y=\"17\">", x,
			 palette[i % NPAL], x + 14);
		svg_escape(&t, s->name);
		if (*s->unit) {
			buf_addstr(&t, " (");
			svg_escape(&t, s->unit);
			buf_addch(&t, ')');
		}
		latest_text(&t, c, s->has_latest, s->latest, s->unit,
			    s->latest_t);
		buf_add(b, t.s, t.len);
		buf_addstr(b, "</text>");
		x += 24 + (int)t.len * 6;
		buf_release(&t);
	}
	buf_addstr(b, "</g>");
	if (!any)
		buf_addf(b, "<text class=\"nodata\" x=\"%zu\" y=\"%d\" "
			 "text-anchor=\"middle\" fill=\"#888\">no data in this "
			 "window</text>", SVG_LEFT + f->ncols / 2,
			 SVG_TOP + f->plot_h / 2);
}

static void draw_events(struct buf *b, struct frame *f)
{
	const struct chart *c = f->c;
	const struct bucket_grid *g = &c->grid;
	int lanes_h = (int)(c->nlanes ? c->nlanes : 1) * SVG_LANE;
	int bar_top = SVG_TOP + lanes_h + 12, bar_bot = bar_top + SVG_BARS;
	struct yaxis a;
	uint32_t maxc = 0;
	size_t i, j;

	memset(&a, 0, sizeof(a));
	for (i = 0; i < c->nbins; i++)
		if (c->bins[i] > maxc)
			maxc = c->bins[i];
	time_axis(b, f, SVG_TOP, bar_bot);
	for (i = 0; i < c->nlanes; i++) {
		const struct chart_lane *ln = &c->lanes[i];
		int y = SVG_TOP + (int)i * SVG_LANE;

		buf_addstr(b, "<g class=\"lane\" data-label=\"");
		svg_escape(b, ln->label);
		buf_addf(b, "\" data-count=\"%llu\">", (unsigned long long)ln->total);
		buf_addf(b, "<rect x=\"%d\" y=\"%d\" width=\"%zu\" height=\"%d\" "
			 "fill=\"%s\"/>", SVG_LEFT, y, f->ncols, SVG_LANE - 2,
			 i % 2 ? "#f4f4f4" : "#eaeaea");
		for (j = 0; j < f->ncols; j++)
			if (ln->counts[j])
				buf_addf(b, "<rect class=\"event\" x=\"%zu\" "
					 "y=\"%d\" width=\"1\" height=\"%d\" "
					 "fill=\"%s\"/>", SVG_LEFT + j, y + 2,
					 SVG_LANE - 6, palette[i % NPAL]);
		buf_addf(b, "<text x=\"%d\" y=\"%d\" stroke=\"#fff\" "
			 "stroke-width=\"3\" paint-order=\"stroke\">",
			 SVG_LEFT + 4, y + 12);
		svg_escape(b, ln->label);
		buf_addf(b, " (%llu)</text></g>", (unsigned long long)ln->total);
	}
	/* Count bars share the time axis; the y axis counts events. */
	f->plot_h = SVG_BARS;
	a.unit = c->bin_width >= 7 * 86400 * US_PER_SEC ? "per week"
		 : c->bin_width >= 86400 * US_PER_SEC   ? "per day"
							 : "per hour";
	/* Whole counts: never more ticks than there are counts. */
	a.nticks = axis_value_ticks(0, maxc ? maxc : 1, maxc < 4 ? (int)maxc + 1
							       : 5,
				    a.ticks, 16, &a.alo, &a.ahi);
	buf_addstr(b, "<g class=\"bars\">");
	for (i = 0; i < c->nbins; i++) {
		int64_t s = c->bin_t0 + (int64_t)i * c->bin_width;
		int64_t e = s + c->bin_width;
		double x0, x1, h;

		if (!c->bins[i])
			continue;
		s = s < g->t0 ? g->t0 : s;
		e = e > g->t1 ? g->t1 : e;
		x0 = SVG_LEFT + (double)(s - g->t0) / (double)(g->t1 - g->t0) *
					(double)f->ncols;
		x1 = SVG_LEFT + (double)(e - g->t0) / (double)(g->t1 - g->t0) *
					(double)f->ncols;
		h = c->bins[i] / a.ahi * SVG_BARS;
		buf_addf(b, "<rect class=\"bar\" data-count=\"%u\" x=\"%.1f\" "
			 "y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			 "fill=\"#1f77b4\"/>", c->bins[i], x0, bar_bot - h,
			 x1 - x0 > 1.5 ? x1 - x0 - 0.5 : 1, h);
	}
	buf_addstr(b, "</g>");
	{
		/* ymap measures from SVG_TOP: shift the axis down. */
		buf_addf(b, "<g transform=\"translate(0,%d)\">",
			 bar_top - SVG_TOP);
		draw_yaxis(b, f, &a, 0);
		buf_addstr(b, "</g>");
	}
	buf_addstr(b, "<g class=\"legend\"><text x=\"56\" y=\"17\">");
	svg_escape(b, c->title);
	buf_addf(b, ": %lld events", (long long)c->rows);
	if (c->latest_label) {
		char when[48];
		buf_addstr(b, ", latest ");
		svg_escape(b, c->latest_label);
		buf_addf(b, " at %s", axis_format_time(c->latest_t,
						       "%d %b %H:%M", when,
						       sizeof(when)));
	}
	buf_addstr(b, "</text></g>");
	if (!c->rows)
		buf_addf(b, "<text class=\"nodata\" x=\"%zu\" y=\"%d\" "
			 "text-anchor=\"middle\" fill=\"#888\">no events in "
			 "this window</text>", SVG_LEFT + f->ncols / 2,
			 SVG_TOP + 12);
}

void svg_draw(struct buf *out, const struct chart *c, const struct svg_opts *o)
{
	struct frame f;

	f.c = c;
	f.w = o && o->width > 0 ? o->width : DEF_W;
	f.h = o && o->height > 0 ? o->height : DEF_H;
	f.ncols = c->grid.ncols;
	if (c->kind == CHART_EVENTS)
		f.h = SVG_TOP + (int)(c->nlanes ? c->nlanes : 1) * SVG_LANE +
		      12 + SVG_BARS + SVG_BOTTOM;
	f.plot_h = f.h - SVG_TOP - SVG_BOTTOM;
	if (f.plot_h < 20)
		f.plot_h = 20;
	if (o && o->standalone)
		buf_addstr(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	buf_addf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" "
		 "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
		 "data-source=\"%s\" data-cols=\"%zu\" data-rows=\"%lld\" "
		 "font-family=\"sans-serif\" font-size=\"11\" role=\"img\" "
		 "aria-label=\"", f.w, f.h, f.w, f.h,
		 c->kind == CHART_EVENTS ? "events" : rollup_level_name(c->level),
		 f.ncols, (long long)c->rows);
	svg_escape(out, c->title ? c->title : "");
	buf_addstr(out, "\"><title>");
	svg_escape(out, c->title ? c->title : "");
	buf_addf(out, "</title><rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>",
		 f.w, f.h);
	if (c->kind == CHART_EVENTS)
		draw_events(out, &f);
	else
		draw_lines(out, &f);
	buf_addstr(out, "</svg>\n");
}

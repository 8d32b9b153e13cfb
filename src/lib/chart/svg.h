/*
 * svg.h - a chart (chart.h) drawn as SVG.
 *
 * Pure drawing: everything comes from the struct chart, so tests build
 * one by hand.  The plot has one pixel column per chart column: column i
 * is drawn at x = SVG_LEFT + i.  Lines: a polyline per stretch of data
 * (a gap ends it), one or two points per column (its first and last
 * value), a min-max band polygon where columns hold several readings,
 * a left y axis for the first unit and a right one for the second, a
 * legend with each series' latest value.  Events: one lane per label
 * with a mark per column holding events, and a bar chart of counts per
 * bin.  Time labels are local time.  Element classes (series, line,
 * band, latest, lane, event, bar, x-axis, y-axis, legend, nodata) are
 * for styling and tests.
 */
#ifndef HEARTH_SVG_H
#define HEARTH_SVG_H

#include <stddef.h>

#include "base/buf.h"
#include "chart/chart.h"

#define SVG_LEFT 56
#define SVG_RIGHT 56
#define SVG_TOP 30
#define SVG_BOTTOM 24
#define SVG_LANE 18  /* height of an event lane */
#define SVG_BARS 100 /* height of the event count bars */

struct svg_opts {
	int width, height;   /* whole picture; 0: 800 x 320 */
	int standalone;      /* an .svg file: XML declaration, xmlns */
};

/* svg_columns: the chart columns (plot width in pixels) of a picture
 * width (0: the default). */
size_t svg_columns(int width);

/* svg_draw: append the chart to out. */
void svg_draw(struct buf *out, const struct chart *c,
	      const struct svg_opts *o);

/* svg_escape: append s escaped for XML/HTML text and attribute values. */
void svg_escape(struct buf *out, const char *s);

#endif

#include <stdlib.h>

#include "chart/svg.h"
#include "t.h"
#include "base/timefmt.h"
#include "base/xalloc.h"

#define S US_PER_SEC

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay++;
	}
	return n;
}

/* A chart of one column per second from t = 0, with nseries series. */
static void make_chart(struct chart *c, size_t nseries, const char *const *units)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	c->title = xstrdup("readings");
	c->grid.t0 = 0;
	c->grid.ncols = svg_columns(0);
	c->grid.t1 = (int64_t)c->grid.ncols * S;
	c->gap = INT64_MAX;
	c->series = xcalloc(nseries, sizeof(*c->series));
	c->nseries = nseries;
	for (i = 0; i < nseries; i++) {
		c->series[i].name = xasprintf("s%zu", i);
		c->series[i].unit = units[i];
		c->series[i].cols = xcalloc(c->grid.ncols, sizeof(struct bucket));
	}
}

static void put(struct chart *c, size_t s, size_t col, double v)
{
	bucket_add(&c->series[s].cols[col], (int64_t)col * S, v);
}

static void test_known_points(void)
{
	static const char *const u[] = { "W" };
	struct chart c;
	struct buf b = BUF_INIT;
	size_t i;

	make_chart(&c, 1, u);
	for (i = 0; i < 10; i++)
		put(&c, 0, i, (double)i);
	c.series[0].has_latest = 1;
	c.series[0].latest = 9;
	c.series[0].latest_t = 9 * S;
	svg_draw(&b, &c, NULL);
	/* Axis 0..10 over a 266 px plot from y = 30: y = 296 - v * 26.6. */
	CHECK(strstr(b.s, "points=\"56,296.0 57,269.4 58,242.8 59,216.2 60,189.6 "
			  "61,163.0 62,136.4 63,109.8 64,83.2 65,56.6\"") != NULL);
	CHECK_INT(count(b.s, "class=\"line\""), 1);
	CHECK_INT(count(b.s, "class=\"band\""), 0);
	CHECK_INT(count(b.s, "class=\"y-axis\""), 1);
	CHECK(strstr(b.s, "data-unit=\"W\"") != NULL);
	CHECK(strstr(b.s, "class=\"latest\" cx=\"65\" cy=\"56.6\"") != NULL);
	CHECK(strstr(b.s, "nodata") == NULL);
	CHECK(strstr(b.s, ">s0 (W): 9 W at ") != NULL);
	chart_release(&c);
	buf_release(&b);
}

static void test_gap_splits_line(void)
{
	static const char *const u[] = { "W" };
	struct chart c;
	struct buf b = BUF_INIT;
	size_t i;

	make_chart(&c, 1, u);
	c.gap = 3 * S;
	for (i = 0; i < 20; i++)
		if (i < 5 || i > 12)
			put(&c, 0, i, 1);
	svg_draw(&b, &c, NULL);
	CHECK_INT(count(b.s, "class=\"line\""), 2);
	chart_release(&c);
	buf_release(&b);
}

static void test_band_when_columns_hold_many(void)
{
	static const char *const u[] = { "W" };
	struct chart c;
	struct buf b = BUF_INIT;

	make_chart(&c, 1, u);
	put(&c, 0, 0, 0);
	bucket_add(&c.series[0].cols[1], 1 * S, 10);
	bucket_add(&c.series[0].cols[1], 1 * S + 1, 0);
	bucket_add(&c.series[0].cols[1], 1 * S + 2, 5);
	put(&c, 0, 2, 10);
	svg_draw(&b, &c, NULL);
	CHECK_INT(count(b.s, "class=\"band\""), 1);
	/* Max forward, then min back: 0, 10, 10 | 0, 0, 0 on a 0..10 axis. */
	CHECK(strstr(b.s, "points=\"56,296.0 57,30.0 58,30.0 58,30.0 57,296.0 "
			  "56,296.0\"") != NULL);
	/* Column 57: first (10) then last (5). */
	CHECK(strstr(b.s, "56,296.0 57,30.0 57,163.0 58,30.0\"") != NULL);
	chart_release(&c);
	buf_release(&b);
}

static void test_points_per_column_bounded(void)
{
	static const char *const u[] = { "W" };
	struct chart c;
	struct buf b = BUF_INIT;
	size_t i, j, commas;

	make_chart(&c, 1, u);
	srand(1);
	for (i = 0; i < c.grid.ncols; i++)
		for (j = 0; j < 50; j++)
			bucket_add(&c.series[0].cols[i], (int64_t)i * S + (int64_t)j,
				   rand() % 1000 - 500);
	svg_draw(&b, &c, NULL);
	commas = count(strstr(b.s, "class=\"series\""), ",");
	CHECK(commas <= 4 * c.grid.ncols + 1);
	CHECK(b.len < 100 * 1024);
	chart_release(&c);
	buf_release(&b);
}

static void test_two_units_two_axes(void)
{
	static const char *const u2[] = { "W", "°C" }, *const u1[] = { "W", "W" };
	struct chart c;
	struct buf b = BUF_INIT;

	make_chart(&c, 2, u2);
	put(&c, 0, 0, 2000);
	put(&c, 1, 0, -3.5);
	svg_draw(&b, &c, NULL);
	CHECK_INT(count(b.s, "class=\"y-axis\""), 2);
	CHECK(strstr(b.s, "data-unit=\"°C\"") != NULL);
	chart_release(&c);
	buf_reset(&b);
	make_chart(&c, 2, u1);
	put(&c, 0, 0, 1);
	svg_draw(&b, &c, NULL);
	CHECK_INT(count(b.s, "class=\"y-axis\""), 1);
	chart_release(&c);
	buf_release(&b);
}

static void test_no_data(void)
{
	static const char *const u[] = { "" };
	struct chart c;
	struct buf b = BUF_INIT;

	make_chart(&c, 1, u);
	svg_draw(&b, &c, NULL);
	CHECK(strstr(b.s, "class=\"nodata\"") != NULL);
	CHECK_INT(count(b.s, "class=\"line\""), 0);
	CHECK(strstr(b.s, ">s0: no data<") != NULL);
	chart_release(&c);
	buf_release(&b);
}

static void test_escaping(void)
{
	static const char *const u[] = { "<u>" };
	struct chart c;
	struct buf b = BUF_INIT;

	make_chart(&c, 1, u);
	free(c.title);
	c.title = xstrdup("t<&>\"'");
	free(c.series[0].name);
	c.series[0].name = xstrdup("a<b&\"c'");
	put(&c, 0, 3, 1);
	svg_draw(&b, &c, NULL);
	CHECK(strstr(b.s, "<title>t&lt;&amp;&gt;&quot;&#39;</title>") != NULL);
	CHECK(strstr(b.s, "data-name=\"a&lt;b&amp;&quot;c&#39;\"") != NULL);
	CHECK(strstr(b.s, "data-unit=\"&lt;u&gt;\"") != NULL);
	CHECK(strstr(b.s, "a<b") == NULL && strstr(b.s, "<u>") == NULL);
	chart_release(&c);
	buf_release(&b);
}

static void test_events(void)
{
	struct chart c;
	struct buf b = BUF_INIT;

	memset(&c, 0, sizeof(c));
	c.kind = CHART_EVENTS;
	c.title = xstrdup("motion");
	c.grid.ncols = svg_columns(0);
	c.grid.t1 = 4 * 3600 * S;
	c.bin_width = 3600 * S;
	c.nbins = 4;
	c.bins = xcalloc(4, sizeof(uint32_t));
	c.bins[1] = 3;
	c.bins[3] = 1;
	c.lanes = xcalloc(2, sizeof(*c.lanes));
	c.nlanes = 2;
	c.lanes[0].label = xstrdup("Hall <1>");
	c.lanes[0].counts = xcalloc(c.grid.ncols, sizeof(uint32_t));
	c.lanes[0].counts[200] = 3;
	c.lanes[0].total = 3;
	c.lanes[1].label = xstrdup("Porch");
	c.lanes[1].counts = xcalloc(c.grid.ncols, sizeof(uint32_t));
	c.lanes[1].counts[650] = 1;
	c.lanes[1].total = 1;
	c.rows = 4;
	svg_draw(&b, &c, NULL);
	CHECK(strstr(b.s, "data-source=\"events\"") != NULL);
	CHECK_INT(count(b.s, "class=\"lane\""), 2);
	CHECK(strstr(b.s, "data-label=\"Hall &lt;1&gt;\" data-count=\"3\"") != NULL);
	CHECK(strstr(b.s, "class=\"event\" x=\"256\"") != NULL);
	CHECK_INT(count(b.s, "class=\"bar\""), 2);
	/* Hour 1 of 4 over 688 px: x = 56 + 172, full height 100 (3 of 3). */
	CHECK(strstr(b.s, "data-count=\"3\" x=\"228.0\"") != NULL);
	CHECK(strstr(b.s, "height=\"100.0\"") != NULL);
	chart_release(&c);
	buf_release(&b);
}

T_MAIN("svg", T(test_known_points), T(test_gap_splits_line),
       T(test_band_when_columns_hold_many), T(test_points_per_column_bounded),
       T(test_two_units_two_axes), T(test_no_data), T(test_escaping),
       T(test_events))

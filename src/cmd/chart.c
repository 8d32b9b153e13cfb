/*
 * cmd/chart.c - hearth chart: one table's time window as SVG.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chart/axis.h"
#include "chart/chart.h"
#include "cmd/cmd.h"
#include "chart/svg.h"
#include "base/timefmt.h"
#include "base/xalloc.h"

static const char chart_help[] =
	"Draws TABLE's time window as the SVG chart the dashboard shows.\n\n"
	"  --since T      start of the window (default -24h)\n"
	"  --until T      end of the window (default now)\n"
	"  -o FILE        write to FILE (default: standard output)\n"
	"  --width N      picture width in pixels (default 800)\n"
	"  --height N     picture height in pixels (default 320)\n"
	"  --raw          read every row, never the rollup tables\n"
	"  --where COL=V  only the rows whose COL is V (one sensor, one host),\n"
	"                 read as rows; again for more, all of which must hold\n\n"
	"Times: now, -15m, -24h, -7d, ISO 8601 (local time), unix seconds.\n"
	"Labels are in local time: TZ, or [serve] timezone in hearth.ini.\n";

static int parse_px(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || end == s || v < 200 || v > 4000)
		return -1;
	*out = (int)v;
	return 0;
}

int cmd_chart(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "width", required_argument, NULL, 'W' },
		{ "height", required_argument, NULL, 'H' },
		{ "raw", no_argument, NULL, 'r' },
		{ "where", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hearth_err err = HEARTH_ERR_INIT;
	struct chart ch = CHART_INIT;
	struct chart_opts co;
	struct svg_opts so = { 0, 0, 1 };
	struct schema schema = SCHEMA_INIT;
	struct buf out = BUF_INIT;
	const char *since = NULL, *until = NULL, *file = NULL;
	struct series_eq *eq = xcalloc((size_t)argc + 1, sizeof(*eq));
	FILE *f = NULL;
	int c, ret = 1;

	memset(&co, 0, sizeof(co));
	co.eq = eq;
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 's': since = optarg; break;
		case 'u': until = optarg; break;
		case 'o': file = optarg; break;
		case 'r': co.raw = 1; break;
		case 'w':
			if (cmd_where(optarg, &eq[co.neq++]) < 0) {
				ret = cmd_usage(ctx, "--where wants COLUMN=VALUE");
				goto out;
			}
			break;
		case 'W':
			if (parse_px(optarg, &so.width) < 0) {
				ret = cmd_usage(ctx, "--width wants 200 to 4000");
				goto out;
			}
			break;
		case 'H':
			if (parse_px(optarg, &so.height) < 0) {
				ret = cmd_usage(ctx, "--height wants 200 to 4000");
				goto out;
			}
			break;
		case 'h': ret = cmd_help(ctx, chart_help); goto out;
		default: ret = cmd_usage(ctx, NULL); goto out;
		}
	}
	if (argc - optind != 1) {
		ret = cmd_usage(ctx, "one TABLE expected");
		goto out;
	}
	axis_set_timezone(config_get(ctx->cfg, "serve", "timezone"));
	if (chart_window(since, until, timefmt_now(), &co.t0, &co.t1, &err) < 0) {
		cmd_error("%s", err.msg);
		goto out;
	}
	co.ncols = svg_columns(so.width);
	co.cfg = ctx->cfg;
	if (store_introspect(ctx->store, &schema, &err) < 0 ||
	    chart_load(&ch, ctx->store, &schema, argv[optind], &co, &err) < 0) {
		cmd_error("%s", err.msg);
		goto out;
	}
	svg_draw(&out, &ch, &so);
	f = file ? fopen(file, "w") : stdout;
	if (!f) {
		cmd_error("%s: %s", file, strerror(errno));
		goto out;
	}
	if (fwrite(out.s, 1, out.len, f) != out.len || fflush(f) != 0) {
		cmd_error("%s: write failed", file ? file : "standard output");
		goto out;
	}
	ret = 0;
out:
	if (f && f != stdout && fclose(f) != 0 && !ret)
		ret = cmd_error("%s: write failed", file);
	chart_release(&ch);
	schema_release(&schema);
	buf_release(&out);
	free(eq);
	return ret;
}

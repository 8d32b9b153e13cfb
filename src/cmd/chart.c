/*
 * cmd/chart.c - hearth chart (one table as SVG) and hearth rollup (the
 * aggregates that keep long charts fast).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "chart/axis.h"
#include "chart/chart.h"
#include "cmd/cmd.h"
#include "rollup/rollup.h"
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

static const char rollup_help[] =
	"Per-minute and per-hour aggregates (min, max, sum, count) of each\n"
	"series table, kept current by triggers as rows are written; charts\n"
	"of long windows read them.\n\n"
	"  rollup rebuild [TABLE...]   recompute from every row (all series\n"
	"                              tables by default)\n"
	"  rollup drop [TABLE...]      remove them (charts read raw rows)\n";

int cmd_rollup(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct schema schema = SCHEMA_INIT;
	const char *verb;
	int i, ret = 1, all;
	size_t k;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return cmd_help(ctx, rollup_help);
	if (argc < 2)
		return cmd_usage(ctx, "rebuild or drop expected");
	verb = argv[1];
	if (strcmp(verb, "rebuild") && strcmp(verb, "drop"))
		return cmd_usage(ctx, "rebuild or drop expected");
	for (i = 2; i < argc; i++)
		if (argv[i][0] == '-')
			return cmd_usage(ctx, "unknown option");
	if (store_introspect(ctx->store, &schema, &err) < 0) {
		cmd_error("%s", err.msg);
		goto out;
	}
	all = argc == 2;
	for (i = 2; i < argc; i++) {
		const struct schema_table *t = schema_find_table(&schema, argv[i]);
		if (!t || !schema_is_series(t)) {
			cmd_error("'%s' is not a series table", argv[i]);
			goto out;
		}
	}
	for (k = 0; k < schema.ntables; k++) {
		const struct schema_table *t = &schema.tables[k];
		int64_t n = 0;
		int want = all && schema_is_series(t);

		for (i = 2; i < argc && !want; i++)
			want = !strcasecmp(argv[i], t->name);
		if (!want)
			continue;
		if (!strcmp(verb, "drop")) {
			if (rollup_drop(ctx->store, t->name, &err) < 0) {
				cmd_error("%s", err.msg);
				goto out;
			}
			printf("%s: rollups dropped\n", t->name);
			continue;
		}
		{
			const char *tcn = config_get(ctx->cfg, "time_columns",
						     t->name);
			const struct schema_column *tc =
				schema_time_column(t, tcn);
			size_t j;
			int values = 0;

			for (j = 0; tc && j < t->ncols; j++)
				values |= rollup_is_value_col(t, tc, j);
			if (!values) {
				printf("%s: no numeric columns, nothing to "
				       "roll up\n", t->name);
				continue;
			}
		}
		if (rollup_rebuild(ctx->store, &schema, t->name,
				   config_get(ctx->cfg, "time_columns", t->name),
				   &n, &err) < 0) {
			cmd_error("%s", err.msg);
			goto out;
		}
		printf("%s: %lld minute buckets\n", t->name, (long long)n);
	}
	ret = 0;
out:
	schema_release(&schema);
	return ret;
}

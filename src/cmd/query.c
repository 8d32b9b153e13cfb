/*
 * cmd/query.c - hearth query: the rows of a time window.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "chart/format.h"
#include "chart/series.h"
#include "base/timefmt.h"
#include "base/xalloc.h"

static const char query_help[] =
	"Prints the rows of a series table within a time window, oldest first.\n\n"
	"  --since T        from T (inclusive); default: all rows\n"
	"  --until T        to T (inclusive); default: no end\n"
	"  --last N         only the newest N rows of the window\n"
	"  --where COL=V    only rows whose COL is V (a sensor's, a host's);\n"
	"                   again for more, all of which must hold\n"
	"  --format F       table (default), csv or json\n\n"
	"T is now, -15m, -24h, -7d (s m h d w y), ISO 8601 (no zone = local\n"
	"time) or unix seconds.  Times print as UTC.\n";

int cmd_query(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "format", required_argument, NULL, 'f' },
		{ "last", required_argument, NULL, 'l' },
		{ "where", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hearth_err err = HEARTH_ERR_INIT;
	struct series_window w = SERIES_WINDOW_INIT;
	struct schema schema = SCHEMA_INIT;
	struct store_stmt *st = NULL;
	struct series_eq *eq = xcalloc((size_t)argc + 1, sizeof(*eq));
	enum format_kind kind = FORMAT_TABLE;
	int64_t now = timefmt_now(), n;
	int c, ret = 1, time_idx;
	const char *table;
	char *end;

	w.eq = eq;
	while ((c = getopt_long(argc, argv, "s:u:f:l:w:h", opts, NULL)) != -1) {
		switch (c) {
		case 's':
		case 'u':
			if (timefmt_parse(optarg, now, TIMEFMT_LOCAL,
					  c == 's' ? &w.since : &w.until, &err) < 0) {
				ret = cmd_usage(ctx, err.msg);
				goto out;
			}
			break;
		case 'f':
			if (format_parse(optarg, &kind) < 0) {
				ret = cmd_usage(ctx, "--format is table, csv or json");
				goto out;
			}
			break;
		case 'l':
			w.limit = strtoll(optarg, &end, 10);
			if (*end || w.limit <= 0) {
				ret = cmd_usage(ctx, "--last wants a positive number");
				goto out;
			}
			w.newest_first = 1;
			break;
		case 'w':
			if (cmd_where(optarg, &eq[w.neq++]) < 0) {
				ret = cmd_usage(ctx, "--where wants COLUMN=VALUE");
				goto out;
			}
			break;
		case 'h':
			ret = cmd_help(ctx, query_help);
			goto out;
		default:
			ret = cmd_usage(ctx, NULL);
			goto out;
		}
	}
	if (argc - optind != 1) {
		ret = cmd_usage(ctx, "want one table");
		goto out;
	}
	table = argv[optind];
	if (store_introspect(ctx->store, &schema, &err) < 0 ||
	    series_select(ctx->store, &schema, table,
			  config_get(ctx->cfg, "time_columns", table), &w, &st,
			  &time_idx, &err) < 0 ||
	    format_rows(st, time_idx, kind, &cmd_stdout_sink, &n, &err) < 0) {
		cmd_error("query %s: %s", table, err.msg);
		goto out;
	}
	if (fflush(stdout) != 0) {
		cmd_error("query %s: cannot write output", table);
		goto out;
	}
	ret = 0;
out:
	store_finalize(st);
	schema_release(&schema);
	free(eq);
	return ret;
}

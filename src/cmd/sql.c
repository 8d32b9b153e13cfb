/*
 * cmd/sql.c - hearth sql: one ad-hoc statement, its rows printed.
 */
#include <getopt.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "chart/format.h"

int cmd_sql(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store_stmt *st = NULL;
	enum format_kind kind = FORMAT_TABLE;
	int64_t n;
	int c, ret = 1;

	while ((c = getopt_long(argc, argv, "f:h", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (format_parse(optarg, &kind) < 0)
				return cmd_usage(ctx, "--format is table, csv or json");
			break;
		case 'h':
			return cmd_help(ctx,
					"Runs one SQL statement against the database "
					"and prints its rows (or how\nmany rows it "
					"changed).\n\n  --format F   table (default), "
					"csv or json\n");
		default:
			return cmd_usage(ctx, NULL);
		}
	}
	if (argc - optind != 1)
		return cmd_usage(ctx, "want one SQL statement (quote it)");
	if (store_prepare(ctx->store, argv[optind], &st, &err) < 0) {
		cmd_error("sql: %s", err.msg);
		goto out;
	}
	if (store_column_count(st) == 0) {
		if (store_step(st, &err) < 0) {
			cmd_error("sql: %s", err.msg);
			goto out;
		}
		printf("%lld rows changed\n", (long long)store_changes(ctx->store));
	} else if (format_rows(st, -1, kind, &cmd_stdout_sink, &n, &err) < 0) {
		cmd_error("sql: %s", err.msg);
		goto out;
	}
	ret = 0;
out:
	store_finalize(st);
	return ret;
}

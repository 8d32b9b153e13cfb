/*
 * cmd/add.c - hearth add TABLE col=val ...
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "rollup/rollup.h"
#include "base/timefmt.h"
#include "ingest/writer.h"
#include "base/xalloc.h"

int cmd_add(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hearth_err err = HEARTH_ERR_INIT;
	struct schema schema = SCHEMA_INIT;
	struct writer *w = NULL;
	const char *table, **cols = NULL, **vals = NULL;
	size_t *lens = NULL, n, i;
	int c, ret = 1;

	while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		if (c == 'h')
			return cmd_help(ctx,
					"Stores one row.  Values are converted by the "
					"column's type; an empty value\nis NULL.  The "
					"time column is now (UTC) unless given: any time "
					"hearth\nreads (ISO 8601, naive = UTC, or unix "
					"seconds).\nIn a table with a primary key or a "
					"unique index, a row whose key is\nstored already "
					"updates that row with the values it gives.\n"
					"\nexample: hearth add readings "
					"r_watts=512 r_temp=21.5\n");
		return cmd_usage(ctx, NULL);
	}
	if (argc - optind < 2)
		return cmd_usage(ctx, "want a table and at least one col=val");
	table = argv[optind++];
	n = (size_t)(argc - optind);
	cols = xcalloc(n, sizeof(*cols));
	vals = xcalloc(n, sizeof(*vals));
	lens = xcalloc(n, sizeof(*lens));
	for (i = 0; i < n; i++) {
		char *arg = argv[optind + (int)i], *eq = strchr(arg, '=');
		if (!eq || eq == arg) {
			ret = cmd_usage(ctx, "arguments after the table are col=val");
			goto out;
		}
		*eq = '\0';
		cols[i] = arg;
		vals[i] = eq + 1;
		lens[i] = strlen(eq + 1);
	}
	/* The row goes into the chart rollups in the same transaction. */
	if (store_introspect(ctx->store, &schema, &err) < 0 ||
	    writer_open(&w, ctx->store, &schema, table, cols, n,
			config_get(ctx->cfg, "time_columns", table), 1, &err) < 0 ||
	    store_begin_immediate(ctx->store, &err) < 0) {
		cmd_error("add to %s: %s", table, err.msg);
		goto out;
	}
	if (writer_add(w, vals, lens, timefmt_now(), &err) < 0 ||
	    rollup_catch_up(ctx->store, &schema, table, &err) < 0 ||
	    store_commit(ctx->store, &err) < 0) {
		store_rollback(ctx->store, NULL);
		cmd_error("add to %s: %s", table, err.msg);
		goto out;
	}
	ret = 0;
out:
	writer_free(w);
	schema_release(&schema);
	free(cols);
	free(vals);
	free(lens);
	return ret;
}

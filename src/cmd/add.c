/*
 * cmd/add.c - hearth add TABLE col=val ...
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "base/xalloc.h"
#include "ingest/batch.h"
#include "ingest/wtx.h"

int cmd_add(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hearth_err err = HEARTH_ERR_INIT;
	struct schema schema = SCHEMA_INIT;
	struct wtx tx = WTX_INIT;
	struct batch *b = NULL;
	struct batch_opts bo;
	struct ingest_row row;
	const char *table, **cols = NULL, **vals = NULL;
	size_t *lens = NULL, n, i;
	long bad;
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
	memset(&row, 0, sizeof(row));
	row.table = table;
	row.cols = cols;
	row.vals = vals;
	row.lens = lens;
	row.ncols = n;
	memset(&bo, 0, sizeof(bo));
	bo.s = ctx->store;
	bo.schema = &schema;
	bo.cfg = ctx->cfg;
	bo.table = table;
	bo.max_shapes = 1;
	b = batch_new(&bo);
	if (store_introspect(ctx->store, &schema, &err) < 0 ||
	    batch_add(b, &row, &err) < 0 ||
	    wtx_begin(&tx, ctx->store, &err) < 0 ||
	    wtx_put(&tx, b, &bad, &err) < 0 || wtx_commit(&tx, &err) < 0) {
		cmd_error("add to %s: %s", table, err.msg);
		goto out;
	}
	ret = 0;
out:
	wtx_release(&tx);
	batch_free(b);
	schema_release(&schema);
	free(cols);
	free(vals);
	free(lens);
	return ret;
}

/*
 * cmd/rollup.c - hearth rollup: rebuild or drop the aggregates that keep
 * long charts fast (rollup.h).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmd/cmd.h"
#include "rollup/rollup.h"

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

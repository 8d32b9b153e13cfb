/*
 * cmd/check.c - hearth check: does the database match schema.sql?
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "migrate/migration.h"

int cmd_check(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct migration_compare m;
	char *schema;
	int ret = 1, r;

	if ((r = cmd_simple_args(ctx, argc, argv,
				 "Exit 0 when the database matches schema.sql; "
				 "else list the differences\nand exit 1.\n",
				 NULL)))
		return r < 0 ? 0 : r;
	if (optind < argc)
		return cmd_usage(ctx, "too many arguments");
	schema = cmd_schema_file(ctx);
	if (migration_compare(ctx->store, schema, &m, &err) < 0) {
		cmd_error("%s", err.msg);
		free(schema);
		return 1;
	}
	if (m.diff.n) {
		printf("the database differs from %s:\n", schema);
		cmd_print_ops(&m.diff, stdout);
	} else {
		printf("the database matches %s\n", schema);
		ret = 0;
	}
	migration_compare_release(&m);
	free(schema);
	return ret;
}

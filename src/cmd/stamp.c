/*
 * cmd/stamp.c - hearth stamp REV: mark REV and its ancestors applied
 * without running their SQL.
 */
#include <getopt.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "migrate/migration.h"
#include "migrate/revision.h"

int cmd_stamp(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct revision_set rs = REVISION_SET_INIT;
	int ret = 1, r;

	if ((r = cmd_simple_args(ctx, argc, argv,
				 "Records REV (head, heads, base or a revision) "
				 "and its ancestors as applied,\nrunning no SQL: "
				 "for adopting an existing database.\n", NULL)))
		return r < 0 ? 0 : r;
	if (argc - optind != 1)
		return cmd_usage(ctx, "one revision wanted");
	if (cmd_load_revisions(ctx, &rs))
		return 1;
	/* Stamping a fresh database file is how a --sql run starts. */
	if (cmd_open_db(ctx, STORE_CREATE)) {
		revision_set_release(&rs);
		return 1;
	}
	if (migration_stamp(ctx->store, &rs, argv[optind], &err) < 0)
		cmd_error("%s", err.msg);
	else {
		printf("stamped %s\n", argv[optind]);
		ret = 0;
	}
	revision_set_release(&rs);
	return ret;
}

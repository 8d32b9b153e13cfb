/*
 * cmd/prune.c - hearth prune: [retention] applied once (for cron users;
 * hearth serve applies it every hour).
 */
#include <stdio.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "rollup/retention.h"

static const char help[] =
	"Applies [retention] once: for each TABLE = AGE there (such as\n"
	"readings = 400d), the table's raw rows older than AGE (from the\n"
	"hour) are deleted in small batches, each a short transaction, while\n"
	"its per-minute and per-hour rollups keep every row, so long charts\n"
	"still draw.  Then the freed pages go back to the file system\n"
	"(SQLite databases hearth created; an older file keeps them for new\n"
	"rows).  hearth serve does the same every hour.\n";

int cmd_prune(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct buf log = BUF_INIT;
	int rc;

	if ((rc = cmd_simple_args(ctx, argc, argv, help, NULL)) != 0)
		return rc < 0 ? 0 : rc;
	if (optind != argc)
		return cmd_usage(ctx, "no arguments expected");
	if ((rc = retention_check(ctx->cfg, &err)) != 0)
		return rc < 0 ? cmd_error("%s", err.msg)
			      : cmd_error("nothing to prune: [retention] sets no "
					  "table (e.g. readings = 400d)");
	if (cmd_open_db(ctx, 0))
		return 1;
	rc = retention_apply(ctx->store, ctx->cfg, 0, &log, &err);
	fputs(buf_cstr(&log), stdout);
	buf_release(&log);
	return rc < 0 ? cmd_error("%s", err.msg) : 0;
}

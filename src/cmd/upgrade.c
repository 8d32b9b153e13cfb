/*
 * cmd/upgrade.c - hearth upgrade: apply revisions up to a target (head by
 * default).  The work is shared with downgrade: cmd_move in cmd.c.
 */
#include "cmd/cmd.h"

int cmd_upgrade(struct cmd_ctx *ctx, int argc, char **argv)
{
	return cmd_move(ctx, argc, argv, 1);
}

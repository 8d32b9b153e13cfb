/*
 * cmd/downgrade.c - hearth downgrade: undo revisions down to a target
 * (-N, base or a revision).  The work is shared with upgrade: cmd_move in
 * cmd.c.
 */
#include "cmd/cmd.h"

int cmd_downgrade(struct cmd_ctx *ctx, int argc, char **argv)
{
	return cmd_move(ctx, argc, argv, 0);
}

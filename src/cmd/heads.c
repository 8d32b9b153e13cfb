/*
 * cmd/heads.c - hearth heads: the revisions nothing builds on yet.
 */
#include <stdio.h>
#include <stdlib.h>

#include "cmd/cmd.h"
#include "migrate/revision.h"

int cmd_heads(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct revision_set rs = REVISION_SET_INIT;
	size_t *heads = NULL, n, i;
	int r;

	if ((r = cmd_simple_args(ctx, argc, argv, "", NULL)))
		return r < 0 ? 0 : r;
	if (cmd_load_revisions(ctx, &rs))
		return 1;
	n = revision_heads(&rs, &heads);
	for (i = 0; i < n; i++)
		printf("%s (head) %s\n", rs.revs[heads[i]].id,
		       rs.revs[heads[i]].message);
	free(heads);
	revision_set_release(&rs);
	return 0;
}

/*
 * cmd/current.c - hearth current: the revision(s) the database is at.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "base/xalloc.h"
#include "migrate/migration.h"
#include "migrate/revision.h"

int cmd_current(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct revision_set rs = REVISION_SET_INIT;
	char *mark = NULL;
	size_t i, k, shown = 0;
	int ret = 1, r;

	if ((r = cmd_simple_args(ctx, argc, argv, "", NULL)))
		return r < 0 ? 0 : r;
	if (optind < argc)
		return cmd_usage(ctx, "too many arguments");
	if (cmd_load_revisions(ctx, &rs))
		return 1;
	mark = xcalloc(rs.n + 1, 1);
	if (migration_applied(ctx->store, &rs, mark, &err) < 0) {
		cmd_error("%s", err.msg);
		goto out;
	}
	/* Print the applied revisions no applied revision builds on. */
	for (i = 0; i < rs.n; i++) {
		int top = mark[i];
		for (k = i + 1; k < rs.n && top; k++) {
			size_t p;
			for (p = 0; p < rs.revs[k].nparents; p++)
				if (mark[k] && !strcmp(rs.revs[k].parents[p],
						       rs.revs[i].id))
					top = 0;
		}
		if (!top)
			continue;
		printf("%s%s %s\n", rs.revs[i].id,
		       revision_is_head(&rs, i) ? " (head)" : "",
		       rs.revs[i].message);
		shown++;
	}
	if (!shown)
		printf("<base> (no revision applied)\n");
	ret = 0;
out:
	free(mark);
	revision_set_release(&rs);
	return ret;
}

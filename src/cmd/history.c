/*
 * cmd/history.c - hearth history: the revision graph, newest first.
 */
#include <getopt.h>
#include <stdio.h>

#include "cmd/cmd.h"
#include "migrate/revision.h"

int cmd_history(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct revision_set rs = REVISION_SET_INIT;
	int verbose = 0, r;
	size_t i;

	if ((r = cmd_simple_args(ctx, argc, argv,
				 "  -v, --verbose   also the file, creation time "
				 "and checksum\n", &verbose)))
		return r < 0 ? 0 : r;
	if (optind < argc)
		return cmd_usage(ctx, "too many arguments");
	if (cmd_load_revisions(ctx, &rs))
		return 1;
	for (i = rs.n; i-- > 0;) {
		const struct revision *rv = &rs.revs[i];
		cmd_print_parents(rv);
		printf(" -> %s%s, %s\n", rv->id,
		       revision_is_head(&rs, i) ? " (head)" : "", rv->message);
		if (verbose)
			printf("    file: %s\n    created: %s\n    checksum: %s\n",
			       rv->path, rv->created, rv->checksum);
	}
	revision_set_release(&rs);
	return 0;
}

/*
 * cmd/merge.c - hearth merge: a revision whose parents are all the heads.
 */
#include <getopt.h>

#include "cmd/cmd.h"
#include "migrate/revision.h"

int cmd_merge(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "message", required_argument, NULL, 'm' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct revision_set rs = REVISION_SET_INIT;
	const char *msg = "merge heads";
	int c, ret;

	while ((c = getopt_long(argc, argv, "m:h", opts, NULL)) != -1) {
		if (c == 'm')
			msg = optarg;
		else if (c == 'h')
			return cmd_help(ctx, "  -m MSG   message (default: "
					     "\"merge heads\")\nWrites a revision "
					     "whose parents are all current heads.\n");
		else
			return cmd_usage(ctx, NULL);
	}
	if (optind < argc)
		return cmd_usage(ctx, "too many arguments");
	if (cmd_load_revisions(ctx, &rs))
		return 1;
	ret = cmd_write_revision(ctx, &rs, msg, "", "", 1);
	revision_set_release(&rs);
	return ret;
}

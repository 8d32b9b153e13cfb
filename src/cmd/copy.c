/*
 * cmd/copy.c - hearth copy FROM_URL TO_URL: a project into another
 * database (copy/copy.h).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "copy/copy.h"
#include "base/timefmt.h"

struct progress {
	int64_t start;
	int shown;
};

/* One line on stderr, redrawn in place; only on a terminal. */
static void show_progress(void *ctx, const char *table, int64_t rows,
			  int64_t total, int64_t all, int64_t all_total)
{
	struct progress *p = ctx;
	double secs = (double)(timefmt_now() - p->start) / US_PER_SEC;
	int pct = all_total ? (int)(100.0 * (double)all / (double)all_total)
			    : 100, i;
	char bar[31];

	for (i = 0; i < 30; i++)
		bar[i] = i < pct * 30 / 100 ? '#' : '.';
	bar[30] = '\0';
	p->shown = 1;
	fprintf(stderr, "\r[%s] %3d%% %s %lld/%lld rows, %.0f rows/s\033[K",
		bar, pct > 100 ? 100 : pct, table, (long long)rows,
		(long long)total, secs > 0 ? (double)all / secs : 0);
}

static const char help[] =
	"Copies a project into another database: its tables (made there in\n"
	"that database's dialect, types mapped), their rows and indexes, the\n"
	"kv store and the revision it is at.  The chart rollups are built\n"
	"anew from the rows.  SQLite to PostgreSQL is the common case; back\n"
	"works too.  Views and triggers move between databases of one kind.\n\n"
	"  --quiet    no progress bar and no summary\n\n"
	"TO_URL must be an empty database (a SQLite file is created).  The\n"
	"copy is one transaction there: a copy that fails leaves it empty.\n"
	"Each table's rows are counted on the target before it commits.\n";

/* A URL opened as [hearth] db would be: that database's password_file
 * for it, no other's. */
static int open_url(struct cmd_ctx *ctx, const char *url, int flags,
		    struct store **out, struct hearth_err *err)
{
	struct store_where w = STORE_WHERE_INIT, mine = STORE_WHERE_INIT;
	int ret;

	w.url = (char *)url;
	if (store_where_config(&mine, ctx->cfg) == 0 && mine.url &&
	    !strcmp(mine.url, url))
		w.password_file = mine.password_file;
	ret = store_open_at(out, &w, flags, err);
	store_where_release(&mine);
	return ret;
}

int cmd_copy(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hearth_err err = HEARTH_ERR_INIT;
	struct copy_result res = COPY_RESULT_INIT;
	struct copy_opts o = { ctx->cfg, NULL, NULL };
	struct progress prog = { 0, 0 };
	struct store *from = NULL, *to = NULL;
	int c, quiet = 0, ret = 1;

	while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
		switch (c) {
		case 'q':
			quiet = 1;
			break;
		case 'h':
			return cmd_help(ctx, help);
		default:
			return cmd_usage(ctx, NULL);
		}
	}
	if (argc - optind != 2)
		return cmd_usage(ctx, "want FROM_URL and TO_URL");
	if (open_url(ctx, argv[optind], STORE_READONLY, &from, &err) < 0 ||
	    open_url(ctx, argv[optind + 1], STORE_CREATE, &to, &err) < 0) {
		cmd_error("copy: %s", err.msg);
		goto out;
	}
	if (!quiet && isatty(2)) {
		prog.start = timefmt_now();
		o.progress = show_progress;
		o.progress_ctx = &prog;
	}
	if (copy_run(from, to, &o, &res, &err) < 0) {
		if (prog.shown)
			fputc('\n', stderr);
		cmd_error("copy: %s", err.msg);
		goto out;
	}
	if (prog.shown)
		fputc('\n', stderr);
	if (!quiet) {
		fprintf(stderr, "copied %lld table%s, %lld row%s, %lld kv key%s "
			"and %lld applied revision%s into %s\n",
			(long long)res.tables, res.tables == 1 ? "" : "s",
			(long long)res.rows, res.rows == 1 ? "" : "s",
			(long long)res.keys, res.keys == 1 ? "" : "s",
			(long long)res.revisions, res.revisions == 1 ? "" : "s",
			argv[optind + 1]);
		if (res.rollups.len)
			fprintf(stderr, "chart rollups built: %s\n",
				res.rollups.s);
		if (res.skipped.len)
			fprintf(stderr, "not copied (their SQL is %s's): %s\n",
				store_dialect(from), res.skipped.s);
	}
	ret = 0;
out:
	copy_result_release(&res);
	store_close(from);
	store_close(to);
	return ret;
}

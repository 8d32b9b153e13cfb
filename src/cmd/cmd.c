/*
 * cmd/cmd.c - what several commands share: talking to the user, opening
 * the database, and the steps the migration commands have in common.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "base/xalloc.h"
#include "chart/format.h"
#include "chart/series.h"
#include "migrate/migration.h"
#include "migrate/revision.h"
#include "rollup/rollup.h"

static const char *prog_name = "hearth";

int cmd_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int cmd_usage(const struct cmd_ctx *ctx, const char *detail)
{
	const struct cmd *c = ctx->cmd;

	if (detail)
		fprintf(stderr, "%s %s: %s\n", prog_name, ctx->name, detail);
	fprintf(stderr, "usage: %s %s\n", prog_name, c ? c->usage : ctx->name);
	return 2;
}

int cmd_help(const struct cmd_ctx *ctx, const char *options)
{
	const struct cmd *c = ctx->cmd;

	printf("usage: %s %s\n\n%s\n", prog_name, c ? c->usage : ctx->name,
	       c ? c->summary : "");
	if (options && *options)
		printf("\n%s", options);
	return 0;
}

void cmd_show_log(struct buf *log, const char *prefix)
{
	char *p = log->s, *nl;

	for (; p && *p && (nl = strchr(p, '\n')); p = nl + 1)
		fprintf(stderr, "hearth: %s%.*s\n", prefix, (int)(nl - p), p);
	buf_reset(log);
}

int cmd_open_db(struct cmd_ctx *ctx, int flags)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store_where w;
	int ret = 0;

	if (store_where_config(&w, ctx->cfg) > 0)
		return cmd_error("no database: set db in hearth.ini, HEARTH_DB "
				 "or --db (or run 'hearth init')");
	if (store_open_at(&ctx->store, &w, flags, &err) < 0)
		ret = cmd_error("%s", err.msg);
	store_where_release(&w);
	return ret;
}

const char *cmd_dialect(struct cmd_ctx *ctx)
{
	const char *url;

	if (ctx->store)
		return store_dialect(ctx->store);
	url = config_get(ctx->cfg, "hearth", "db");
	return store_url_dialect(url ? url : "");
}

int cmd_where(char *arg, struct series_eq *eq)
{
	char *sep = strchr(arg, '=');

	if (!sep || sep == arg)
		return -1;
	*sep = '\0';
	eq->col = arg;
	eq->val = sep + 1;
	return 0;
}

static int write_stdout(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	return fwrite(p, 1, n, stdout) == n ? 0 : -1;
}

const struct format_sink cmd_stdout_sink = { write_stdout, NULL };

int cmd_simple_args(struct cmd_ctx *ctx, int argc, char **argv,
		    const char *help, int *verbose)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		if (c == 'h') {
			cmd_help(ctx, help);
			return -1;
		}
		if (c == 'v' && verbose)
			*verbose = 1;
		else
			return cmd_usage(ctx, NULL);
	}
	return 0;
}

static char *migrations_dir(struct cmd_ctx *ctx)
{
	return config_path(ctx->cfg, "hearth", "migrations", "migrations");
}

char *cmd_schema_file(struct cmd_ctx *ctx)
{
	return config_path(ctx->cfg, "hearth", "schema", "schema.sql");
}

int cmd_load_revisions(struct cmd_ctx *ctx, struct revision_set *rs)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	char *dir = migrations_dir(ctx);
	int r = revision_load(rs, dir, &err);

	free(dir);
	return r < 0 ? cmd_error("%s", err.msg) : 0;
}

int cmd_write_revision(struct cmd_ctx *ctx, const struct revision_set *rs,
		       const char *msg, const char *up, const char *down,
		       int merge)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	size_t *heads = NULL, nheads = revision_heads(rs, &heads), i;
	char **parents = xcalloc(nheads + 1, sizeof(char *));
	char id[13], *dir = migrations_dir(ctx), *path = NULL;
	int ret = 1;

	if (nheads > 1 && !merge) {
		cmd_error("the migrations have %zu heads: run 'hearth merge' "
			  "first", nheads);
		goto out;
	}
	if (merge && nheads < 2) {
		cmd_error("nothing to merge: the migrations have %zu head%s",
			  nheads, nheads == 1 ? "" : "s");
		goto out;
	}
	for (i = 0; i < nheads; i++)
		parents[i] = rs->revs[heads[i]].id;
	if (revision_new_id(id, &err) < 0 ||
	    revision_write(dir, id, parents, nheads, msg, cmd_dialect(ctx), up,
			   down, &path, &err) < 0) {
		cmd_error("%s", err.msg);
		goto out;
	}
	printf("revision %s: %s\n", id, path);
	ret = 0;
out:
	free(heads);
	free(parents);
	free(dir);
	free(path);
	return ret;
}

void cmd_print_parents(const struct revision *r)
{
	size_t k;

	if (!r->nparents)
		fputs("<base>", stdout);
	for (k = 0; k < r->nparents; k++)
		printf("%s%s", k ? ", " : "", r->parents[k]);
}

void cmd_print_ops(const struct diff *d, FILE *f)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		fprintf(f, "  %s %s%s\n", diff_symbol(&d->ops[i]), d->ops[i].why,
			d->ops[i].loses_data ? "  [loses data]" : "");
}

static void progress(void *ctx, const char *verb, const struct revision *r)
{
	printf("%s ", verb);
	cmd_print_parents(r);
	printf(" %s %s: %s\n", !strcmp(verb, "upgrade") ? "->" : "<-", r->id,
	       r->message);
}

static const char move_help[] =
	"  --sql              print the SQL instead of running it\n"
	"  --allow-data-loss  run revisions that drop tables or columns holding\n"
	"                     rows, or narrow a column's type\n"
	"Targets: head (default for upgrade), heads, +N, -N, base, or a revision\n"
	"id or unique prefix of one.  Each revision runs in its own transaction.\n"
	"A revision that rebuilds a table or changes its numeric columns drops\n"
	"the table's chart rollups (said on stderr); hearth serve builds them\n"
	"again (a running one at once, else as it starts), or run\n"
	"hearth rollup rebuild TABLE.\n";

/* Tables whose chart rollups the revisions dropped (rollup_follow): say
 * so, and how to get them back sooner than the next start of the server.
 * Only a notice: the revisions are applied. */
static void say_dropped_rollups(struct store *s, const struct schema *before)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct schema after = SCHEMA_INIT;
	size_t i;

	if (store_introspect(s, &after, &err) < 0)
		return;
	for (i = 0; i < before->ntables; i++) {
		const char *name = before->tables[i].name;

		if (before->tables[i].internal ||
		    !rollup_exists(before, name) ||
		    !schema_find_table(&after, name) ||
		    rollup_exists(&after, name))
			continue;
		fprintf(stderr, "hearth: the chart rollups of %s were dropped "
			"(the change rebuilt the table or changed its "
			"columns): its charts read rows until hearth serve "
			"builds them again (a running one does at once, else "
			"as it starts), or run: hearth rollup rebuild %s\n",
			name, name);
	}
	schema_release(&after);
}

/* "-1" is a target, not an option, so arguments are read by hand. */
int cmd_move(struct cmd_ctx *ctx, int argc, char **argv, int up)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct revision_set rs = REVISION_SET_INIT;
	struct migration_opts o = { 0, NULL, progress, NULL };
	struct buf sql = BUF_INIT;
	struct schema before = SCHEMA_INIT;
	const char *target = up ? "head" : NULL;
	int i, n = 0, ret = 1, sql_only = 0, targets = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return cmd_help(ctx, move_help);
		else if (!strcmp(argv[i], "--sql"))
			sql_only = 1;
		else if (!strcmp(argv[i], "--allow-data-loss"))
			o.allow_data_loss = 1;
		else if (!strncmp(argv[i], "--", 2) ||
			 (argv[i][0] == '-' && !(argv[i][1] >= '0' &&
						 argv[i][1] <= '9')))
			return cmd_usage(ctx, "unknown option");
		else if (targets++)
			return cmd_usage(ctx, "one target at most");
		else
			target = argv[i];
	}
	if (!target)
		return cmd_usage(ctx, "say where to: -N, base or a revision");
	if (sql_only)
		o.sql_only = &sql;
	if (cmd_load_revisions(ctx, &rs))
		return 1;
	if (!ctx->store &&
	    cmd_open_db(ctx, sql_only ? STORE_READONLY : STORE_CREATE))
		goto out;
	if (!sql_only && store_introspect(ctx->store, &before, &err) < 0) {
		cmd_error("%s", err.msg);
		goto out;
	}
	if ((up ? migration_upgrade : migration_downgrade)(ctx->store, &rs,
							  target, &o, &n,
							  &err) < 0) {
		cmd_error("%s", err.msg);
		goto out;
	}
	if (!sql_only)
		say_dropped_rollups(ctx->store, &before);
	if (sql_only)
		fwrite(sql.s, 1, sql.len, stdout);
	else if (!n)
		printf("nothing to %s: the database is already at %s\n",
		       up ? "upgrade" : "downgrade", target);
	ret = 0;
out:
	buf_release(&sql);
	schema_release(&before);
	revision_set_release(&rs);
	return ret;
}

static const char *crash_at;

static void crash_step(const char *step)
{
	if (crash_at && !strcmp(crash_at, step))
		raise(SIGKILL);
}

void (*cmd_crash_hook(const char *env))(const char *step)
{
	crash_at = getenv(env);
	return crash_at ? crash_step : NULL;
}

void cmd_block_stop_signals(sigset_t *sigs)
{
	sigemptyset(sigs);
	sigaddset(sigs, SIGINT);
	sigaddset(sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
}

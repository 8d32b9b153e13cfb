/*
 * cmd/migrate.c - schema migrations: revision, upgrade, downgrade, current,
 * history, heads, merge, stamp, check.  Thin: the work is in
 * revision.h and migration.h.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "migrate/migration.h"
#include "migrate/revision.h"
#include "rollup/rollup.h"
#include "base/xalloc.h"

static char *migrations_dir(struct cmd_ctx *ctx)
{
	return config_path(ctx->cfg, "hearth", "migrations", "migrations");
}

static char *schema_file(struct cmd_ctx *ctx)
{
	return config_path(ctx->cfg, "hearth", "schema", "schema.sql");
}

static int load(struct cmd_ctx *ctx, struct revision_set *rs)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	char *dir = migrations_dir(ctx);
	int r = revision_load(rs, dir, &err);

	free(dir);
	return r < 0 ? cmd_error("%s", err.msg) : 0;
}

static void print_parents(const struct revision *r)
{
	size_t k;

	if (!r->nparents)
		fputs("<base>", stdout);
	for (k = 0; k < r->nparents; k++)
		printf("%s%s", k ? ", " : "", r->parents[k]);
}

static void print_ops(const struct diff *d, FILE *f)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		fprintf(f, "  %s %s%s\n", diff_symbol(&d->ops[i]), d->ops[i].why,
			d->ops[i].loses_data ? "  [loses data]" : "");
}

/* Write a revision whose parents are the current heads (all of them for a
 * merge). */
static int write_rev(struct cmd_ctx *ctx, const struct revision_set *rs,
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
	    revision_write(dir, id, parents, nheads, msg, up, down, &path,
			   &err) < 0) {
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

/* The database must be at the single head before a diff means anything. */
static int at_head(struct cmd_ctx *ctx, const struct revision_set *rs)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	char *mark = xcalloc(rs->n + 1, 1);
	size_t i;
	int ret = 1;

	if (migration_applied(ctx->store, rs, mark, &err) < 0) {
		cmd_error("%s", err.msg);
		goto out;
	}
	for (i = 0; i < rs->n; i++)
		if (!mark[i]) {
			cmd_error("the database is not at head (revision %s is "
				  "not applied): run 'hearth upgrade' first",
				  rs->revs[i].id);
			goto out;
		}
	ret = 0;
out:
	free(mark);
	return ret;
}

static const char revision_help[] =
	"  -m, --message MSG   what the revision does (required)\n"
	"  --autogenerate      fill up/down from the difference between\n"
	"                      schema.sql and the database (which must be at\n"
	"                      head); with no revisions yet, a baseline that\n"
	"                      creates all of schema.sql\n";

int cmd_revision(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "message", required_argument, NULL, 'm' },
		{ "autogenerate", no_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hearth_err err = HEARTH_ERR_INIT;
	struct revision_set rs = REVISION_SET_INIT;
	struct migration_compare m;
	struct buf up = BUF_INIT, down = BUF_INIT;
	const char *msg = NULL;
	char *schema = NULL;
	int c, autogen = 0, ret = 1, compared = 0;
	size_t i;

	while ((c = getopt_long(argc, argv, "m:h", opts, NULL)) != -1) {
		if (c == 'm')
			msg = optarg;
		else if (c == 'a')
			autogen = 1;
		else if (c == 'h')
			return cmd_help(ctx, revision_help);
		else
			return cmd_usage(ctx, NULL);
	}
	if (!msg)
		return cmd_usage(ctx, "-m MESSAGE is required");
	if (optind < argc)
		return cmd_usage(ctx, "too many arguments");
	if (load(ctx, &rs))
		return 1;
	if (autogen) {
		schema = schema_file(ctx);
		if (rs.n && (cmd_open_db(ctx, STORE_READONLY) || at_head(ctx, &rs)))
			goto out;
		if (migration_compare(rs.n ? ctx->store : NULL, schema, &m,
				      &err) < 0) {
			cmd_error("%s", err.msg);
			goto out;
		}
		compared = 1;
		if (!m.diff.n) {
			printf("no changes: %s matches the database; nothing "
			       "written\n", schema);
			ret = 0;
			goto out;
		}
		if (migration_render(&m, "sqlite", &up, &down, &err) < 0) {
			cmd_error("%s", err.msg);
			goto out;
		}
	}
	if (write_rev(ctx, &rs, msg, buf_cstr(&up), buf_cstr(&down), 0))
		goto out;
	if (compared) {
		print_ops(&m.diff, stdout);
		for (i = 0; i < m.diff.n; i++) {
			const struct diff_op *op = &m.diff.ops[i];
			if (op->kind == DIFF_RENAME_COLUMN)
				fprintf(stderr, "warning: %s\n", op->why);
			else if (op->loses_data)
				fprintf(stderr, "warning: loses data: %s\n",
					op->why);
		}
		if (!rs.n)
			printf("baseline: for a database that already has these "
			       "tables, run 'hearth stamp head'\n");
	}
	ret = 0;
out:
	if (compared)
		migration_compare_release(&m);
	buf_release(&up);
	buf_release(&down);
	revision_set_release(&rs);
	free(schema);
	return ret;
}

static void progress(void *ctx, const char *verb, const struct revision *r)
{
	printf("%s ", verb);
	print_parents(r);
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

/* upgrade and downgrade: "-1" is a target, not an option, so arguments are
 * read by hand. */
static int move(struct cmd_ctx *ctx, int argc, char **argv, int up)
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
	if (load(ctx, &rs))
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

int cmd_upgrade(struct cmd_ctx *ctx, int argc, char **argv)
{
	return move(ctx, argc, argv, 1);
}

int cmd_downgrade(struct cmd_ctx *ctx, int argc, char **argv)
{
	return move(ctx, argc, argv, 0);
}

/* Options of the commands without their own: --help (returns -1 after
 * printing it), --verbose where verbose is given; 2 on a usage error. */
static int simple_args(struct cmd_ctx *ctx, int argc, char **argv,
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

int cmd_current(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct revision_set rs = REVISION_SET_INIT;
	char *mark = NULL;
	size_t i, k, shown = 0;
	int ret = 1, r;

	if ((r = simple_args(ctx, argc, argv, "", NULL)))
		return r < 0 ? 0 : r;
	if (optind < argc)
		return cmd_usage(ctx, "too many arguments");
	if (load(ctx, &rs))
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

int cmd_history(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct revision_set rs = REVISION_SET_INIT;
	int verbose = 0, r;
	size_t i;

	if ((r = simple_args(ctx, argc, argv,
			     "  -v, --verbose   also the file, creation time "
			     "and checksum\n", &verbose)))
		return r < 0 ? 0 : r;
	if (optind < argc)
		return cmd_usage(ctx, "too many arguments");
	if (load(ctx, &rs))
		return 1;
	for (i = rs.n; i-- > 0;) {
		const struct revision *rv = &rs.revs[i];
		print_parents(rv);
		printf(" -> %s%s, %s\n", rv->id,
		       revision_is_head(&rs, i) ? " (head)" : "", rv->message);
		if (verbose)
			printf("    file: %s\n    created: %s\n    checksum: %s\n",
			       rv->path, rv->created, rv->checksum);
	}
	revision_set_release(&rs);
	return 0;
}

int cmd_heads(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct revision_set rs = REVISION_SET_INIT;
	size_t *heads = NULL, n, i;
	int r;

	if ((r = simple_args(ctx, argc, argv, "", NULL)))
		return r < 0 ? 0 : r;
	if (load(ctx, &rs))
		return 1;
	n = revision_heads(&rs, &heads);
	for (i = 0; i < n; i++)
		printf("%s (head) %s\n", rs.revs[heads[i]].id,
		       rs.revs[heads[i]].message);
	free(heads);
	revision_set_release(&rs);
	return 0;
}

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
	if (load(ctx, &rs))
		return 1;
	ret = write_rev(ctx, &rs, msg, "", "", 1);
	revision_set_release(&rs);
	return ret;
}

int cmd_stamp(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct revision_set rs = REVISION_SET_INIT;
	int ret = 1, r;

	if ((r = simple_args(ctx, argc, argv,
			     "Records REV (head, heads, base or a revision) and "
			     "its ancestors as applied,\nrunning no SQL: for "
			     "adopting an existing database.\n", NULL)))
		return r < 0 ? 0 : r;
	if (argc - optind != 1)
		return cmd_usage(ctx, "one revision wanted");
	if (load(ctx, &rs))
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

int cmd_check(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct migration_compare m;
	char *schema;
	int ret = 1, r;

	if ((r = simple_args(ctx, argc, argv,
			     "Exit 0 when the database matches schema.sql; "
			     "else list the differences\nand exit 1.\n", NULL)))
		return r < 0 ? 0 : r;
	if (optind < argc)
		return cmd_usage(ctx, "too many arguments");
	schema = schema_file(ctx);
	if (migration_compare(ctx->store, schema, &m, &err) < 0) {
		cmd_error("%s", err.msg);
		free(schema);
		return 1;
	}
	if (m.diff.n) {
		printf("the database differs from %s:\n", schema);
		print_ops(&m.diff, stdout);
	} else {
		printf("the database matches %s\n", schema);
		ret = 0;
	}
	migration_compare_release(&m);
	free(schema);
	return ret;
}

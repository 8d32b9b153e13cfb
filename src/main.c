/*
 * main.c - global options, the command table, and the setup each command
 * asks for through its flags.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "config.h"
#include "store.h"

#define HEARTH_VERSION "0.1.0"

const struct cmd cmd_table[] = {
	{ "init", cmd_init, CMD_NOCONFIG, "init [DIR]",
	  "create hearth.ini, schema.sql, migrations/ and the database" },
	{ "add", cmd_add, CMD_DB, "add TABLE col=val ...",
	  "store one row (time = now unless given)" },
	{ "import", cmd_import, CMD_DB,
	  "import [--format csv|lp] [--atomic] TABLE [FILE|-]",
	  "bulk load CSV or InfluxDB line protocol" },
	{ "query", cmd_query, CMD_DB_RO,
	  "query TABLE [--since T] [--until T] [--format table|csv|json]",
	  "read a time window" },
	{ "sql", cmd_sql, CMD_DB, "sql [--format table|csv|json] \"SELECT ...\"",
	  "run ad-hoc SQL, print the rows" },
	{ "kv", cmd_kv, CMD_DB,
	  "kv get|set|del|list [ARGS]", "typed key-value settings and state" },

	/* schema migrations */

	/* charts and serving */
	{ "chart", cmd_chart, CMD_DB_RO,
	  "chart TABLE [--since T] [--until T] [-o FILE.svg]",
	  "draw a time window as an SVG chart" },
	{ "rollup", cmd_rollup, CMD_DB, "rollup rebuild|drop [TABLE...]",
	  "per-minute/hour aggregates that keep long charts fast" },
	{ "serve", cmd_serve, 0, "serve [--listen ADDR:PORT]",
	  "dashboard, HTTP API and scheduled pollers" },

	/* mail and devices */
	{ "imap", cmd_imap, CMD_DB, "imap [--once]",
	  "pull motion e-mails from [imap] url into [imap] table" },

	{ NULL, NULL, 0, NULL, NULL },
};

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

static const struct cmd *find_cmd(const char *name)
{
	const struct cmd *c;

	for (c = cmd_table; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

int cmd_usage(const struct cmd_ctx *ctx, const char *detail)
{
	const struct cmd *c = find_cmd(ctx->name);

	if (detail)
		fprintf(stderr, "%s %s: %s\n", prog_name, ctx->name, detail);
	fprintf(stderr, "usage: %s %s\n", prog_name, c ? c->usage : ctx->name);
	return 2;
}

int cmd_help(const struct cmd_ctx *ctx, const char *options)
{
	const struct cmd *c = find_cmd(ctx->name);

	printf("usage: %s %s\n\n%s\n", prog_name, c ? c->usage : ctx->name,
	       c ? c->summary : "");
	if (options && *options)
		printf("\n%s", options);
	return 0;
}

static void usage(FILE *f)
{
	const struct cmd *c;

	fprintf(f,
		"usage: hearth [--config FILE] [--db URL] [-c SECTION.KEY=VALUE] "
		"COMMAND [ARGS]\n\ncommands:\n");
	for (c = cmd_table; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f,
		"\n'hearth COMMAND --help' describes a command; 'man hearth' "
		"all of them.\nTimes: now, -15m, -24h, -7d, ISO 8601, unix "
		"seconds.  Exit: 0 ok, 1 error, 2 usage.\n");
}

int cmd_open_db(struct cmd_ctx *ctx, int flags)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	const char *url = config_get(ctx->cfg, "hearth", "db");
	const char *base = config_source(ctx->cfg, "hearth", "db") == CONFIG_FILE
				   ? config_file_dir(ctx->cfg)
				   : NULL;

	if (!url)
		return cmd_error("no database: set db in hearth.ini, HEARTH_DB "
				 "or --db (or run 'hearth init')");
	if (store_open(&ctx->store, url, base, flags, &err) < 0)
		return cmd_error("%s", err.msg);
	return 0;
}

/* -c section.key=value, as git's -c. */
static int set_flag(struct config *cfg, const char *arg)
{
	char section[64], key[128];
	const char *dot = strchr(arg, '.'), *eq = strchr(arg, '=');

	if (!dot || !eq || dot > eq || (size_t)(dot - arg) >= sizeof(section) ||
	    (size_t)(eq - dot - 1) >= sizeof(key) || dot == arg || eq == dot + 1)
		return -1;
	memcpy(section, arg, (size_t)(dot - arg));
	section[dot - arg] = '\0';
	memcpy(key, dot + 1, (size_t)(eq - dot - 1));
	key[eq - dot - 1] = '\0';
	config_set_flag(cfg, section, key, eq + 1);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'C' },
		{ "db", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct hearth_err err = HEARTH_ERR_INIT;
	struct cmd_ctx ctx = { NULL, NULL, NULL };
	const char *config_file = NULL;
	const struct cmd *cmd;
	int c, ret = 1;

	ctx.cfg = config_new();
	while ((c = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'C':
			config_file = optarg;
			break;
		case 'd':
			config_set_flag(ctx.cfg, "hearth", "db", optarg);
			break;
		case 'c':
			if (set_flag(ctx.cfg, optarg) < 0) {
				fprintf(stderr, "hearth: -c wants SECTION.KEY=VALUE, "
						"not '%s'\n", optarg);
				ret = 2;
				goto out;
			}
			break;
		case 'h':
			usage(stdout);
			ret = 0;
			goto out;
		case 'V':
			printf("hearth %s\n", HEARTH_VERSION);
			ret = 0;
			goto out;
		default:
			usage(stderr);
			ret = 2;
			goto out;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		ret = 2;
		goto out;
	}
	cmd = find_cmd(argv[optind]);
	if (!cmd) {
		fprintf(stderr, "hearth: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		ret = 2;
		goto out;
	}
	ctx.name = cmd->name;

	if (!config_file)
		config_file = getenv("HEARTH_CONFIG");
	if (config_file) {
		if (config_load_file(ctx.cfg, config_file, &err) < 0) {
			ret = cmd_error("%s", err.msg);
			goto out;
		}
	} else if (access("hearth.ini", F_OK) == 0) {
		if (config_load_file(ctx.cfg, "hearth.ini", &err) < 0) {
			ret = cmd_error("%s", err.msg);
			goto out;
		}
	}

	argc -= optind;
	argv += optind;
	/* --help never needs the database. */
	for (c = 1; c < argc; c++)
		if (!strcmp(argv[c], "--help") || !strcmp(argv[c], "-h")) {
			optind = 0;
			ret = cmd->fn(&ctx, argc, argv);
			goto out;
		}
	if (cmd->flags & (CMD_DB | CMD_DB_RO)) {
		ret = cmd_open_db(&ctx, (cmd->flags & CMD_DB_RO) ? STORE_READONLY : 0);
		if (ret)
			goto out;
	}
	optind = 0; /* reset getopt for the command */
	ret = cmd->fn(&ctx, argc, argv);
out:
	store_close(ctx.store);
	config_free(ctx.cfg);
	return ret;
}

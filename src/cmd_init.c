/*
 * cmd_init.c - hearth init [DIR]: scaffold a project and create its
 * database from schema.sql.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "store.h"
#include "xalloc.h"

static const char default_schema[] =
	"-- hearth schema: the tables you want.  Edit this file, then run\n"
	"--   hearth revision --autogenerate -m \"what changed\"\n"
	"--   hearth upgrade\n"
	"-- Times are stored as UTC.  A TIMESTAMP column makes a table a series.\n"
	"\n"
	"CREATE TABLE readings (\n"
	"    r_datetime TIMESTAMP NOT NULL,\n"
	"    r_watts    INTEGER,\n"
	"    r_temp     REAL\n"
	");\n"
	"CREATE INDEX readings_r_datetime ON readings (r_datetime);\n"
	"\n"
	"CREATE TABLE motion (\n"
	"    r_datetime TIMESTAMP NOT NULL,\n"
	"    r_s_name   TEXT NOT NULL\n"
	");\n"
	"CREATE INDEX motion_r_datetime ON motion (r_datetime);\n";

static const char default_ini[] =
	"; hearth configuration.  Every key can also come from the environment\n"
	"; (HEARTH_DB, HEARTH_SERVE_LISTEN, ...) or the command line\n"
	"; (--db, -c serve.listen=...); the command line wins.\n"
	"\n"
	"[hearth]\n"
	"db = %s\n"
	"schema = schema.sql\n"
	"migrations = migrations\n"
	"\n"
	"[serve]\n"
	"listen = 127.0.0.1:8080\n"
	"; write_token_file = token      ; required for writes over HTTP\n"
	"\n"
	"[imap]\n"
	"; url = imaps://imap.gmail.com/Motion\n"
	"; user = me@example.com\n"
	"; password_file = imap.secret   ; secrets never on the command line\n"
	"; interval = 15m\n"
	"; table = motion\n"
	"; subject = '{sensor}' sensed motion: {time:%%B %%d, %%Y at %%I:%%M%%p}\n";

/* Create path with contents; refuse to overwrite (O_EXCL). */
static int write_new(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644);
	size_t n = strlen(text);
	ssize_t w;

	if (fd < 0)
		return cmd_error("%s: %s", path,
				 errno == EEXIST ? "already exists, not touched"
						 : strerror(errno));
	w = write(fd, text, n);
	if (close(fd) < 0 || w != (ssize_t)n)
		return cmd_error("%s: write failed", path);
	return 0;
}

int cmd_init(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hearth_err err = HEARTH_ERR_INIT;
	const char *dir = ".", *url;
	char *ini = NULL, *schema = NULL, *migr = NULL, *inidb = NULL;
	struct store *st = NULL;
	int c, ret = 1;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h')
			return cmd_help(ctx,
					"Creates DIR (default: here) with hearth.ini, "
					"schema.sql and migrations/,\nthen the database "
					"(sqlite:///hearth.db unless --db says otherwise)\n"
					"with the tables of schema.sql.  Existing files "
					"are never overwritten.\n");
		return cmd_usage(ctx, NULL);
	}
	if (argc - optind > 1)
		return cmd_usage(ctx, "too many arguments");
	if (optind < argc)
		dir = argv[optind];
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return cmd_error("%s: %s", dir, strerror(errno));

	url = config_get(ctx->cfg, "hearth", "db");
	inidb = xstrdup(url ? url : "sqlite:///hearth.db");
	ini = xasprintf("%s/hearth.ini", dir);
	schema = xasprintf("%s/schema.sql", dir);
	migr = xasprintf("%s/migrations", dir);
	if (access(ini, F_OK) == 0 || access(schema, F_OK) == 0) {
		cmd_error("%s already holds a hearth project (hearth.ini or "
			  "schema.sql exists)", dir);
		goto out;
	}
	{
		char *text = xasprintf(default_ini, inidb);
		int r = write_new(ini, text);
		free(text);
		if (r)
			goto out;
	}
	if (write_new(schema, default_schema))
		goto out;
	if (mkdir(migr, 0755) < 0 && errno != EEXIST) {
		cmd_error("%s: %s", migr, strerror(errno));
		goto out;
	}
	/* A relative SQLite path is relative to the project directory. */
	if (store_open(&st, inidb, dir, STORE_CREATE, &err) < 0) {
		cmd_error("%s", err.msg);
		goto out;
	}
	if (store_begin(st, &err) < 0 || store_exec(st, default_schema, &err) < 0 ||
	    store_commit(st, &err) < 0) {
		cmd_error("creating tables: %s", err.msg);
		goto out;
	}
	printf("initialised hearth project in %s (database %s)\n", dir, inidb);
	ret = 0;
out:
	store_close(st);
	free(ini);
	free(schema);
	free(migr);
	free(inidb);
	return ret;
}

/*
 * cmd.h - what every command gets from main, and the command table.
 *
 * A command parses its own arguments (getopt_long), calls the library, and
 * prints.  It returns the process exit code: 0 ok, 1 error (one line on
 * stderr, printed through cmd_error), 2 usage.
 */
#ifndef HEARTH_CMD_H
#define HEARTH_CMD_H

#include "base/config.h"
#include "store/store.h"

/* What main sets up before calling a command, according to its flags. */
#define CMD_DB       0x1 /* open the database read-write */
#define CMD_DB_RO    0x2 /* open the database read-only */
#define CMD_NOCONFIG 0x4 /* a missing hearth.ini is fine (init) */

struct cmd_ctx {
	struct config *cfg;
	struct store *store; /* NULL unless the command asked for it */
	const char *name;    /* the command's name, for messages */
};

struct cmd {
	const char *name;
	int (*fn)(struct cmd_ctx *ctx, int argc, char **argv);
	int flags;
	const char *usage;   /* "add TABLE col=val ..." */
	const char *summary; /* one line for `hearth --help` */
};

/* cmd_error: "hearth: MSG" on stderr; returns 1. */
int cmd_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* cmd_usage: the command's usage line on stderr; returns 2. */
int cmd_usage(const struct cmd_ctx *ctx, const char *detail);
/* cmd_help: print the command's help text (usage + options) on stdout;
 * returns 0. */
int cmd_help(const struct cmd_ctx *ctx, const char *options);
/* cmd_open_db: open the configured database (for commands that open it
 * themselves, with flags other than main's). */
int cmd_open_db(struct cmd_ctx *ctx, int flags);

struct series_eq;
/* cmd_where: --where COL=VALUE into *eq: COL ends at the first '=' (which
 * arg, argv's, loses), the value runs to the end.  -1 without a COL=. */
int cmd_where(char *arg, struct series_eq *eq);

/* Commands, one group per cmd_*.c file. */
int cmd_init(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_add(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_import(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_query(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_sql(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_kv(struct cmd_ctx *ctx, int argc, char **argv);

/* Serving (dashboard, API, pollers). */
int cmd_serve(struct cmd_ctx *ctx, int argc, char **argv);

/* Schema migrations. */
int cmd_revision(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_upgrade(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_downgrade(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_current(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_history(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_heads(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_merge(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_stamp(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_check(struct cmd_ctx *ctx, int argc, char **argv);

/* Charts. */
int cmd_chart(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_rollup(struct cmd_ctx *ctx, int argc, char **argv);

/* Mail. */
int cmd_imap(struct cmd_ctx *ctx, int argc, char **argv);


extern const struct cmd cmd_table[];

#endif

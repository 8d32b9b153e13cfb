/*
 * cmd.h - what every command gets from main, the command table, and what
 * more than one command needs.
 *
 * Command NAME of main.c's table is cmd_NAME, in src/cmd/NAME.c.  A
 * command parses its own arguments (getopt_long), calls the library, and
 * prints.  It returns the process exit code: 0 ok, 1 error (one line on
 * stderr, printed through cmd_error), 2 usage.
 *
 * cmd.c holds the helpers below, shared by several commands; a helper one
 * command uses stays static in that command's file.
 */
#ifndef HEARTH_CMD_H
#define HEARTH_CMD_H

#include <signal.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/config.h"
#include "store/store.h"

/* What main sets up before calling a command, according to its flags. */
#define CMD_DB       0x1 /* open the database read-write */
#define CMD_DB_RO    0x2 /* open the database read-only */
#define CMD_NOCONFIG 0x4 /* a missing hearth.ini is fine (init) */

struct cmd;

struct cmd_ctx {
	struct config *cfg;
	struct store *store;    /* NULL unless the command asked for it */
	const char *name;       /* the command's name, for messages */
	const struct cmd *cmd;  /* its table entry (usage, summary) */
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
/* cmd_show_log: each line of log (lines ending '\n', as the sources and
 * the server gather them) on stderr as "hearth: PREFIXLINE", then empty
 * log. */
void cmd_show_log(struct buf *log, const char *prefix);
/* cmd_open_db: open the configured database (for commands that open it
 * themselves, with flags other than main's). */
int cmd_open_db(struct cmd_ctx *ctx, int flags);

/*
 * For the sources' commands (imap, mqtt) and serve.
 *
 * cmd_crash_hook: crash tests kill a poller or listener at an exact step
 * of its work, as kill -9 would: the environment variable env
 * (HEARTH_TEST_IMAP_CRASH, ...) names the step.  Returns the step hook to
 * hand to the library (it raises SIGKILL at that step), or NULL when env
 * is unset.
 */
void (*cmd_crash_hook(const char *env))(const char *step);
/* cmd_block_stop_signals: block SIGINT and SIGTERM (in every thread
 * started after) so that *sigs, which gets them, can be waited for, and
 * ignore SIGPIPE (a server that hangs up mid-write is an error, not a
 * kill). */
void cmd_block_stop_signals(sigset_t *sigs);

struct series_eq;
/* cmd_where: --where COL=VALUE into *eq: COL ends at the first '=' (which
 * arg, argv's, loses), the value runs to the end.  -1 without a COL=. */
int cmd_where(char *arg, struct series_eq *eq);

/* cmd_stdout_sink: format.h's rows written to standard output. */
struct format_sink;
extern const struct format_sink cmd_stdout_sink;

/*
 * For the migration commands (revision, upgrade, downgrade, current,
 * history, heads, merge, stamp, check).
 */
struct revision;
struct revision_set;
struct diff;

/* cmd_simple_args: the options of a command with none of its own: --help
 * (prints help, returns -1), --verbose when verbose is not NULL; 2 on a
 * usage error, else 0 with optind at the first argument. */
int cmd_simple_args(struct cmd_ctx *ctx, int argc, char **argv,
		    const char *help, int *verbose);
/* cmd_schema_file: [hearth] schema (default schema.sql); free it. */
char *cmd_schema_file(struct cmd_ctx *ctx);
/* cmd_load_revisions: read the migrations directory ([hearth]
 * migrations) into *rs: 0, release it with revision_set_release; or 1,
 * said through cmd_error, with *rs empty. */
int cmd_load_revisions(struct cmd_ctx *ctx, struct revision_set *rs);
/* cmd_dialect: the dialect of the configured database (store_dialect;
 * "sqlite" when none is set), without opening it when it is not open. */
const char *cmd_dialect(struct cmd_ctx *ctx);

/* cmd_write_revision: write a revision whose parents are the current
 * heads (all of them, at least two, for a merge; else exactly one or
 * none), say where it went; the exit code. */
int cmd_write_revision(struct cmd_ctx *ctx, const struct revision_set *rs,
		       const char *msg, const char *up, const char *down,
		       int merge);
/* cmd_print_parents: a revision's parents ("<base>" for none), no newline. */
void cmd_print_parents(const struct revision *r);
/* cmd_print_ops: the diff's operations, one indented line each. */
void cmd_print_ops(const struct diff *d, FILE *f);
/* cmd_move: the whole of upgrade (up = 1) and downgrade (up = 0), which
 * differ only in direction and default target. */
int cmd_move(struct cmd_ctx *ctx, int argc, char **argv, int up);

/* The commands: cmd_NAME is in src/cmd/NAME.c. */
int cmd_init(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_add(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_import(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_query(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_sql(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_kv(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_backup(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_prune(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_copy(struct cmd_ctx *ctx, int argc, char **argv);

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
int cmd_energy(struct cmd_ctx *ctx, int argc, char **argv);

/* Mail. */
int cmd_imap(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_wemo(struct cmd_ctx *ctx, int argc, char **argv);
int cmd_mqtt(struct cmd_ctx *ctx, int argc, char **argv);

#endif

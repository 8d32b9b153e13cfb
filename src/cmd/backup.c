/*
 * cmd/backup.c - hearth backup FILE: a consistent copy of the live
 * database (store_backup), while serve keeps writing.
 */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"

static const char help[] =
	"Copies the database, as of one moment, to FILE while other\n"
	"processes (hearth serve) keep writing, checks the copy (PRAGMA\n"
	"integrity_check) and only then gives it the name FILE, replacing\n"
	"what was there.  On any failure, a full disk included, it exits 1\n"
	"and leaves no partial file.  The copy is compacted (VACUUM INTO).\n"
	"Restore by stopping serve and putting the copy in the database's\n"
	"place.  SQLite only: a PostgreSQL database is pg_dump's job (the\n"
	"error says what to run).  hearth serve makes backups itself with\n"
	"[backup] dir, every and keep.\n";

int cmd_backup(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct stat sb;
	int rc;

	if ((rc = cmd_simple_args(ctx, argc, argv, help, NULL)) != 0)
		return rc < 0 ? 0 : rc;
	if (argc - optind != 1)
		return cmd_usage(ctx, "want one FILE to write the copy to");
	if (cmd_open_db(ctx, STORE_READONLY))
		return 1;
	if (store_backup(ctx->store, argv[optind], &err) < 0)
		return cmd_error("%s", err.msg);
	printf("backed up to %s (%lld bytes, integrity ok)\n", argv[optind],
	       stat(argv[optind], &sb) == 0 ? (long long)sb.st_size : 0LL);
	return 0;
}

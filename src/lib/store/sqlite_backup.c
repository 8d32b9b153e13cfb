/*
 * sqlite_backup.c - a live SQLite database copied to a file (sqlite_backup.h).
 *
 * VACUUM INTO rather than the online backup API: it reads in one
 * transaction, so writers through other connections carry on (WAL) while
 * the copy stays one moment's, and the copy holds no free pages.  SQLite
 * does not sync what it writes; the copy is synced before its rename, and
 * the folder after, so that a power cut leaves the old file or the new
 * one, not half of one.
 */
#include "store/sqlite_backup.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#include "base/xalloc.h"

/* Sync path (a file or a folder); -1 with errno. */
static int sync_path(const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC), rc;

	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/* PRAGMA integrity_check of the file at path: 0 when it says "ok".  The
 * copy is put in WAL mode first, as hearth makes its databases: VACUUM
 * INTO writes a rollback-journal file, and a restored copy would
 * otherwise make readers and the writer wait for each other. */
static int check_copy(const char *path, struct hearth_err *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	const char *row;
	int ret = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) !=
		    SQLITE_OK ||
	    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) !=
		    SQLITE_OK) {
		err_set(err, "checking the copy: %s",
			db ? sqlite3_errmsg(db) : "cannot open");
		goto out;
	}
	if (sqlite3_step(st) != SQLITE_ROW) {
		err_set(err, "checking the copy: %s", sqlite3_errmsg(db));
		goto out;
	}
	row = (const char *)sqlite3_column_text(st, 0);
	if (!row || strcmp(row, "ok")) {
		err_set(err, "the copy fails its integrity check: %s",
			row ? row : "(no answer)");
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ret;
}

/* file as an absolute path without links in its folder, NULL when the
 * folder does not resolve (malloc'd). */
static char *resolve(const char *file)
{
	char *copy = xstrdup(file), *copy2 = xstrdup(file), *dir, *res;

	dir = realpath(dirname(copy), NULL);
	res = dir ? xasprintf("%s/%s", dir, basename(copy2)) : NULL;
	free(dir);
	free(copy);
	free(copy2);
	return res;
}

/* Whether file names the database or one of its companion files, there
 * or not: a rename over it would pull the live database away from its
 * connections, or give it a log that is not one. */
static int is_live_file(sqlite3 *db, const char *file)
{
	static const char *const ends[] = { "", "-wal", "-shm", "-journal" };
	const char *main = sqlite3_db_filename(db, "main");
	char *want = resolve(file), *live = main && *main ? resolve(main) : NULL;
	size_t i, n;
	int same = 0;

	if (want && live) {
		n = strlen(live);
		for (i = 0; i < sizeof(ends) / sizeof(ends[0]) && !same; i++)
			same = !strncmp(want, live, n) &&
			       !strcmp(want + n, ends[i]);
	}
	free(want);
	free(live);
	return same;
}

int sqlite_backup(sqlite3 *db, const char *file, struct hearth_err *err)
{
	char *tmp = NULL, *dir = NULL;
	sqlite3_stmt *st = NULL;
	int fd, ret = -1, made = 0;

	if (is_live_file(db, file))
		return err_set(err, "backup to %s: that is the database itself "
			       "(or its log): name another file", file);
	tmp = xasprintf("%s.partial-XXXXXX", file);

	/* An empty file is what VACUUM INTO accepts besides none; made
	 * here, its name is ours alone. */
	fd = mkstemp(tmp);
	if (fd < 0) {
		err_set(err, "backup to %s: %s", file, strerror(errno));
		goto out;
	}
	close(fd);
	made = 1;
	if (sqlite3_prepare_v2(db, "VACUUM INTO ?1", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, tmp, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE) {
		err_set(err, "backup to %s: %s", file, sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_finalize(st);
	st = NULL;
	if (check_copy(tmp, err) < 0) {
		err_prefix(err, "backup to %s", file);
		goto out;
	}
	if (sync_path(tmp, O_RDONLY) < 0 || rename(tmp, file) < 0) {
		err_set(err, "backup to %s: %s", file, strerror(errno));
		goto out;
	}
	made = 0;
	dir = xstrdup(file);
	/* The rename is on disk once the folder is. */
	if (sync_path(dirname(dir), O_RDONLY | O_DIRECTORY) < 0) {
		err_set(err, "backup to %s: syncing its folder: %s", file,
			strerror(errno));
		unlink(file);
		goto out;
	}
	ret = 0;
out:
	sqlite3_finalize(st);
	if (made)
		unlink(tmp);
	free(tmp);
	free(dir);
	return ret;
}

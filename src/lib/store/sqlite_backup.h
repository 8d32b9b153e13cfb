/*
 * sqlite_backup.h - store_backup of the SQLite backend (sqlite.c).
 */
#ifndef HEARTH_STORE_SQLITE_BACKUP_H
#define HEARTH_STORE_SQLITE_BACKUP_H

#include <sqlite3.h>

#include "base/err.h"

/*
 * sqlite_backup: a copy of db's main database at file, as of one moment
 * while other connections keep writing (VACUUM INTO a temporary file
 * beside it, which is also compacted), checked with PRAGMA
 * integrity_check, synced, then renamed to file (an older file there is
 * replaced only by a sound copy).  On any failure, a full disk included,
 * no file is left but the one that was there.
 */
int sqlite_backup(sqlite3 *db, const char *file, struct hearth_err *err);

#endif

/*
 * sqlite.h - the SQLite backend (sqlite.c; its SQL in sqlite_sql.c).
 */
#ifndef HEARTH_STORE_SQLITE_H
#define HEARTH_STORE_SQLITE_H

#include "base/err.h"
#include "store/store.h"

/* store_sqlite_open: open the SQLite file at path (":memory:" for a
 * private in-memory database) with store_open's flags. */
int store_sqlite_open(struct store **out, const char *path, int flags,
		      struct hearth_err *err);

#endif

/*
 * sqlite_sql.h - SQLite's SQL (private to the store folder): its dialect,
 * and the ops of the SQLite backend that are statements rather than
 * calls of the library, for sqlite.c's store_ops.  store.h says what
 * each does.
 */
#ifndef HEARTH_SQLITE_SQL_H
#define HEARTH_SQLITE_SQL_H

#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

struct store;

extern const struct store_sql sqlite_sql;

int sqlite_sql_schema_version(struct store *s, int64_t *out,
			      struct hearth_err *err);
int sqlite_sql_has_table(struct store *s, const char *name,
			 struct hearth_err *err);
int sqlite_sql_has_row_order(struct store *s, const char *table,
			     struct hearth_err *why);
void sqlite_sql_upsert(struct store *s, struct buf *b, const char *table);
int sqlite_sql_migration_begin(struct store *s, struct hearth_err *err);
int sqlite_sql_migration_check(struct store *s, struct hearth_err *err);
void sqlite_sql_migration_end(struct store *s);

#endif

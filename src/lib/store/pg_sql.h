/*
 * pg_sql.h - PostgreSQL's SQL (private to the store folder): its dialect,
 * and the ops of the PostgreSQL backend that are queries of its catalog
 * rather than calls of libpq, for pg.c's store_ops.  store.h says what
 * each does.
 */
#ifndef HEARTH_STORE_PG_SQL_H
#define HEARTH_STORE_PG_SQL_H

#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

struct store;

extern const struct store_sql pg_sql;

int pg_sql_schema_version(struct store *s, int64_t *out,
			  struct hearth_err *err);
int pg_sql_create(struct store *s, const char *sql, struct hearth_err *err);
int pg_sql_size(struct store *s, int64_t *out, struct hearth_err *err);
int pg_sql_has_table(struct store *s, const char *name,
		     struct hearth_err *err);
int pg_sql_has_row_order(struct store *s, const char *table,
			 struct hearth_err *why);
void pg_sql_upsert(struct store *s, struct buf *b, const char *table);
int pg_sql_migration_begin(struct store *s, struct hearth_err *err);
int pg_sql_migration_check(struct store *s, struct hearth_err *err);
void pg_sql_migration_end(struct store *s);

#endif

/*
 * pg_bulk.h - PostgreSQL's bulk load (private to the store folder):
 * store.h's store_bulk_* as COPY ... FROM STDIN in text format, under a
 * savepoint, for pg.c's store_ops.
 */
#ifndef HEARTH_STORE_PG_BULK_H
#define HEARTH_STORE_PG_BULK_H

#include <stddef.h>

#include "base/err.h"
#include "store/store.h"

struct pg_conn;

/* pg_bulk_begin: start a load on conn, which runs nothing else (pg.c
 * reads a running statement's rows ahead first).  store_bulk_end frees
 * *out. */
int pg_bulk_begin(struct pg_conn *conn, const char *table,
		  const char *const *cols, size_t ncols,
		  struct store_bulk **out, struct hearth_err *err);

#endif

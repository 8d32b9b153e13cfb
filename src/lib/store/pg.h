/*
 * pg.h - the PostgreSQL backend (pg.c: connections and statements
 * through libpq; pg_sql.c: its SQL and catalog; pg_introspect.c: the
 * schema model from pg_catalog; pg_scratch.c: schema.sql read by the
 * server; pg_bulk.c: bulk loads as COPY).
 *
 * A connection works in UTC (TimeZone), ISO dates and UTF-8, so that
 * times read and written look as they do in SQLite: '2014-11-23
 * 22:15:00' is UTC.  Statements are prepared on the server, once per
 * connection for those a store caches.
 */
#ifndef HEARTH_STORE_PG_H
#define HEARTH_STORE_PG_H

#include "base/err.h"
#include "store/store.h"

/* store_pg_open: connect to url (postgresql://... or postgres://..., as
 * libpq reads it: user, host, port, dbname, ?host=/socket/dir,
 * ?sslmode=...).  password: the one to log in with, NULL to let libpq
 * look in PGPASSFILE or ~/.pgpass.  Errors are one line: the server
 * cannot be reached, the password was refused, the database does not
 * exist. */
int store_pg_open(struct store **out, const char *url, const char *password,
		  int flags, struct hearth_err *err);

#endif

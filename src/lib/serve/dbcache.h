/*
 * dbcache.h - each HTTP thread's database connection and schema.
 *
 * SQLite connections must not be shared between threads, and opening one
 * per request costs more than the request; reading the schema per request
 * would too.  So each thread that asks gets a connection of its own, kept
 * for the server's life, and the schema read on it, read again only when
 * the database's schema has changed (a revision, [serve] auto_columns).
 */
#ifndef HEARTH_SERVE_DBCACHE_H
#define HEARTH_SERVE_DBCACHE_H

#include <stddef.h>

#include "base/err.h"
#include "store/schema.h"
#include "store/store.h"

struct dbcache;

/* dbcache_new: connections to the database w says (copied) for at most
 * threads threads.  Free with dbcache_free, after the last thread is
 * done. */
struct dbcache *dbcache_new(const struct store_where *w, size_t threads);
void dbcache_free(struct dbcache *c);

/* dbcache_store: the calling thread's connection, opened at its first
 * call; NULL with err set when it cannot be opened (or all slots are
 * taken). */
struct store *dbcache_store(struct dbcache *c, struct hearth_err *err);

/*
 * dbcache_schema: the calling thread's schema as the database has it now.
 * It stays valid until dbcache_end_request, even when a later call in the
 * same request reads a newer one (after the request added columns): the
 * caller may still hold a table and its name.
 */
const struct schema *dbcache_schema(struct dbcache *c, struct hearth_err *err);

/* dbcache_end_request: the calling thread's request is over: free the
 * schemas it replaced. */
void dbcache_end_request(struct dbcache *c);

#endif

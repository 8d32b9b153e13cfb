/*
 * store.h - the storage backend interface.
 *
 * The store folder owns the database: this interface, one file per
 * backend behind it (sqlite.c, its WAL VFS walvfs.c), the schema model
 * read from a live database (schema.h), SQL tokens (sqltok.h), the
 * key-value store (kv.h) and the checkpointer.  Every dialect-specific
 * statement lives here.  It may call base/ only: it knows nothing of
 * series, rollups, parsers, migrations, charts or HTTP.
 *
 * One interface, one implementation per database: sqlite.c today,
 * pg.c behind the same calls later.  SQL passed in uses `?`
 * placeholders; a backend whose database wants another style rewrites them.
 * Values always go in through the bind calls, never by formatting SQL.
 *
 * URLs:  sqlite:///relative.db   sqlite:////absolute.db   sqlite:///:memory:
 *        a bare path (energy.db) is taken as a SQLite file
 *        postgresql://user@host/dbname (when that backend exists)
 */
#ifndef HEARTH_STORE_H
#define HEARTH_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "store/schema.h"

enum store_type {
	STORE_NULL,
	STORE_INT,
	STORE_REAL,
	STORE_TEXT,
	STORE_BLOB,
};

/* Open flags. */
#define STORE_CREATE   0x1 /* create the database when it does not exist */
#define STORE_READONLY 0x2 /* never write; the file is not modified */

struct store;
struct store_stmt;

/*
 * store_open: connect to the database at url.  A relative SQLite path is
 * taken relative to basedir (NULL: the working directory).  Without
 * STORE_CREATE a missing SQLite file is an error.  Close with store_close.
 */
int store_open(struct store **out, const char *url, const char *basedir,
	       int flags, struct hearth_err *err);
void store_close(struct store *s);

/* store_dialect: "sqlite" or "postgresql". */
const char *store_dialect(const struct store *s);
/* store_path: the file behind a SQLite store (NULL for others/:memory:). */
const char *store_path(const struct store *s);

/* store_exec: run one or more statements without parameters. */
int store_exec(struct store *s, const char *sql, struct hearth_err *err);

/* store_prepare: compile one statement; free with store_finalize. */
int store_prepare(struct store *s, const char *sql, struct store_stmt **out,
		  struct hearth_err *err);
void store_finalize(struct store_stmt *st);

/*
 * store_cached: the statement for sql, compiled at its first use on s and
 * kept by s until store_close, so a connection that runs the same insert
 * for request after request compiles it once.  s keeps the STORE_CACHE
 * statements asked for last: one stays valid while fewer than STORE_CACHE
 * others are asked for.  The caller resets it after use (bindings are
 * cleared then) and never finalizes it.
 */
#define STORE_CACHE 32
int store_cached(struct store *s, const char *sql, struct store_stmt **out,
		 struct hearth_err *err);

/* Bind calls take 1-based parameter indexes and copy what they are given. */
int store_bind_null(struct store_stmt *st, int i);
int store_bind_int(struct store_stmt *st, int i, int64_t v);
int store_bind_real(struct store_stmt *st, int i, double v);
int store_bind_text(struct store_stmt *st, int i, const char *p, size_t n);
int store_bind_blob(struct store_stmt *st, int i, const void *p, size_t n);
/* store_bind_text_ref: as store_bind_text without the copy: p must stay
 * as it is until the statement is reset or finalized.  For bulk inserts,
 * where the copy is a malloc per value under the write lock. */
int store_bind_text_ref(struct store_stmt *st, int i, const char *p,
			size_t n);

/* store_step: 1 when a row is ready, 0 when done, -1 on error. */
int store_step(struct store_stmt *st, struct hearth_err *err);
/* store_reset: ready to run again; bindings are cleared. */
void store_reset(struct store_stmt *st);

/* Column access on the current row, 0-based.  Returned pointers are valid
 * until the next step, reset or finalize. */
int store_column_count(struct store_stmt *st);
const char *store_column_name(struct store_stmt *st, int i);
enum store_type store_column_type(struct store_stmt *st, int i);
int64_t store_column_int(struct store_stmt *st, int i);
double store_column_real(struct store_stmt *st, int i);
const char *store_column_text(struct store_stmt *st, int i, size_t *len);
const void *store_column_blob(struct store_stmt *st, int i, size_t *len);

/* Transactions.  store_begin_immediate takes the write lock at once
 * (SQLite BEGIN IMMEDIATE), so two writers queue instead of deadlocking. */
int store_begin(struct store *s, struct hearth_err *err);
int store_begin_immediate(struct store *s, struct hearth_err *err);
int store_commit(struct store *s, struct hearth_err *err);
int store_rollback(struct store *s, struct hearth_err *err);

/* store_wal_frames: pages in the write-ahead log after the last commit
 * through s, counting every connection's (SQLite; 0 elsewhere, or before
 * s commits).  The log starts over once a checkpoint has copied all of it
 * and the next writer begins. */
int64_t store_wal_frames(const struct store *s);
/* store_autocheckpoint: checkpoint after a commit through s leaves the log
 * at least `frames` pages long (SQLite's wal_autocheckpoint, 1000 when the
 * store opens); 0 never. */
void store_autocheckpoint(struct store *s, int frames);

/* store_changes: rows changed by the last INSERT/UPDATE/DELETE. */
int64_t store_changes(struct store *s);

/* store_introspect: read the live schema into *out (initialised here;
 * release with schema_release). */
int store_introspect(struct store *s, struct schema *out,
		     struct hearth_err *err);

/* store_quote_ident: append "name" to b, doubling embedded quotes. */
void store_quote_ident(struct buf *b, const char *name);

/* Convenience: run a query whose first row's first column is an integer;
 * *out is untouched when there is no row.  Parameters are text values
 * (NULL-terminated list).  Returns 1 if a row was found, 0 if not, -1. */
int store_query_int(struct store *s, const char *sql, int64_t *out,
		    struct hearth_err *err, ...);

#endif

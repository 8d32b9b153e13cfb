/*
 * store.h - the storage backend interface.
 *
 * The store folder owns the database: this interface, one file per
 * backend behind it (sqlite.c with its WAL VFS walvfs.c; pg.c), the schema model
 * read from a live database (schema.h), how a table stores its times
 * (timecol.h), SQL tokens (sqltok.h), the key-value store (kv.h) and
 * the checkpointer.  Every dialect-specific
 * statement lives here.  It may call base/ only: it knows nothing of
 * series, rollups, parsers, migrations, charts or HTTP.
 *
 * One interface, one implementation per database: sqlite.c and pg.c
 * behind the same calls.  SQL passed in uses `?`
 * placeholders; a backend whose database wants another style rewrites them.
 * Values always go in through the bind calls, never by formatting SQL.
 * What differs between databases beyond that is asked of the store by
 * what the caller needs (store_schema_version, store_checkpoint, ...) or,
 * for the pieces of SQL modules write themselves, of its dialect
 * (store_sql.h); no other module spells a database's own SQL.
 *
 * URLs:  sqlite:///relative.db   sqlite:////absolute.db   sqlite:///:memory:
 *        a bare path (energy.db) is taken as a SQLite file
 *        postgresql://user@host:port/dbname (or postgres://; libpq
 *        reads it: ?host=/socket/dir, ?sslmode=...)
 *
 * What a backend provides: a file pair (sqlite.c, and sqlite_sql.c for
 * its SQL) that fills a struct store_ops (backend.h) and a struct
 * store_sql (dialect.h), and an open function that store_open (open.c)
 * calls for its URLs.  backend.c makes every store_ call through the
 * op of the same name; "optional" ops may be NULL, and the call then
 * does what the note says.
 *
 *   struct store_ops (a connection)
 *	sql			its dialect, struct store_sql below
 *	close			store_close (the cached statements are
 *				finalized before)
 *	exec, prepare, finalize	store_exec, store_prepare, store_finalize
 *	create			optional: store_create (store_exec)
 *	bind_null, bind_int, bind_real, bind_text, bind_text_ref,
 *	bind_blob		the bind calls
 *	step, reset		store_step, store_reset
 *	few_rows		optional: store_few_rows (nothing)
 *	column_count, column_name, column_type, column_int, column_real,
 *	column_text, column_blob	the column calls
 *	changes			store_changes
 *	introspect		store_introspect (out is initialised; the
 *				dialect is set after)
 *	path			store_path
 *	size			store_size
 *	schema_version		store_schema_version
 *	has_table		store_has_table
 *	has_row_order		store_has_row_order
 *	upsert			store_upsert
 *	scratch_schema		store_scratch_schema (out is initialised;
 *				the dialect is set after)
 *	wal_frames		optional: store_wal_frames (0)
 *	autocheckpoint		optional: store_autocheckpoint (nothing)
 *	checkpoint		optional: store_checkpoint (0, nothing done)
 *	backup			optional: store_backup (an error saying there
 *				is none)
 *	reclaim			optional: store_reclaim (0, nothing to do)
 *	migration_begin, migration_check, migration_end
 *				optional: store_migration_* (nothing to do)
 *	bulk_begin		optional: store_bulk_begin (NULL: the
 *				backend has no bulk path, store_has_bulk 0)
 *
 *   struct store_sql (its dialect, a constant)
 *	name			store_sql_name, store_dialect
 *	begin_write		the statement store_begin_immediate runs
 *				(NULL: "BEGIN")
 *	lock_tx			the statement store_lock runs, the name
 *				bound (NULL: nothing to run)
 *	row_order, insert_keep, temp_prefix
 *				store_sql_row_order, _insert_keep,
 *				_temp_prefix
 *	is_number, unix_secs, minute_text, min_max, now_iso
 *				the expressions of store_sql_*
 *	create_trigger, drop_trigger	store_sql_create_trigger, _drop_
 *	script_begin, script_end	store_sql_script_begin, _end
 */
#ifndef HEARTH_STORE_H
#define HEARTH_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/err.h"
#include "store/schema.h"
#include "store/store_sql.h"

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
#define STORE_DURABLE  0x4 /* a commit is on disk before it returns, even
			    * across a power cut ([hearth] durability =
			    * full): SQLite synchronous=FULL, PostgreSQL
			    * synchronous_commit=on whatever the server's
			    * default */

struct store;
struct store_stmt;

/*
 * Where a database is and how to log in: what store_open_at takes.
 * password_file holds the password of a PostgreSQL login, read at each
 * open (a rotated password takes effect without a restart); without it
 * libpq looks in PGPASSFILE, then ~/.pgpass.  A password is never in the
 * URL, hearth.ini or the command line.  durability is [hearth]
 * durability as written ("normal" or "full"; NULL: normal), checked by
 * store_open_at, which adds STORE_DURABLE for "full".
 */
struct store_where {
	char *url;
	char *basedir;        /* of a relative SQLite path; NULL: the cwd */
	char *password_file;  /* NULL: none */
	char *durability;     /* NULL: normal */
};

#define STORE_WHERE_INIT { NULL, NULL, NULL, NULL }

/* store_where_config: the database [hearth] db in cfg names (a relative
 * SQLite path is taken from hearth.ini's folder), [hearth]
 * password_file and [hearth] durability.  1 and w left empty when db is not set.  Release with
 * store_where_release. */
int store_where_config(struct store_where *w, const struct config *cfg);
/* store_where_copy: dst (empty) gets copies of src's strings. */
void store_where_copy(struct store_where *dst, const struct store_where *src);
void store_where_release(struct store_where *w);

/* store_open_config: store_open_at of store_where_config(cfg); "no
 * database configured" when [hearth] db is not set. */
int store_open_config(struct store **out, const struct config *cfg,
		      int flags, struct hearth_err *err);

/* store_open_at: store_open of w; an unknown durability is an error
 * naming it. */
int store_open_at(struct store **out, const struct store_where *w, int flags,
		  struct hearth_err *err);

/*
 * store_open: connect to the database at url.  A relative SQLite path is
 * taken relative to basedir (NULL: the working directory).  Without
 * STORE_CREATE a missing SQLite file is an error.  Close with store_close.
 */
int store_open(struct store **out, const char *url, const char *basedir,
	       int flags, struct hearth_err *err);
void store_close(struct store *s);

/* store_url_dialect: the dialect of the database url names, as
 * store_dialect would say once it is open: "postgresql" for
 * postgresql:// and postgres:// URLs, else "sqlite". */
const char *store_url_dialect(const char *url);

/* store_dialect: "sqlite" or "postgresql". */
const char *store_dialect(const struct store *s);
/* store_sql: the dialect of s, for the SQL callers write (store_sql.h);
 * it lives as long as the program. */
const struct store_sql *store_sql(const struct store *s);
/* store_path: the file behind a SQLite store (NULL for others/:memory:). */
const char *store_path(const struct store *s);

/* store_exec: run one or more statements without parameters. */
int store_exec(struct store *s, const char *sql, struct hearth_err *err);

/* store_create: run sql, statements that make hearth's own tables and
 * indexes where they are missing (CREATE ... IF NOT EXISTS), which other
 * connections may run at the same moment: one makes them, the others
 * find them made.  (PostgreSQL's IF NOT EXISTS alone lets two makers
 * race: the second fails on a unique index of the catalog.) */
int store_create(struct store *s, const char *sql, struct hearth_err *err);

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
/* store_few_rows: the caller reads at most a few thousand rows of st (a
 * chart's buckets), so the backend may fetch them in one piece rather
 * than row by row.  Call before the first step; it holds until st is
 * finalized. */
void store_few_rows(struct store_stmt *st);

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
 * (the dialect's begin_write), so two writers queue instead of
 * deadlocking. */
int store_begin(struct store *s, struct hearth_err *err);
int store_begin_immediate(struct store *s, struct hearth_err *err);
int store_commit(struct store *s, struct hearth_err *err);
int store_rollback(struct store *s, struct hearth_err *err);

/*
 * store_lock: inside a transaction begun with store_begin_immediate,
 * wait for the lock called name, held then until the transaction ends;
 * every connection to the database that asks for the same name queues.
 * For a writer that looks before it inserts (is this mail stored
 * already?): two of them in the same moment would both find nothing.
 * Take it first, before the transaction writes anything, so that two
 * writers cannot each hold what the other waits for.  On SQLite it
 * does nothing: begin_write already holds the database's one write
 * lock; PostgreSQL's writers run side by side, until this lock.
 */
int store_lock(struct store *s, const char *name, struct hearth_err *err);

/* store_wal_frames: pages in the write-ahead log after the last commit
 * through s, counting every connection's (SQLite; 0 elsewhere, or before
 * s commits).  The log starts over once a checkpoint has copied all of it
 * and the next writer begins. */
int64_t store_wal_frames(const struct store *s);
/* store_autocheckpoint: checkpoint after a commit through s leaves the log
 * at least `frames` pages long (SQLite's wal_autocheckpoint, 1000 when the
 * store opens); 0 never. */
void store_autocheckpoint(struct store *s, int frames);

/* store_size: *out gets the bytes the database takes on disk (SQLite:
 * its file and write-ahead log; PostgreSQL: the database, as
 * pg_database_size counts it).  1 when known, 0 when the database has no
 * size to tell (SQLite's :memory:), -1 on error. */
int store_size(struct store *s, int64_t *out, struct hearth_err *err);

/* store_changes: rows changed by the last INSERT/UPDATE/DELETE. */
int64_t store_changes(struct store *s);

/* store_introspect: read the live schema into *out (initialised here;
 * release with schema_release); out->dialect is store_sql(s). */
int store_introspect(struct store *s, struct schema *out,
		     struct hearth_err *err);

/*
 * store_scratch_schema: the model of sql (a schema.sql: CREATE statements)
 * as a database of s's kind reads it, where loading it changes nothing:
 * SQLite loads it into a new in-memory database, PostgreSQL into a
 * schema of its own inside a transaction that is rolled back (s must be
 * outside a transaction; column types of the portable subset are taken
 * as PostgreSQL spells them: TIMESTAMP and DATETIME timestamptz, BLOB
 * bytea, REAL double precision).  Read back as store_introspect reads s, so the two compare like
 * with like.  *out is initialised here; release with schema_release.
 * Errors are the database's message, with the line of sql when it names
 * one ("line 3: ...").
 */
int store_scratch_schema(struct store *s, const char *sql, struct schema *out,
			 struct hearth_err *err);

/* store_schema_version: a number that changes whenever the schema of the
 * database does, whoever changes it; one cheap query, for a server that
 * keeps an introspected schema and asks before each request. */
int store_schema_version(struct store *s, int64_t *out,
			 struct hearth_err *err);

/* store_has_table: 1 when the database has a table called exactly name,
 * 0 when not, -1 on error. */
int store_has_table(struct store *s, const char *name,
		    struct hearth_err *err);

/* store_has_row_order: 1 when table's rows are numbered in insertion
 * order (store_sql_row_order), else 0 with *why (may be NULL) saying so,
 * naming the table ("table x has no rowid (WITHOUT ROWID)"). */
int store_has_row_order(struct store *s, const char *table,
			struct hearth_err *why);

/* store_upsert: append to b the clause (space first), up to and
 * including SET, that makes an INSERT into table update the stored row
 * whose key (primary key or a unique index, any of them) the new row
 * repeats, instead of failing; the caller appends the assignments, in
 * which excluded.col is the value the new row gives.  A backend that
 * must name the key finds it here, once per table. */
void store_upsert(struct store *s, struct buf *b, const char *table);

/* store_checkpoint: copy what a write-ahead log holds into the database
 * file, as much as can be copied without waiting for a reader or writer
 * (SQLite WAL; 0 and nothing done for a database without such a log). */
int store_checkpoint(struct store *s, struct hearth_err *err);

/*
 * store_backup: a consistent copy of the database, as of one moment, at
 * file (replaced), while other connections keep writing; checked before
 * it takes that name.  On any failure (a full disk included) -1, and no
 * file is left but the one that was there.  SQLite only: on PostgreSQL
 * the error says this is pg_dump's job, with the command to run.
 */
int store_backup(struct store *s, const char *file, struct hearth_err *err);

/*
 * store_reclaim: give the space of deleted rows back to the file system,
 * in short write transactions: *freed pages were, *left free pages stay
 * in the file.  SQLite can only with auto_vacuum = INCREMENTAL, which
 * databases hearth creates have; an older file keeps its free pages
 * (*left) for new rows until a VACUUM rewrites it.  PostgreSQL's own
 * autovacuum does this: 0 and nothing done.
 */
int store_reclaim(struct store *s, int64_t *freed, int64_t *left,
		  struct hearth_err *err);

/*
 * A schema change (a revision), in this order:
 *	store_migration_begin	before its transaction begins (when it
 *				fails, there is nothing to end)
 *	store_begin_immediate ... the revision ... store_migration_check
 *	store_commit or store_rollback
 *	store_migration_end	after a begin that worked, whatever came
 *				after it
 * Between begin and end a table may be dropped and made again while rows
 * of other tables refer to it, without cascading (SQLite ignores
 * PRAGMA foreign_keys inside a transaction, hence before); the check then
 * fails, naming a row, when a foreign key does not hold.  Begin may also
 * make the copies of table rebuilds cheaper.
 */
int store_migration_begin(struct store *s, struct hearth_err *err);
int store_migration_check(struct store *s, struct hearth_err *err);
void store_migration_end(struct store *s);

/*
 * Bulk load: rows into one table through the database's own bulk path
 * (PostgreSQL: COPY ... FROM STDIN), where a backend has one
 * (store_has_bulk).  It takes the rows a multi-row INSERT would, with no
 * upsert, and costs the server a fraction of their INSERTs.
 *
 *   struct store_bulk *bk;
 *   if (store_bulk_begin(s, "readings", cols, 3, &bk, err) == 0) {
 *           for each row: store_bulk_int/_real/_text/_null for each
 *                         column, in cols' order, then store_bulk_row
 *           rc = store_bulk_end(bk, &bad, err);     (frees bk)
 *   }
 *
 * A load is one statement: all its rows or none.  When the database
 * refuses one, store_bulk_end returns -1, nothing of the load is stored,
 * the transaction around it goes on (the backend loads under a
 * savepoint), and *bad is the refused row (0-based in this load), or -1
 * when the database does not say which (a foreign key checked at the
 * end of the statement, a trigger's error).  Values are copied at once;
 * text may hold any byte but NUL.  While a load is open, s runs nothing
 * else.
 */
struct store_bulk;

int store_has_bulk(const struct store *s);
int store_bulk_begin(struct store *s, const char *table,
		     const char *const *cols, size_t ncols,
		     struct store_bulk **out, struct hearth_err *err);
void store_bulk_null(struct store_bulk *bk);
void store_bulk_int(struct store_bulk *bk, int64_t v);
void store_bulk_real(struct store_bulk *bk, double v);
void store_bulk_text(struct store_bulk *bk, const char *p, size_t n);
/* store_bulk_row: the row's values are all given; -1 when sending rows
 * to the server failed (then end the load, which reports it). */
int store_bulk_row(struct store_bulk *bk, struct hearth_err *err);
int store_bulk_end(struct store_bulk *bk, int64_t *bad,
		   struct hearth_err *err);

/* store_quote_ident: append "name" to b, doubling embedded quotes. */
void store_quote_ident(struct buf *b, const char *name);
/* store_quote_string: append s to b as an SQL string literal ('it''s'),
 * for SQL that cannot take a bound value (a trigger's body, a script). */
void store_quote_string(struct buf *b, const char *s);

/* Convenience: run a query whose first row's first column is an integer;
 * *out is untouched when there is no row.  Parameters are text values
 * (NULL-terminated list).  Returns 1 if a row was found, 0 if not, -1. */
int store_query_int(struct store *s, const char *sql, int64_t *out,
		    struct hearth_err *err, ...);

#endif

/*
 * store/sqlite.c - the SQLite backend.
 *
 * Connections get a busy timeout (writers queue instead of failing at
 * once), foreign keys on, and synchronous=NORMAL: in WAL mode a crash of
 * the program loses nothing committed and a power cut can lose the last
 * commits before a checkpoint, never the file's consistency.
 * STORE_DURABLE (durability = full) makes it FULL: the log is synced at
 * every commit, which costs a sync per transaction.  WAL itself is
 * switched on when hearth creates a database; an existing file keeps its
 * journal mode so other tools see it unchanged.
 */
#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/sqlite.h"

#include "store/backend.h"
#include "store/sqlite_backup.h"
#include "store/sqlite_sql.h"
#include "store/walvfs.h"
#include "base/xalloc.h"

struct sqlite_store {
	struct store base;
	sqlite3 *db;
	char *path;
	int64_t wal_frames; /* after the last commit (wal_hook) */
	int autocheckpoint; /* frames; 0 never */
};

struct sqlite_stmt {
	struct store_stmt base;
	sqlite3_stmt *st;
	struct sqlite_store *owner;
};

static const struct store_ops sqlite_ops;

#define DB(s) (((struct sqlite_store *)(s))->db)
#define ST(st) (((struct sqlite_stmt *)(st))->st)

static void sq_close(struct store *s)
{
	struct sqlite_store *ss = (struct sqlite_store *)s;

	sqlite3_close_v2(ss->db);
	free(ss->path);
	free(ss);
}

static int sq_exec(struct store *s, const char *sql, struct hearth_err *err)
{
	char *msg = NULL;

	if (sqlite3_exec(DB(s), sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(err, "%s", msg ? msg : sqlite3_errmsg(DB(s)));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

static int sq_prepare(struct store *s, const char *sql,
		      struct store_stmt **out, struct hearth_err *err)
{
	struct sqlite_stmt *st;
	sqlite3_stmt *raw = NULL;
	const char *tail = NULL;

	if (sqlite3_prepare_v2(DB(s), sql, -1, &raw, &tail) != SQLITE_OK)
		return err_set(err, "%s", sqlite3_errmsg(DB(s)));
	if (!raw)
		return err_set(err, "empty sql statement");
	while (tail && (*tail == ' ' || *tail == '\n' || *tail == '\t' ||
			*tail == ';' || *tail == '\r'))
		tail++;
	if (tail && *tail) {
		sqlite3_finalize(raw);
		return err_set(err, "more than one sql statement given");
	}
	st = xcalloc(1, sizeof(*st));
	st->base.ops = &sqlite_ops;
	st->st = raw;
	st->owner = (struct sqlite_store *)s;
	*out = &st->base;
	return 0;
}

static void sq_finalize(struct store_stmt *st)
{
	sqlite3_finalize(ST(st));
	free(st);
}

static int sq_bind_null(struct store_stmt *st, int i)
{
	return sqlite3_bind_null(ST(st), i) == SQLITE_OK ? 0 : -1;
}

static int sq_bind_int(struct store_stmt *st, int i, int64_t v)
{
	return sqlite3_bind_int64(ST(st), i, v) == SQLITE_OK ? 0 : -1;
}

static int sq_bind_real(struct store_stmt *st, int i, double v)
{
	return sqlite3_bind_double(ST(st), i, v) == SQLITE_OK ? 0 : -1;
}

static int sq_bind_text(struct store_stmt *st, int i, const char *p, size_t n)
{
	return sqlite3_bind_text64(ST(st), i, p, n, SQLITE_TRANSIENT,
				   SQLITE_UTF8) == SQLITE_OK ? 0 : -1;
}

static int sq_bind_text_ref(struct store_stmt *st, int i, const char *p,
			    size_t n)
{
	return sqlite3_bind_text64(ST(st), i, p, n, SQLITE_STATIC,
				   SQLITE_UTF8) == SQLITE_OK ? 0 : -1;
}

static int sq_bind_blob(struct store_stmt *st, int i, const void *p, size_t n)
{
	return sqlite3_bind_blob64(ST(st), i, p, n, SQLITE_TRANSIENT) ==
			       SQLITE_OK ? 0 : -1;
}

static int sq_step(struct store_stmt *st, struct hearth_err *err)
{
	int rc = sqlite3_step(ST(st));

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	err_set(err, "%s", sqlite3_errmsg(sqlite3_db_handle(ST(st))));
	/* Reset so the failed statement releases its locks; in a
	 * transaction SQLite already undid just this statement. */
	sqlite3_reset(ST(st));
	return -1;
}

static void sq_reset(struct store_stmt *st)
{
	sqlite3_reset(ST(st));
	sqlite3_clear_bindings(ST(st));
}

static int sq_column_count(struct store_stmt *st)
{
	return sqlite3_column_count(ST(st));
}

static const char *sq_column_name(struct store_stmt *st, int i)
{
	return sqlite3_column_name(ST(st), i);
}

static enum store_type sq_column_type(struct store_stmt *st, int i)
{
	switch (sqlite3_column_type(ST(st), i)) {
	case SQLITE_INTEGER:
		return STORE_INT;
	case SQLITE_FLOAT:
		return STORE_REAL;
	case SQLITE_TEXT:
		return STORE_TEXT;
	case SQLITE_BLOB:
		return STORE_BLOB;
	default:
		return STORE_NULL;
	}
}

static int64_t sq_column_int(struct store_stmt *st, int i)
{
	return sqlite3_column_int64(ST(st), i);
}

static double sq_column_real(struct store_stmt *st, int i)
{
	return sqlite3_column_double(ST(st), i);
}

static const char *sq_column_text(struct store_stmt *st, int i, size_t *len)
{
	const char *p = (const char *)sqlite3_column_text(ST(st), i);

	if (len)
		*len = (size_t)sqlite3_column_bytes(ST(st), i);
	return p ? p : "";
}

static const void *sq_column_blob(struct store_stmt *st, int i, size_t *len)
{
	const void *p = sqlite3_column_blob(ST(st), i);

	if (len)
		*len = (size_t)sqlite3_column_bytes(ST(st), i);
	return p;
}

static int64_t sq_changes(struct store *s)
{
	return sqlite3_changes64(DB(s));
}

static const char *sq_path(const struct store *s)
{
	return ((const struct sqlite_store *)s)->path;
}

/* The file and its log: what a reader of the disk sees it take. */
static int sq_size(struct store *s, int64_t *out, struct hearth_err *err)
{
	const char *path = sq_path(s);
	const char *const suffix[] = { "", "-wal" };
	struct buf p = BUF_INIT;
	struct stat st;
	size_t i;

	(void)err;
	if (!path)
		return 0;
	for (i = 0; i < 2; i++) {
		buf_reset(&p);
		buf_addf(&p, "%s%s", path, suffix[i]);
		if (stat(p.s, &st) == 0)
			*out += (int64_t)st.st_size;
	}
	buf_release(&p);
	return 1;
}

static char *dup_col(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return t ? xstrdup((const char *)t) : NULL;
}

/* The predicate of a partial index is the text after its last WHERE; the
 * pragmas do not report it. */
static char *index_where(const char *sql)
{
	const char *p, *last = NULL;

	if (!sql)
		return NULL;
	for (p = sql; *p; p++)
		if (!strncasecmp(p, " WHERE ", 7) ||
		    !strncasecmp(p, "\nWHERE ", 7) ||
		    !strncasecmp(p, ")WHERE ", 7))
			last = p + 7;
	return last ? xstrdup(last) : NULL;
}

/* The statements introspection runs per table, prepared once: `check`
 * on a schema of a hundred tables must feel instant. */
struct introspect_stmts {
	sqlite3_stmt *cols, *fks, *idx, *xinfo;
};

static int introspect_prepare(sqlite3 *db, struct introspect_stmts *q)
{
	return sqlite3_prepare_v2(db,
				  "SELECT name, type, \"notnull\", dflt_value, pk "
				  "FROM pragma_table_info(?1)",
				  -1, &q->cols, NULL) != SQLITE_OK ||
	       sqlite3_prepare_v2(db,
				  "SELECT id, seq, \"table\", \"from\", \"to\", "
				  "on_update, on_delete FROM "
				  "pragma_foreign_key_list(?1) ORDER BY id, seq",
				  -1, &q->fks, NULL) != SQLITE_OK ||
	       sqlite3_prepare_v2(db,
				  "SELECT name, \"unique\", origin "
				  "FROM pragma_index_list(?1) ORDER BY name",
				  -1, &q->idx, NULL) != SQLITE_OK ||
	       sqlite3_prepare_v2(db,
				  "SELECT name FROM pragma_index_xinfo(?1) "
				  "WHERE key ORDER BY seqno",
				  -1, &q->xinfo, NULL) != SQLITE_OK
		       ? -1 : 0;
}

static void introspect_finalize(struct introspect_stmts *q)
{
	sqlite3_finalize(q->cols);
	sqlite3_finalize(q->fks);
	sqlite3_finalize(q->idx);
	sqlite3_finalize(q->xinfo);
}

/* Index statements from sqlite_master, looked up by name (the pragmas do
 * not give them). */
struct index_sql {
	char **name, **sql;
	size_t n;
};

static const char *index_sql_find(const struct index_sql *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (!strcmp(m->name[i], name))
			return m->sql[i];
	return NULL;
}

static int introspect_table(sqlite3 *db, struct introspect_stmts *q,
			    const struct index_sql *ix, struct schema *out,
			    struct schema_table *t, struct hearth_err *err)
{
	sqlite3_stmt *st;
	int ret = -1, rc;

	st = q->cols;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct schema_column *c =
			schema_add_column(t, (const char *)sqlite3_column_text(st, 0));
		free(c->type);
		c->type = xstrdup((const char *)sqlite3_column_text(st, 1));
		c->notnull = sqlite3_column_int(st, 2);
		c->dflt = dup_col(st, 3);
		c->pk = sqlite3_column_int(st, 4);
	}
	if (rc != SQLITE_DONE)
		goto sqlerr;

	st = q->fks;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	{
		int last_id = -1;
		struct schema_fk *fk = NULL;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int id = sqlite3_column_int(st, 0);
			if (id != last_id || !fk) {
				fk = schema_add_fk(t);
				fk->ref_table = dup_col(st, 2);
				fk->on_update = dup_col(st, 5);
				fk->on_delete = dup_col(st, 6);
				last_id = id;
			}
			fk->from = xreallocarray(fk->from, fk->ncols + 1,
						 sizeof(char *));
			fk->to = xreallocarray(fk->to, fk->ncols + 1,
					       sizeof(char *));
			fk->from[fk->ncols] = dup_col(st, 3);
			fk->to[fk->ncols] = dup_col(st, 4);
			fk->ncols++;
		}
		if (rc != SQLITE_DONE)
			goto sqlerr;
	}

	st = q->idx;
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *origin = (const char *)sqlite3_column_text(st, 2);
		struct schema_index *x = schema_add_index(out, name, t->name);
		const char *sql = index_sql_find(ix, name);

		x->unique = sqlite3_column_int(st, 1);
		x->origin = origin && *origin == 'u' ? 'u'
			  : origin && *origin == 'p' ? 'p' : 'c';
		x->sql = sql ? xstrdup(sql) : NULL;
		x->where = index_where(x->sql);
		sqlite3_reset(q->xinfo);
		sqlite3_bind_text(q->xinfo, 1, name, -1, SQLITE_TRANSIENT);
		while ((rc = sqlite3_step(q->xinfo)) == SQLITE_ROW) {
			char *c = dup_col(q->xinfo, 0);
			x->cols = xreallocarray(x->cols, x->ncols + 1,
						sizeof(char *));
			x->cols[x->ncols++] = c ? c : xstrdup("<expression>");
		}
		if (rc != SQLITE_DONE)
			goto sqlerr;
	}
	if (rc != SQLITE_DONE)
		goto sqlerr;
	ret = 0;
	goto out;
sqlerr:
	err_set(err, "introspecting table %s: %s", t->name, sqlite3_errmsg(db));
out:
	sqlite3_reset(q->cols);
	sqlite3_reset(q->fks);
	sqlite3_reset(q->idx);
	sqlite3_reset(q->xinfo);
	return ret;
}

static int sq_introspect(struct store *s, struct schema *out,
			 struct hearth_err *err)
{
	sqlite3 *db = DB(s);
	sqlite3_stmt *st = NULL;
	struct introspect_stmts q = { NULL, NULL, NULL, NULL };
	struct index_sql ix = { NULL, NULL, 0 };
	int ret = -1, rc;
	size_t i;

	if (sqlite3_prepare_v2(db,
			       "SELECT type, name, tbl_name, sql FROM sqlite_master "
			       "WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
			       "AND type IN ('table', 'view', 'trigger', 'index') "
			       "ORDER BY type, name",
			       -1, &st, NULL) != SQLITE_OK)
		goto sqlerr;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(st, 0);
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *tbl = (const char *)sqlite3_column_text(st, 2);
		const char *sql = (const char *)sqlite3_column_text(st, 3);

		if (!strcmp(type, "table")) {
			struct schema_table *t = schema_add_table(out, name);
			t->sql = sql ? xstrdup(sql) : NULL;
			schema_table_parse_sql(t);
		} else if (!strcmp(type, "view")) {
			schema_add_object(&out->views, &out->nviews, name, NULL,
					  sql);
		} else if (!strcmp(type, "trigger")) {
			schema_add_object(&out->triggers, &out->ntriggers, name,
					  tbl, sql);
		} else if (sql) {
			ix.name = xreallocarray(ix.name, ix.n + 1, sizeof(char *));
			ix.sql = xreallocarray(ix.sql, ix.n + 1, sizeof(char *));
			ix.name[ix.n] = xstrdup(name);
			ix.sql[ix.n++] = xstrdup(sql);
		}
	}
	if (rc != SQLITE_DONE)
		goto sqlerr;
	if (introspect_prepare(db, &q) < 0)
		goto sqlerr;
	for (i = 0; i < out->ntables; i++)
		if (introspect_table(db, &q, &ix, out, &out->tables[i], err) < 0)
			goto out;
	ret = 0;
	goto out;
sqlerr:
	err_set(err, "introspecting database: %s", sqlite3_errmsg(db));
out:
	sqlite3_finalize(st);
	introspect_finalize(&q);
	for (i = 0; i < ix.n; i++) {
		free(ix.name[i]);
		free(ix.sql[i]);
	}
	free(ix.name);
	free(ix.sql);
	if (ret < 0)
		schema_release(out);
	return ret;
}

/* SQLite takes a view over a table or column that is not there and
 * fails only when the view is read (or, later, in every ALTER TABLE
 * RENAME): each is read once, as PostgreSQL checks it when made. */
static int check_views(struct store *scratch, const struct schema *m,
		       struct hearth_err *err)
{
	size_t i;
	int ret = 0;

	for (i = 0; ret == 0 && i < m->nviews; i++) {
		struct buf q = BUF_INIT;
		buf_addstr(&q, "SELECT * FROM ");
		store_quote_ident(&q, m->views[i].name);
		buf_addstr(&q, " LIMIT 0");
		if ((ret = store_exec(scratch, q.s, err)) < 0)
			err_prefix(err, "view %s", m->views[i].name);
		buf_release(&q);
	}
	return ret;
}

/* A database of its own, in memory: schema.sql cannot touch s. */
static int sq_scratch_schema(struct store *s, const char *sql,
			     struct schema *out, struct hearth_err *err)
{
	struct store *scratch = NULL;
	int ret = -1;

	(void)s;
	if (store_sqlite_open(&scratch, ":memory:", STORE_CREATE, err) < 0)
		return -1;
	if (store_exec(scratch, sql, err) == 0 &&
	    sq_introspect(scratch, out, err) == 0) {
		ret = check_views(scratch, out, err);
		if (ret < 0)
			schema_release(out);
	}
	store_close(scratch);
	return ret;
}

/* Called after every commit with the log's length.  Registering it
 * replaces SQLite's own hook, which is how wal_autocheckpoint works, so
 * this one checkpoints the same way. */
static int wal_hook(void *ctx, sqlite3 *db, const char *name, int frames)
{
	struct sqlite_store *ss = ctx;

	ss->wal_frames = frames;
	if (ss->autocheckpoint > 0 && frames >= ss->autocheckpoint)
		sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE,
					  NULL, NULL);
	return SQLITE_OK;
}

static int64_t sq_wal_frames(const struct store *s)
{
	return ((const struct sqlite_store *)s)->wal_frames;
}

static void sq_autocheckpoint(struct store *s, int frames)
{
	((struct sqlite_store *)s)->autocheckpoint = frames;
}

static int sq_checkpoint(struct store *s, struct hearth_err *err)
{
	/* PASSIVE never waits.  Busy means another connection is
	 * checkpointing: less is copied this time, as PRAGMA wal_checkpoint
	 * would say with a row rather than an error. */
	int rc = sqlite3_wal_checkpoint_v2(DB(s), NULL,
					   SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		return err_set(err, "checkpoint: %s", sqlite3_errmsg(DB(s)));
	return 0;
}

static int sq_backup(struct store *s, const char *file,
		     struct hearth_err *err)
{
	return sqlite_backup(DB(s), file, err);
}

/* Free pages back to the file system, a few at a time, each step a
 * short write transaction of its own (incremental_vacuum takes the write
 * lock); only a database made with auto_vacuum = INCREMENTAL can. */
static int sq_reclaim(struct store *s, int64_t *freed, int64_t *left,
		      struct hearth_err *err)
{
	int64_t mode = 0, before = 0, after = 0;

	*freed = *left = 0;
	if (store_query_int(s, "PRAGMA auto_vacuum", &mode, err,
			    (const char *)NULL) < 0 ||
	    store_query_int(s, "PRAGMA freelist_count", &before, err,
			    (const char *)NULL) < 0)
		return -1;
	if (mode != 2) {
		*left = before;
		return 0;
	}
	for (after = before; after > 0;) {
		int64_t prev = after;
		if (sq_exec(s, "PRAGMA incremental_vacuum(256)", err) < 0 ||
		    store_query_int(s, "PRAGMA freelist_count", &after, err,
				    (const char *)NULL) < 0)
			return -1;
		if (after >= prev)
			break;
	}
	*freed = before - after;
	*left = after;
	return 0;
}

static const struct store_ops sqlite_ops = {
	.sql = &sqlite_sql,
	.close = sq_close,
	.exec = sq_exec,
	.prepare = sq_prepare,
	.finalize = sq_finalize,
	.bind_null = sq_bind_null,
	.bind_int = sq_bind_int,
	.bind_real = sq_bind_real,
	.bind_text = sq_bind_text,
	.bind_text_ref = sq_bind_text_ref,
	.bind_blob = sq_bind_blob,
	.step = sq_step,
	.reset = sq_reset,
	.column_count = sq_column_count,
	.column_name = sq_column_name,
	.column_type = sq_column_type,
	.column_int = sq_column_int,
	.column_real = sq_column_real,
	.column_text = sq_column_text,
	.column_blob = sq_column_blob,
	.changes = sq_changes,
	.introspect = sq_introspect,
	.path = sq_path,
	.size = sq_size,
	.schema_version = sqlite_sql_schema_version,
	.has_table = sqlite_sql_has_table,
	.has_row_order = sqlite_sql_has_row_order,
	.upsert = sqlite_sql_upsert,
	.scratch_schema = sq_scratch_schema,
	.wal_frames = sq_wal_frames,
	.autocheckpoint = sq_autocheckpoint,
	.checkpoint = sq_checkpoint,
	.backup = sq_backup,
	.reclaim = sq_reclaim,
	.migration_begin = sqlite_sql_migration_begin,
	.migration_check = sqlite_sql_migration_check,
	.migration_end = sqlite_sql_migration_end,
};

static int have_walvfs; /* set once, by configure_once */

/* SQLite counts every allocation for sqlite3_memory_used() under one
 * global mutex, which every connection's threads then queue on; hearth
 * never asks.  Must run before SQLite initialises. */
static void configure_once(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	/* Without it, the default VFS does the same, in more calls. */
	have_walvfs = walvfs_register() == SQLITE_OK;
}

int store_sqlite_open(struct store **out, const char *path, int flags,
		      struct hearth_err *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct sqlite_store *ss;
	int oflags, memory = !strcmp(path, ":memory:"), created = 0;
	struct stat sb;

	if (!memory && stat(path, &sb) < 0) {
		if (errno != ENOENT || !(flags & STORE_CREATE))
			return err_set(err, "database %s: %s%s", path,
				       strerror(errno),
				       errno == ENOENT
					       ? " (run 'hearth init' to create it)"
					       : "");
		created = 1;
	}
	if (flags & STORE_READONLY)
		oflags = SQLITE_OPEN_READONLY;
	else
		oflags = SQLITE_OPEN_READWRITE |
			 ((flags & STORE_CREATE) ? SQLITE_OPEN_CREATE : 0);
	ss = xcalloc(1, sizeof(*ss));
	ss->base.ops = &sqlite_ops;
	ss->path = memory ? NULL : xstrdup(path);
	pthread_once(&once, configure_once);
	if (sqlite3_open_v2(path, &ss->db, oflags | SQLITE_OPEN_NOMUTEX,
			    have_walvfs ? WALVFS_NAME : NULL) != SQLITE_OK) {
		err_set(err, "database %s: %s", path,
			ss->db ? sqlite3_errmsg(ss->db) : "cannot open");
		sq_close(&ss->base);
		return -1;
	}
	sqlite3_busy_timeout(ss->db, 10000);
	sqlite3_extended_result_codes(ss->db, 0);
	ss->autocheckpoint = 1000; /* SQLite's default */
	sqlite3_wal_hook(ss->db, wal_hook, ss);
	/* A file that is not a database fails here, with a clear message,
	 * rather than at the first real statement. */
	if (sq_exec(&ss->base,
		    (flags & STORE_DURABLE)
			    ? "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; "
			      "SELECT count(*) FROM sqlite_master"
			    : "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; "
			      "SELECT count(*) FROM sqlite_master",
		    err) < 0) {
		err_prefix(err, "database %s", path);
		sq_close(&ss->base);
		return -1;
	}
	/* auto_vacuum must be set before the first table: it lets
	 * store_reclaim give the pages of deleted rows (retention) back to
	 * the file system without rewriting the file. */
	if (created && !memory &&
	    sq_exec(&ss->base, "PRAGMA auto_vacuum = INCREMENTAL; "
		    "PRAGMA journal_mode = WAL", err) < 0) {
		sq_close(&ss->base);
		return -1;
	}
	*out = &ss->base;
	return 0;
}

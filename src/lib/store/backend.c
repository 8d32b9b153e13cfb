/*
 * backend.c - the store.h calls, through a backend's ops (backend.h),
 * and what every backend shares: the statement cache, transactions,
 * quoting.
 */
#include "store/store.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "store/backend.h"
#include "base/xalloc.h"

void store_close(struct store *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < STORE_CACHE; i++) {
		store_finalize(s->cache[i].st);
		free(s->cache[i].sql);
	}
	s->ops->close(s);
}

const char *store_dialect(const struct store *s)
{
	return s->ops->sql->name;
}

const struct store_sql *store_sql(const struct store *s)
{
	return s->ops->sql;
}

const char *store_path(const struct store *s)
{
	return s->ops->path(s);
}

int store_size(struct store *s, int64_t *out, struct hearth_err *err)
{
	*out = 0;
	return s->ops->size(s, out, err);
}

int64_t store_wal_frames(const struct store *s)
{
	return s->ops->wal_frames ? s->ops->wal_frames(s) : 0;
}

void store_autocheckpoint(struct store *s, int frames)
{
	if (s->ops->autocheckpoint)
		s->ops->autocheckpoint(s, frames);
}

int store_exec(struct store *s, const char *sql, struct hearth_err *err)
{
	return s->ops->exec(s, sql, err);
}

int store_create(struct store *s, const char *sql, struct hearth_err *err)
{
	return s->ops->create ? s->ops->create(s, sql, err)
			      : s->ops->exec(s, sql, err);
}

int store_prepare(struct store *s, const char *sql, struct store_stmt **out,
		  struct hearth_err *err)
{
	return s->ops->prepare(s, sql, out, err);
}

int store_cached(struct store *s, const char *sql, struct store_stmt **out,
		 struct hearth_err *err)
{
	struct store_cached *c, *oldest = &s->cache[0];
	size_t i;

	for (i = 0; i < STORE_CACHE; i++) {
		c = &s->cache[i];
		if (c->sql && !strcmp(c->sql, sql)) {
			c->used = ++s->clock;
			*out = c->st;
			return 0;
		}
		if (c->used < oldest->used)
			oldest = c;
	}
	if (store_prepare(s, sql, out, err) < 0)
		return -1;
	store_finalize(oldest->st);
	free(oldest->sql);
	oldest->sql = xstrdup(sql);
	oldest->st = *out;
	oldest->used = ++s->clock;
	return 0;
}

void store_finalize(struct store_stmt *st)
{
	if (st)
		st->ops->finalize(st);
}

int store_bind_null(struct store_stmt *st, int i)
{
	return st->ops->bind_null(st, i);
}

int store_bind_int(struct store_stmt *st, int i, int64_t v)
{
	return st->ops->bind_int(st, i, v);
}

int store_bind_real(struct store_stmt *st, int i, double v)
{
	return st->ops->bind_real(st, i, v);
}

int store_bind_text(struct store_stmt *st, int i, const char *p, size_t n)
{
	return st->ops->bind_text(st, i, p, n);
}

int store_bind_text_ref(struct store_stmt *st, int i, const char *p,
			size_t n)
{
	return st->ops->bind_text_ref(st, i, p, n);
}

int store_bind_blob(struct store_stmt *st, int i, const void *p, size_t n)
{
	return st->ops->bind_blob(st, i, p, n);
}

int store_step(struct store_stmt *st, struct hearth_err *err)
{
	return st->ops->step(st, err);
}

void store_reset(struct store_stmt *st)
{
	st->ops->reset(st);
}

void store_few_rows(struct store_stmt *st)
{
	if (st->ops->few_rows)
		st->ops->few_rows(st);
}

int store_column_count(struct store_stmt *st)
{
	return st->ops->column_count(st);
}

const char *store_column_name(struct store_stmt *st, int i)
{
	return st->ops->column_name(st, i);
}

enum store_type store_column_type(struct store_stmt *st, int i)
{
	return st->ops->column_type(st, i);
}

int64_t store_column_int(struct store_stmt *st, int i)
{
	return st->ops->column_int(st, i);
}

double store_column_real(struct store_stmt *st, int i)
{
	return st->ops->column_real(st, i);
}

const char *store_column_text(struct store_stmt *st, int i, size_t *len)
{
	return st->ops->column_text(st, i, len);
}

const void *store_column_blob(struct store_stmt *st, int i, size_t *len)
{
	return st->ops->column_blob(st, i, len);
}

/* Cached: a server connection begins and commits for every request. */
static int tx(struct store *s, const char *sql, int in_tx_after,
	      struct hearth_err *err)
{
	struct store_stmt *st;
	int rc;

	if (store_cached(s, sql, &st, err) < 0)
		return -1;
	rc = store_step(st, err);
	store_reset(st);
	if (rc < 0)
		return -1;
	s->in_tx = in_tx_after;
	return 0;
}

int store_begin(struct store *s, struct hearth_err *err)
{
	return tx(s, "BEGIN", 1, err);
}

int store_begin_immediate(struct store *s, struct hearth_err *err)
{
	const char *sql = s->ops->sql->begin_write;

	return tx(s, sql ? sql : "BEGIN", 1, err);
}

int store_lock(struct store *s, const char *name, struct hearth_err *err)
{
	const char *sql = s->ops->sql->lock_tx;
	struct store_stmt *st;
	int rc;

	if (!sql)
		return 0;
	if (store_cached(s, sql, &st, err) < 0)
		return -1;
	store_bind_text(st, 1, name, strlen(name));
	rc = store_step(st, err);
	store_reset(st);
	return rc < 0 ? -1 : 0;
}

int store_commit(struct store *s, struct hearth_err *err)
{
	return tx(s, "COMMIT", 0, err);
}

int store_rollback(struct store *s, struct hearth_err *err)
{
	return tx(s, "ROLLBACK", 0, err);
}

int64_t store_changes(struct store *s)
{
	return s->ops->changes(s);
}

int store_introspect(struct store *s, struct schema *out,
		     struct hearth_err *err)
{
	schema_init(out);
	if (s->ops->introspect(s, out, err) < 0)
		return -1;
	out->dialect = s->ops->sql;
	return 0;
}

int store_scratch_schema(struct store *s, const char *sql, struct schema *out,
			 struct hearth_err *err)
{
	schema_init(out);
	if (s->ops->scratch_schema(s, sql, out, err) < 0)
		return -1;
	out->dialect = s->ops->sql;
	return 0;
}

int store_schema_version(struct store *s, int64_t *out,
			 struct hearth_err *err)
{
	return s->ops->schema_version(s, out, err);
}

int store_has_table(struct store *s, const char *name,
		    struct hearth_err *err)
{
	return s->ops->has_table(s, name, err);
}

int store_has_row_order(struct store *s, const char *table,
			struct hearth_err *why)
{
	return s->ops->has_row_order(s, table, why);
}

void store_upsert(struct store *s, struct buf *b, const char *table)
{
	s->ops->upsert(s, b, table);
}

int store_checkpoint(struct store *s, struct hearth_err *err)
{
	return s->ops->checkpoint ? s->ops->checkpoint(s, err) : 0;
}

int store_backup(struct store *s, const char *file, struct hearth_err *err)
{
	if (!s->ops->backup)
		return err_set(err, "a %s database has no backup in hearth",
			       store_dialect(s));
	return s->ops->backup(s, file, err);
}

int store_reclaim(struct store *s, int64_t *freed, int64_t *left,
		  struct hearth_err *err)
{
	*freed = *left = 0;
	return s->ops->reclaim ? s->ops->reclaim(s, freed, left, err) : 0;
}

int store_migration_begin(struct store *s, struct hearth_err *err)
{
	return s->ops->migration_begin ? s->ops->migration_begin(s, err) : 0;
}

int store_migration_check(struct store *s, struct hearth_err *err)
{
	return s->ops->migration_check ? s->ops->migration_check(s, err) : 0;
}

void store_migration_end(struct store *s)
{
	if (s->ops->migration_end)
		s->ops->migration_end(s);
}

/* s between two q, each q in it doubled: both kinds of SQL quoting. */
static void quote(struct buf *b, const char *s, char q)
{
	buf_addch(b, q);
	for (; *s; s++) {
		if (*s == q)
			buf_addch(b, q);
		buf_addch(b, *s);
	}
	buf_addch(b, q);
}

int store_has_bulk(const struct store *s)
{
	return s->ops->bulk_begin != NULL;
}

int store_bulk_begin(struct store *s, const char *table,
		     const char *const *cols, size_t ncols,
		     struct store_bulk **out, struct hearth_err *err)
{
	*out = NULL;
	if (!s->ops->bulk_begin)
		return err_set(err, "%s has no bulk load", store_dialect(s));
	return s->ops->bulk_begin(s, table, cols, ncols, out, err);
}

void store_bulk_null(struct store_bulk *bk)
{
	bk->ops->null(bk);
}

void store_bulk_int(struct store_bulk *bk, int64_t v)
{
	bk->ops->integer(bk, v);
}

void store_bulk_real(struct store_bulk *bk, double v)
{
	bk->ops->real(bk, v);
}

void store_bulk_text(struct store_bulk *bk, const char *p, size_t n)
{
	bk->ops->text(bk, p, n);
}

int store_bulk_row(struct store_bulk *bk, struct hearth_err *err)
{
	return bk->ops->row(bk, err);
}

int store_bulk_end(struct store_bulk *bk, int64_t *bad,
		   struct hearth_err *err)
{
	return bk->ops->end(bk, bad, err);
}

void store_quote_ident(struct buf *b, const char *name)
{
	quote(b, name, '"');
}

void store_quote_string(struct buf *b, const char *s)
{
	quote(b, s, '\'');
}

int store_query_int(struct store *s, const char *sql, int64_t *out,
		    struct hearth_err *err, ...)
{
	struct store_stmt *st = NULL;
	const char *arg;
	va_list ap;
	int i = 1, ret = -1, rc;

	if (store_cached(s, sql, &st, err) < 0)
		return -1;
	va_start(ap, err);
	while ((arg = va_arg(ap, const char *)))
		store_bind_text(st, i++, arg, strlen(arg));
	va_end(ap);
	rc = store_step(st, err);
	if (rc < 0)
		goto out;
	if (rc == 1 && store_column_type(st, 0) != STORE_NULL)
		*out = store_column_int(st, 0);
	ret = rc;
out:
	store_reset(st);
	return ret;
}

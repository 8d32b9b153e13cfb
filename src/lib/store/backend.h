/*
 * backend.h - what a storage backend provides (private to the store
 * folder): the ops of a connection, listed with the calls they back in
 * store.h (backend.c makes those calls through them), and the SQL of its
 * dialect (dialect.h).  The ops a backend may leave NULL are marked
 * "optional" there.
 */
#ifndef HEARTH_STORE_BACKEND_H
#define HEARTH_STORE_BACKEND_H

#include "store/dialect.h"
#include "store/store.h"

struct store_ops {
	const struct store_sql *sql;
	void (*close)(struct store *s);
	int (*exec)(struct store *s, const char *sql, struct hearth_err *err);
	int (*create)(struct store *s, const char *sql,
		      struct hearth_err *err); /* optional */
	int (*prepare)(struct store *s, const char *sql,
		       struct store_stmt **out, struct hearth_err *err);
	void (*finalize)(struct store_stmt *st);
	int (*bind_null)(struct store_stmt *st, int i);
	int (*bind_int)(struct store_stmt *st, int i, int64_t v);
	int (*bind_real)(struct store_stmt *st, int i, double v);
	int (*bind_text)(struct store_stmt *st, int i, const char *p, size_t n);
	int (*bind_text_ref)(struct store_stmt *st, int i, const char *p,
			     size_t n);
	int (*bind_blob)(struct store_stmt *st, int i, const void *p, size_t n);
	int (*step)(struct store_stmt *st, struct hearth_err *err);
	void (*reset)(struct store_stmt *st);
	void (*few_rows)(struct store_stmt *st);
	int (*column_count)(struct store_stmt *st);
	const char *(*column_name)(struct store_stmt *st, int i);
	enum store_type (*column_type)(struct store_stmt *st, int i);
	int64_t (*column_int)(struct store_stmt *st, int i);
	double (*column_real)(struct store_stmt *st, int i);
	const char *(*column_text)(struct store_stmt *st, int i, size_t *len);
	const void *(*column_blob)(struct store_stmt *st, int i, size_t *len);
	int64_t (*changes)(struct store *s);
	int (*introspect)(struct store *s, struct schema *out,
			  struct hearth_err *err);
	const char *(*path)(const struct store *s);
	int (*size)(struct store *s, int64_t *out, struct hearth_err *err);
	int (*schema_version)(struct store *s, int64_t *out,
			      struct hearth_err *err);
	int (*has_table)(struct store *s, const char *name,
			 struct hearth_err *err);
	int (*has_row_order)(struct store *s, const char *table,
			     struct hearth_err *why);
	void (*upsert)(struct store *s, struct buf *b, const char *table);
	int (*scratch_schema)(struct store *s, const char *sql,
			      struct schema *out, struct hearth_err *err);
	/* optional from here on */
	int64_t (*wal_frames)(const struct store *s);
	void (*autocheckpoint)(struct store *s, int frames);
	int (*checkpoint)(struct store *s, struct hearth_err *err);
	int (*backup)(struct store *s, const char *file, struct hearth_err *err);
	int (*reclaim)(struct store *s, int64_t *freed, int64_t *left,
		       struct hearth_err *err);
	int (*migration_begin)(struct store *s, struct hearth_err *err);
	int (*migration_check)(struct store *s, struct hearth_err *err);
	void (*migration_end)(struct store *s);
	int (*bulk_begin)(struct store *s, const char *table,
			  const char *const *cols, size_t ncols,
			  struct store_bulk **out, struct hearth_err *err);
};

/* A bulk load (store.h) starts with these: the backend's calls for it. */
struct store_bulk_ops {
	void (*null)(struct store_bulk *bk);
	void (*integer)(struct store_bulk *bk, int64_t v);
	void (*real)(struct store_bulk *bk, double v);
	void (*text)(struct store_bulk *bk, const char *p, size_t n);
	int (*row)(struct store_bulk *bk, struct hearth_err *err);
	int (*end)(struct store_bulk *bk, int64_t *bad, struct hearth_err *err);
};

struct store_bulk {
	const struct store_bulk_ops *ops;
};

/* A statement store_cached keeps, under the text it was compiled from. */
struct store_cached {
	char *sql;
	struct store_stmt *st;
	uint64_t used; /* when it was last asked for: the oldest goes first */
};

/* Every backend's struct store and struct store_stmt start with these
 * (a backend allocates its store zeroed). */
struct store {
	const struct store_ops *ops;
	int in_tx;
	struct store_cached cache[STORE_CACHE];
	uint64_t clock;
};

struct store_stmt {
	const struct store_ops *ops;
};

#endif

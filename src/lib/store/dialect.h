/*
 * dialect.h - what a backend's dialect provides (private to the store
 * folder): its pieces of SQL, as a constant table that store_sql.h's
 * calls read.  store.h lists each with the call it backs.
 */
#ifndef HEARTH_STORE_DIALECT_H
#define HEARTH_STORE_DIALECT_H

#include "base/buf.h"

struct store_sql {
	const char *name;
	const char *begin_write;
	const char *lock_tx;
	const char *row_order;
	const char *row_id;
	const char *insert_keep;
	const char *temp_prefix;
	const char *any_type;
	/* store_sql_column_type's names, by what a column holds: a time,
	 * integer, real, text, bytes, an exact number */
	const char *type_time, *type_int, *type_real, *type_text, *type_blob,
		*type_numeric;
	int typed;
	int error_aborts;
	void (*is_number)(struct buf *b, const char *expr);
	void (*unix_secs)(struct buf *b, const char *expr, const char *type);
	int (*time_at)(struct buf *b, const char *secs, const char *type);
	void (*minute_text)(struct buf *b, const char *secs, char sep,
			    const char *tail);
	void (*min_max)(struct buf *b, int max, const char *x, const char *y);
	void (*now_iso)(struct buf *b);
	void (*create_trigger)(struct buf *b, const char *name,
			       const char *event, const char *table,
			       const char *body);
	void (*drop_trigger)(struct buf *b, const char *name,
			     const char *table);
	void (*create_set_trigger)(struct buf *b, const char *name,
				   const char *event, const char *table,
				   const char *body);
	/* NULL: the statements go as they are */
	void (*trigger_guard)(struct buf *b, const char *stmts);
	void (*script_begin)(struct buf *b);
	void (*script_end)(struct buf *b);
	const char *(*type)(const char *name); /* NULL: names as written */
};

#endif

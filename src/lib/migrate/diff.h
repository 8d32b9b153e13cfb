/*
 * diff.h - compare two schema models: what must change to turn `from`
 * (usually the live database) into `to` (usually schema.sql).
 *
 * The operations come out in an order that can run as they are (ddl.h
 * turns them into SQL): views and triggers that are in the way are dropped
 * first, then indexes; tables are created, columns renamed and added,
 * tables rebuilt and dropped; indexes, views and triggers are created
 * last.  Objects named hearth_* are never compared.
 *
 * Ops point into both models, which must outlive the diff.
 */
#ifndef HEARTH_DIFF_H
#define HEARTH_DIFF_H

#include <stddef.h>

#include "store/schema.h"

enum diff_kind {
	DIFF_DROP_VIEW,
	DIFF_DROP_TRIGGER,
	DIFF_DROP_INDEX,
	DIFF_CREATE_TABLE,
	DIFF_RENAME_COLUMN, /* a likely rename: one column dropped, one of the
			       same type added; the user confirms it */
	DIFF_ADD_COLUMN,    /* a column ALTER TABLE ADD COLUMN can add */
	DIFF_REBUILD_TABLE, /* anything else: new table, copy rows, swap */
	DIFF_DROP_TABLE,
	DIFF_CREATE_INDEX,
	DIFF_CREATE_VIEW,
	DIFF_CREATE_TRIGGER,
};

struct diff_op {
	enum diff_kind kind;
	const struct schema_table *from;   /* table in `from` (drop, rename,
					      rebuild) */
	const struct schema_table *to;     /* table in `to` (create, add,
					      rebuild) */
	const struct schema_index *index;  /* create/drop index */
	const struct schema_object *obj;   /* views and triggers */
	const char *column;                /* add: the column; rename: old */
	const char *new_column;            /* rename: new name */
	char **copy;                       /* rebuild: columns copied */
	size_t ncopy;
	const struct schema_index **early; /* rebuild: indexes made before
					      the copy (on the time column:
					      rows come in its order, so
					      keeping the index as they go
					      beats sorting afterwards) */
	size_t nearly;
	char *why;                         /* one line for people, e.g.
					      "readings: type of r_watts
					      INTEGER -> REAL" */
	int loses_data;                    /* drops a table or column, or
					      narrows a type */
};

struct diff {
	struct diff_op *ops;
	size_t n;
};

#define DIFF_INIT { NULL, 0 }

/* diff_schemas: fill *out (initialised here); release with diff_release. */
void diff_schemas(const struct schema *from, const struct schema *to,
		  struct diff *out);
void diff_release(struct diff *d);

/* diff_symbol: "+", "-", "~" or "?" (rename) for an op, for listings. */
const char *diff_symbol(const struct diff_op *op);

#endif

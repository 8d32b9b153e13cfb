/*
 * diff_op.h - one schema change (struct diff_op) and the list of them
 * (struct diff): what diff_table.h and diff.h produce and ddl.h turns
 * into SQL.
 *
 * A list owns each op's why, copy and early (freed by diff_release); the
 * tables, indexes, objects and column names an op points to belong to
 * the two schema models compared, which must outlive the list.
 */
#ifndef HEARTH_DIFF_OP_H
#define HEARTH_DIFF_OP_H

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

/* diff_add_op: a new zeroed op of kind at the end of d, to fill in.  The
 * pointer is good until the next diff_add_op on d. */
struct diff_op *diff_add_op(struct diff *d, enum diff_kind kind);
/* diff_release: free every op's why, copy and early, and the list; d is
 * empty after. */
void diff_release(struct diff *d);

/* diff_symbol: "+", "-", "~" or "?" (rename) for an op, for listings. */
const char *diff_symbol(const struct diff_op *op);

/* Lists of strings, as op->copy: diff_push appends s (taken over) to the
 * list *v of *n strings; diff_free_list frees the strings and the list. */
void diff_push(char ***v, size_t *n, char *s);
void diff_free_list(char **v, size_t n);

#endif

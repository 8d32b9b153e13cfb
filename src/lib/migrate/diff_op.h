/*
 * diff_op.h - one schema change (struct diff_op) and the list of them
 * (struct diff): what diff_table.h and diff.h produce and ddl.h turns
 * into SQL.
 *
 * A list owns each op's why, copy, old and early (freed by diff_release); the
 * tables, indexes, objects and column names an op points to belong to
 * the two schema models compared, which must outlive the list.
 *
 * Renames the user said (struct diff_renames, from schema.sql's
 * annotations) go into a diff; the ones it finds alone are guesses.
 */
#ifndef HEARTH_DIFF_OP_H
#define HEARTH_DIFF_OP_H

#include <stddef.h>

#include "store/schema.h"

enum diff_kind {
	DIFF_DROP_VIEW,
	DIFF_DROP_TRIGGER,
	DIFF_DROP_INDEX,
	DIFF_RENAME_TABLE,  /* said: from -> to */
	DIFF_CREATE_TABLE,
	DIFF_RENAME_COLUMN, /* said, or a likely rename: one column dropped,
			       one of the same type added; the user
			       confirms it */
	DIFF_ADD_COLUMN,    /* a column ALTER TABLE ADD COLUMN can add */
	DIFF_REBUILD_TABLE, /* anything else: new table, copy rows, swap
			       (SQLite); ALTERs where the dialect has them */
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
	const struct schema_column **old;  /* rebuild: for each column of
					      `to`, the column of `from` it
					      was, NULL for a new one */
	const struct schema_index **early; /* rebuild: indexes made before
					      the copy (on the time column:
					      rows come in its order, so
					      keeping the index as they go
					      beats sorting afterwards) */
	size_t nearly;
	char *early_remake;                /* rebuild: early[i] is made only
					      because the rebuild drops it
					      (as remake) */
	int remake;                        /* create index: the index is the
					      same on both sides; it is made
					      again only because its table
					      is rebuilt (a dialect that
					      ALTERs in place keeps it) */
	char *why;                         /* one line for people, e.g.
					      "readings: type of r_watts
					      INTEGER -> REAL" */
	const char *said;                  /* renames: where the user said
					      so ("schema.sql line 4"), NULL
					      for a guess */
	int loses_data;                    /* drops a table or column, or
					      narrows a type */
};

struct diff {
	struct diff_op *ops;
	size_t n;
	/* the models compared (diff_schemas), which a dialect may read
	 * more of than an op names: a table's constraints and indexes */
	const struct schema *from, *to;
};

#define DIFF_INIT { NULL, 0, NULL, NULL }

/*
 * A rename the user said: table from_table (of the `from` model) is
 * to_table (of `to`), and when the columns are set, its column
 * from_column is to_column.  The strings are the list's.
 */
struct diff_rename {
	char *from_table, *to_table;
	char *from_column, *to_column; /* NULL for the table itself */
	char *said;                    /* "schema.sql line 4" */
};

struct diff_renames {
	struct diff_rename *v;
	size_t n;
};

#define DIFF_RENAMES_INIT { NULL, 0 }

/* diff_renames_add: append a rename (strings copied; columns may be
 * NULL). */
void diff_renames_add(struct diff_renames *r, const char *from_table,
		      const char *to_table, const char *from_column,
		      const char *to_column, const char *said);
/* diff_renames_reverse: *out (initialised here) says the same renames
 * the other way, for the diff back (a revision's down). */
void diff_renames_reverse(const struct diff_renames *r,
			  struct diff_renames *out);
void diff_renames_release(struct diff_renames *r);

/* Who is who across a rename (r may be NULL), names compared as SQL
 * compares identifiers:
 *   diff_table_from: the table of `from` that t (of `to`) was: the one a
 *	rename names, else the one of the same name that no rename takes
 *	elsewhere; NULL for a new table.
 *   diff_table_to: the same the other way, for t of `from`.
 *   diff_column_from: the column of a (of `from`) that column c of b (of
 *	`to`) was, as for tables; *said gets the rename's said (NULL: same
 *	name).  NULL for a new column.
 * The rename's said, for tables, through diff_table_said.
 *   diff_renamed: the name in `to` of table `table` of `from` (column
 *	NULL), or of its column `column`: what a rename says, else the
 *	name itself. */
const struct schema_table *diff_table_from(const struct diff_renames *r,
					   const struct schema *from,
					   const struct schema_table *t);
const struct schema_table *diff_table_to(const struct diff_renames *r,
					 const struct schema *to,
					 const struct schema_table *t);
const char *diff_table_said(const struct diff_renames *r,
			    const struct schema_table *from,
			    const struct schema_table *to);
const struct schema_column *diff_column_from(const struct diff_renames *r,
					     const struct schema_table *a,
					     const struct schema_table *b,
					     const struct schema_column *c,
					     const char **said);
const char *diff_renamed(const struct diff_renames *r, const char *table,
			 const char *column);

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

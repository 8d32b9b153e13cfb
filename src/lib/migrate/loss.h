/*
 * loss.h - what a schema change would destroy.
 *
 * Found by comparing the schema before and after a revision's SQL ran (so
 * hand-written revisions are guarded as well as generated ones): tables
 * and columns that are gone, unless a RENAME in the SQL took them
 * somewhere, and columns whose type narrowed (schema_type_narrows).  Rows
 * are then counted in the state before the change; only a loss of actual
 * data counts.
 *
 * Also what a change cannot do with rows there: fill a column added NOT
 * NULL without a default (loss_find_unfilled), so autogenerate can say
 * the upgrade will fail before it does.
 */
#ifndef HEARTH_LOSS_H
#define HEARTH_LOSS_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "migrate/diff_op.h"
#include "store/schema.h"
#include "store/store.h"

struct loss_item {
	char *table;
	char *column;  /* NULL: the whole table is dropped */
	char *to_type; /* set when the column's type narrows to it ... */
	char *from_type; /* ... from this one */
	int unfilled;  /* column is added NOT NULL with no default */
	int64_t rows;  /* rows (with a value in column; for unfilled, all;
			  for a narrowing, the values it would change)
			  before the change */
	char *example; /* a narrowing: one value it would change */
};

struct loss_report {
	struct loss_item *items;
	size_t n;
};

#define LOSS_REPORT_INIT { NULL, 0 }

/* loss_find: fill *out (initialised here) with what `sql` took from
 * `before` to give `after`. */
void loss_find(const struct schema *before, const struct schema *after,
	       const char *sql, struct loss_report *out);

/* loss_find_unfilled: fill *out (initialised here) with the columns d
 * adds NOT NULL without a default to a table that exists (to rebuild
 * or alter): unfilled items naming the table as the database does
 * before d runs. */
void loss_find_unfilled(const struct diff *d, struct loss_report *out);

/* loss_count: fill each item's rows, querying s (in the before state;
 * names come from its schema and are quoted). */
int loss_count(struct store *s, struct loss_report *r, struct hearth_err *err);

/* loss_describe: append "drops table t (12 rows), ..." for items that hold
 * rows; returns how many do. */
size_t loss_describe(const struct loss_report *r, struct buf *out);

void loss_report_release(struct loss_report *r);

#endif

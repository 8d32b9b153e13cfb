/*
 * diff_table.h - what changed in one table present in both models: its
 * columns (with likely renames), keys, CHECKs, collations and options,
 * and whether SQLite needs a rebuild for it.
 *
 * A lower part of diff.h: it knows one table and its unique indexes,
 * nothing of the order of a whole diff, views or other tables.
 */
#ifndef HEARTH_DIFF_TABLE_H
#define HEARTH_DIFF_TABLE_H

#include "migrate/diff_op.h"
#include "store/schema.h"

/* diff_table: append to d the ops turning table a (of model fs) into b
 * (of ts): column renames, said (in rn, which may be NULL) or likely
 * (DIFF_RENAME_COLUMN), and either added columns (DIFF_ADD_COLUMN) or
 * one DIFF_REBUILD_TABLE.  Sets *rebuilt for a rebuild and *renamed_cols
 * when columns are renamed; leaves them alone otherwise.  The ops point
 * into a, b, their columns and rn. */
void diff_table(struct diff *d, const struct schema *fs,
		const struct schema *ts, const struct schema_table *a,
		const struct schema_table *b, const struct diff_renames *rn,
		int *rebuilt, int *renamed_cols);

#endif

/*
 * diff.h - compare two schema models: what must change to turn `from`
 * (usually the live database) into `to` (usually schema.sql).
 *
 * The operations come out in an order that can run as they are (ddl.h
 * turns them into SQL): views and triggers that are in the way are dropped
 * first, then indexes; tables are renamed and created, columns renamed
 * and added, tables rebuilt and dropped; indexes, views and triggers are created
 * last.  Objects named hearth_* are never compared.
 *
 * Ops point into both models, which must outlive the diff.  The ops, the
 * list and diff_release are diff_op.h's; what changed inside one table is
 * diff_table.h's, which this orders among the rest.
 */
#ifndef HEARTH_DIFF_H
#define HEARTH_DIFF_H

#include "migrate/diff_op.h"
#include "store/schema.h"

/* diff_schemas: fill *out (initialised here); release with diff_release. */
void diff_schemas(const struct schema *from, const struct schema *to,
		  struct diff *out);

/* diff_schemas_renamed: the same, with the renames the user said (rn
 * may be NULL): a table renamed is DIFF_RENAME_TABLE, before anything
 * else changes it; a column renamed is DIFF_RENAME_COLUMN, followed by
 * the rebuild its new definition needs, if any.  The ops point into rn,
 * which must outlive them. */
void diff_schemas_renamed(const struct schema *from, const struct schema *to,
			  const struct diff_renames *rn, struct diff *out);

#endif

/*
 * ddl.h - diff operations -> SQL, per dialect.
 *
 * The only place that knows dialect differences in DDL; a dialect is
 * named as store_dialect names it.  PostgreSQL's is ddl_pg.h, which
 * ALTERs in place.  SQLite cannot ALTER most column
 * changes, so a table is rebuilt: create the new table under a temporary
 * name, copy every row, drop the old one, rename the new one, then
 * recreate its indexes (and the views and triggers naming it, which the
 * diff lists).  Foreign keys are not switched off here: the
 * migration runner has the store do that outside the transaction and
 * check them before committing (see migration.h).
 */
#ifndef HEARTH_DDL_H
#define HEARTH_DDL_H

#include "base/buf.h"
#include "migrate/diff.h"
#include "base/err.h"

/* ddl_render: append the SQL for every op of d to out, each op preceded
 * by a comment saying what it does; destructive and guessed ops say so
 * loudly.  Returns 0, or -1 when the dialect is not supported. */
int ddl_render(const struct diff *d, const char *dialect, struct buf *out,
	       struct hearth_err *err);

#endif

/*
 * ddl_pg.h - diff operations -> PostgreSQL's SQL (ddl.h's "postgresql").
 *
 * PostgreSQL alters a table in place, and its DDL is transactional, so
 * what SQLite does by rebuilding a table (DIFF_REBUILD_TABLE) is a run of
 * ALTER TABLE statements here, in this order:
 *
 *	DROP CONSTRAINT	the primary key, foreign keys, unique constraints
 *			and CHECKs that change (all of a kind, by name)
 *	DROP COLUMN	the columns `to` does not have
 *	ALTER COLUMN	TYPE t USING col::t (the default dropped first and
 *			set again after), SET/DROP DEFAULT, SET/DROP NOT NULL
 *	ADD COLUMN	the new ones
 *	ADD CONSTRAINT	the changed kinds, as `to` has them, with its names
 *
 * Renames come before, as their own ops; the views and triggers that name
 * the table are dropped before and made again after by the diff, so a
 * column a view reads can change its type.  Indexes the diff makes again
 * only because SQLite's rebuild loses them (op->remake) are kept.  Tables
 * and columns are written from the schema model (dump.h): PostgreSQL
 * keeps no CREATE statements.
 */
#ifndef HEARTH_DDL_PG_H
#define HEARTH_DDL_PG_H

#include "base/buf.h"
#include "base/err.h"
#include "migrate/diff_op.h"

/* ddl_pg_op: append the SQL of op, one of d's, to out, after a comment
 * line saying what it does.  -1 when the models lack what it needs (a
 * constraint without a name). */
int ddl_pg_op(const struct diff *d, const struct diff_op *op, struct buf *out,
	      struct hearth_err *err);

#endif

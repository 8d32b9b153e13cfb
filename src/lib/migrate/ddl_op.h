/*
 * ddl_op.h - the SQL of the diff operations that every dialect writes
 * alike (drops of views and indexes, renames, dropping a table, creating
 * an index, a view or a trigger from its statement), and the pieces
 * ddl.c and ddl_pg.c both use.  Appends to a buffer; allocates nothing
 * that outlives a call.
 */
#ifndef HEARTH_DDL_OP_H
#define HEARTH_DDL_OP_H

#include "base/buf.h"
#include "base/err.h"
#include "migrate/diff_op.h"

/* ddl_op_shared: append the SQL of op when it is one every dialect
 * writes alike: 1; 0 (nothing appended) when the dialect writes it
 * itself; -1 when the model lacks the statement it needs. */
int ddl_op_shared(const struct diff_op *op, struct buf *out,
		  struct hearth_err *err);

/* ddl_op_comment: the line before op's SQL: "-- ~ why". */
void ddl_op_comment(const struct diff_op *op, struct buf *out);

/* ddl_stmt: sql as one statement, its own ";" and trailing space
 * replaced by one ";" and a newline. */
void ddl_stmt(struct buf *out, const char *sql);

/* ddl_drop: "DROP what IF EXISTS "name";" */
void ddl_drop(struct buf *out, const char *what, const char *name);

/* ddl_from_name: the name op->from has when op runs: a table renamed
 * goes by its new name (DIFF_RENAME_TABLE comes before what else changes
 * it). */
const char *ddl_from_name(const struct diff_op *op);

#endif

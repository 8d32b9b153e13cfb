/*
 * dbrows.h - the rows of a table of one database, as a parser (parser.h)
 * whose rows a batch converts for another: how hearth copy moves rows.
 *
 * Values come out as text, as a file would give them, so that the
 * writer of the target checks and converts them the one way it does
 * for every input: a time stored as text or as unix seconds comes out
 * in the target table's style, integers and reals as their exact text
 * (%.17g where 15 digits would not read back the same).  Errors name
 * the row ("row 12", counted from 1, in the order the table is read).
 * A value of bytes (a blob) is an error: text cannot carry it.
 */
#ifndef HEARTH_INGEST_DBROWS_H
#define HEARTH_INGEST_DBROWS_H

#include "base/err.h"
#include "ingest/parser.h"
#include "store/schema.h"
#include "store/store.h"

/* dbrows_open: a parser of every row of table t (of s's schema), each
 * naming t's columns.  s stays busy with the read until the parser is
 * freed (ingest_free). */
int dbrows_open(struct store *s, const struct schema_table *t,
		struct ingest_parser **out, struct hearth_err *err);

#endif

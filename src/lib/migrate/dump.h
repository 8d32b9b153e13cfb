/*
 * dump.h - a schema model written out as SQL: the schema.sql `hearth
 * init` writes for a database that already has tables.
 *
 * Where the database keeps an object's statement (SQLite keeps every
 * CREATE it ran, sqlite_master's sql: the model's sql), that statement
 * is written as it is, in the database's own dialect and spelling, so
 * nothing the model does not hold (collations, AUTOINCREMENT, generated
 * columns, WITHOUT ROWID, comments) is lost.  A table or index without
 * one (PostgreSQL keeps none) is written from the model, in SQL both
 * dialects read: dump_table, dump_index.
 *
 * hearth's own objects (hearth_*) are never written.
 */
#ifndef HEARTH_DUMP_H
#define HEARTH_DUMP_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "store/schema.h"
#include "store/store_sql.h"

/* dump_schema: append to out s's tables, each followed by its indexes,
 * then its views and triggers, one statement each, ended by ";".  A
 * table comes after those its foreign keys name, a view after the views
 * it reads.  *ntables (may be NULL) gets the number of tables written.
 * -1 when an index cannot be written (dump_index). */
int dump_schema(const struct schema *s, struct buf *out, size_t *ntables,
		struct hearth_err *err);

/* dump_table: append the CREATE TABLE of t (of s) made from the model:
 * columns with their types, NOT NULL and defaults, the primary key,
 * unique constraints, foreign keys and CHECKs; no ";". */
void dump_table(const struct schema *s, const struct schema_table *t,
		struct buf *out);

/* Pieces of dump_table, for ALTER TABLE (ddl.h): dump_column, a column's
 * definition ("name" type NOT NULL DEFAULT x) without keys, references
 * or CHECKs; dump_default, " DEFAULT x" (in parentheses unless x is a
 * literal); dump_foreign_key, "FOREIGN KEY (a) REFERENCES t (b) ON
 * DELETE ...". */
void dump_column(const struct schema_column *c, struct buf *out);
void dump_default(const char *dflt, struct buf *out);
void dump_foreign_key(const struct schema_fk *fk, struct buf *out);
/* dump_names: "("a", "b")" */
void dump_names(struct buf *out, char *const *names, size_t n);

/* dump_table_for: dump_table with each column's type as dialect d has
 * it for the values the column holds (store_sql_column_type), for a
 * table copied into a database of dialect d. */
void dump_table_for(const struct schema *s, const struct schema_table *t,
		    const struct store_sql *d, struct buf *out);

/* dump_order: the indexes into s->tables of its tables but hearth's
 * own, in the order to make them: a table after those its foreign keys
 * name (a cycle in the model's order).  order has room for s->ntables;
 * returns how many. */
size_t dump_order(const struct schema *s, size_t *order);

/* dump_index: append the CREATE INDEX of x made from the model, partial
 * ones with their WHERE; no ";".  -1 for an index on an expression, whose
 * text the model holds only in x->sql. */
int dump_index(const struct schema_index *x, struct buf *out,
	       struct hearth_err *err);

#endif

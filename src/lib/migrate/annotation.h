/*
 * annotation.h - what schema.sql's comments say that SQL cannot: that a
 * table or column was renamed.
 *
 * A rename that also changes a column's definition cannot be told from a
 * drop and an add, so schema.sql may say it, in either spelling:
 *
 *   CREATE TABLE users (          -- renamed from people
 *       id        INTEGER PRIMARY KEY,
 *       user_name TEXT NOT NULL,  -- @renamed from=username
 *       -- renamed from "E-Mail"
 *       email     TEXT
 *   );
 *
 * A column's annotation is on its line (after its definition, before or
 * after the comma) or on the comment lines just above it; a table's is on
 * or just above its CREATE TABLE line.  The names may be quoted.
 *
 * They are read from schema.sql's text, not from what a database keeps
 * of it (PostgreSQL keeps no comments), then checked against the live
 * database: a rename already made is no rename (the annotation may stay
 * after the upgrade), one from a name the database lacks is an error.
 */
#ifndef HEARTH_ANNOTATION_H
#define HEARTH_ANNOTATION_H

#include <stddef.h>

#include "base/err.h"
#include "migrate/diff_op.h"
#include "store/schema.h"

struct annotation {
	char *table;  /* the table, as schema.sql names it */
	char *column; /* its column, as schema.sql names it; NULL: the
			 annotation is the table's */
	char *from;   /* the name it had */
	int line;     /* the annotation's line in schema.sql, from 1 */
};

struct annotations {
	struct annotation *v;
	size_t n;
};

#define ANNOTATIONS_INIT { NULL, 0 }

/*
 * annotation_read: the rename annotations of text (schema.sql's, named
 * file in messages) into *out (initialised here; release with
 * annotation_release).  An annotation that goes with no column and no
 * CREATE TABLE, names nothing, or is the second of one column or table,
 * is an error naming its line: "schema.sql line 7: ...".
 */
int annotation_read(const char *text, const char *file,
		    struct annotations *out, struct hearth_err *err);
void annotation_release(struct annotations *a);

/*
 * annotation_resolve: the renames the annotations ask of the live
 * database (model live) to give schema.sql's (model want), appended to
 * *out as diff_op.h's renames, said "FILE line N".  Annotations whose new
 * name the database already has are skipped: the rename was made.  One
 * naming a table or column the database does not have is an error:
 * "schema.sql line 12: renamed from 'usrname': table users has no such
 * column".
 */
int annotation_resolve(const struct annotations *a, const char *file,
		       const struct schema *live, const struct schema *want,
		       struct diff_renames *out, struct hearth_err *err);

#endif

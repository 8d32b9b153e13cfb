/*
 * jsonrows.h - rows from a JSON body: one object, or an array of objects,
 * whose keys are column names.
 *
 * Values: numbers, strings, true/false (stored as 1/0) and null.  Each is
 * turned into text and goes through the writer, so a JSON row meets the
 * same type checks as `hearth add` and CSV.  Objects may name different
 * columns; the time column is filled with now when an object leaves it
 * out.  Everything is one transaction: a bad element stores nothing.
 */
#ifndef HEARTH_JSONROWS_H
#define HEARTH_JSONROWS_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/schema.h"
#include "store/store.h"

struct jsonrows_result {
	int64_t rows;  /* rows stored (0 on error) */
	int bad_input; /* the error is the body's fault (HTTP 400) */
};

/*
 * jsonrows_write: parse body (len bytes) and store its rows into table,
 * in one BEGIN IMMEDIATE ... COMMIT.  time_col overrides the declared
 * time column (NULL: auto).  Errors name the element index and the key:
 * "element 3: key 'r_watts': nested values are not allowed".
 */
int jsonrows_write(struct store *s, const struct schema *schema,
		   const char *table, const char *time_col, const char *body,
		   size_t len, struct jsonrows_result *res,
		   struct hearth_err *err);

#endif

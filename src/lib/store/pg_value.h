/*
 * pg_value.h - one value of a PostgreSQL result row, as the store API
 * reads it (store.h's column accessors), whether the row came as text or
 * in binary.
 *
 * Why binary: a chart of a year reads 8,760 hour buckets of eight
 * doubles; as text each is 17 digits that strtod reads slowly, and that
 * reading was most of the request.  Statements whose columns are all of
 * the types below ask for binary rows (pg_value_binary); others, with
 * types hearth does not decode (numeric, json, intervals), come as text,
 * the server's own spelling.  Either way a value reads the same: text of
 * a number as the server would write it (doubles in the shortest form
 * that reads back the same), times as "YYYY-MM-DD HH:MM:SS[.ffffff]" in
 * UTC without the zone, as SQLite's times read.
 */
#ifndef HEARTH_STORE_PG_VALUE_H
#define HEARTH_STORE_PG_VALUE_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "store/store.h"

/* pg_value_binary: every column res describes can come in binary. */
int pg_value_binary(const PGresult *res);

/* The value of column i in row r of res (NULL: no row, every value
 * NULL). */

/* pg_value_type: its store type. */
enum store_type pg_value_type(const PGresult *res, int r, int i);

int64_t pg_value_int(const PGresult *res, int r, int i);
double pg_value_real(const PGresult *res, int r, int i);

/* pg_value_text: as text, in cell (the caller's, reused from row to
 * row) or in res itself; *len (may be NULL) gets its length.  Valid
 * until cell or res changes. */
const char *pg_value_text(PGresult *res, int r, int i, struct buf *cell,
			  size_t *len);

/* pg_value_blob: its bytes: a bytea's, unescaped into cell when it came
 * as text; other types' text. */
const void *pg_value_blob(PGresult *res, int r, int i, struct buf *cell,
			  size_t *len);

#endif

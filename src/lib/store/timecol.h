/*
 * timecol.h - a table's time column as the table stores it.
 *
 * Tables written by other tools store times their own way: Python's
 * sqlite3 as '2014-11-23 22:15:00.123456', others as ISO 8601 with a T
 * (and a Z), or as unix seconds.  hearth writes a table's times the way
 * it already holds them, and reads windows of them either way.
 */
#ifndef HEARTH_STORE_TIMECOL_H
#define HEARTH_STORE_TIMECOL_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/schema.h"
#include "store/store.h"

/* How a table's time column is stored. */
enum time_style {
	TSTYLE_SQL,  /* '2014-11-23 22:15:00.123456' (Python sqlite3) */
	TSTYLE_ISO,  /* '2014-11-23T22:15:00.123456' */
	TSTYLE_ISOZ, /* '2014-11-23T22:15:00.123456Z' */
	TSTYLE_INT,  /* unix seconds, integer */
	TSTYLE_REAL, /* unix seconds, real */
};

/* timecol_style: find how t's time column tc is stored, from its newest
 * row, or from the declared type when the table is empty. */
int timecol_style(struct store *s, const struct schema_table *t,
		  const struct schema_column *tc, enum time_style *out,
		  struct hearth_err *err);

/* timecol_format: a time value in a style, as text (for text styles)
 * into out (64 bytes), or as *num_out; returns 1 for text, 0 for number. */
int timecol_format(int64_t t, enum time_style style, char *out,
		   size_t outsz, double *num_out);

/* timecol_text: t as text in a text style into out; its length. */
size_t timecol_text(int64_t t, enum time_style style, char *out,
		    size_t outsz);

#endif

/*
 * writer.h - rows into one table: validation, conversion, insertion.
 *
 * A writer is made for a table and a fixed list of columns (as a CSV header
 * or a line-protocol point names them).  Values come in as text and are
 * converted by the column's declared type: INTEGER columns take integers,
 * REAL and NUMERIC numbers, TEXT anything, untyped columns numbers as
 * numbers and the rest as text, and the time column any time hearth
 * parses (ISO 8601 or unix seconds; naive ISO is UTC).  An empty value is
 * NULL.  The time column is written the way the table already stores it
 * (ISO text as Python's sqlite3 writes it, or unix seconds), so tables
 * filled by other tools stay uniform.
 *
 * A table with a primary key or a unique index keeps one row per key, as
 * InfluxDB keeps one point per series and time: a row whose key is
 * stored already updates that row instead (ON CONFLICT DO UPDATE), with
 * the values the new row gives; the columns it leaves NULL keep theirs.
 * So a client that sends a batch again (a retry after a lost response)
 * stores nothing twice and fails on nothing.
 *
 * Writers do not begin or commit transactions: the caller groups rows
 * (batch.h, wtx.h).  A writer does not change once open, so threads may
 * share it: one converts rows while another inserts rows it converted.
 */
#ifndef HEARTH_WRITER_H
#define HEARTH_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "store/schema.h"
#include "store/store.h"
#include "store/timecol.h"

struct writer;

/*
 * writer_open: a writer for `table` and `cols`.  Unknown table or column is
 * an error naming it; so is a column listed twice.  time_col names the
 * time column (NULL: the one declared TIMESTAMP/DATETIME).  When the time
 * column is not among cols, it is filled with `now` (fill_now != 0) or
 * left to its default.  The writer points into schema, which must outlive
 * it.  It has one reference: writer_ref adds one, writer_free drops one
 * and frees the writer with the last (from any thread).
 */
int writer_open(struct writer **out, struct store *s,
		const struct schema *schema, const char *table,
		const char *const *cols, size_t ncols, const char *time_col,
		int fill_now, struct hearth_err *err);
/*
 * writer_open_internal: the same for one of hearth's own tables (hearth_*,
 * which writer_open refuses as user input), so that a source's
 * bookkeeping (what it has seen, what it rejected) goes through the same
 * transaction as its rows.  No time column is filled.
 */
int writer_open_internal(struct writer **out, struct store *s,
			 const struct schema *schema, const char *table,
			 const char *const *cols, size_t ncols,
			 struct hearth_err *err);
struct writer *writer_ref(struct writer *w);
void writer_free(struct writer *w);

/* writer_ncols: how many values a row gives (writer_convert's vals). */
size_t writer_ncols(const struct writer *w);

/*
 * Rows are written in two steps, so that the conversion can run before
 * the write lock is taken and the inserts after: writer_convert checks
 * and converts one row (no database access) into writer_nvals(w) values;
 * writer_insert_rows stores converted rows, several per statement.
 */
#define WRITER_TIME_MAX 40   /* bytes of a time formatted as text */
#define WRITER_MULTI_ROWS 128 /* rows per multi-row INSERT */

struct writer_val {
	enum store_type type; /* STORE_NULL, STORE_INT, STORE_REAL, STORE_TEXT */
	int64_t i;
	double r;
	const char *p;        /* STORE_TEXT: points into the input values or
				 into timebuf; not owned */
	size_t n;
};

size_t writer_nvals(const struct writer *w);
/* writer_val_name: the column value i (< writer_nvals) goes into. */
const char *writer_val_name(const struct writer *w, size_t i);
/* writer_convert: out gets writer_nvals(w) values; a time written as text
 * goes into timebuf (WRITER_TIME_MAX bytes).  *time_out (time_out may be
 * NULL) gets the row's time in UTC microseconds, INT64_MIN when it has
 * none.  On error the message names the column and the value. */
int writer_convert(const struct writer *w, const char *const *vals,
		   const size_t *lens, int64_t now, char *timebuf,
		   struct writer_val *out, int64_t *time_out,
		   struct hearth_err *err);
/* writer_insert_rows: insert nrows rows (nrows * writer_nvals(w) values,
 * row after row) through s: the connection w was opened on, or another
 * one to the same database (the server's writing thread has its own).
 * Where the store has a bulk load (store_has_bulk: PostgreSQL's COPY),
 * the rows of a table without a key go in as one.  On error *bad_row is
 * the index of the row that failed and the rows before it may be
 * stored: the caller's transaction decides. */
int writer_insert_rows(struct writer *w, struct store *s,
		       const struct writer_val *rows, size_t nrows,
		       size_t *bad_row, struct hearth_err *err);

/* writer_table: the table's name as the schema spells it. */
const char *writer_table(const struct writer *w);

#endif

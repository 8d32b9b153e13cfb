/*
 * batch.h - rows converted and held in memory, ready to be stored.
 *
 * SQLite has one writer at a time, so whatever a write does under the
 * write lock limits how many rows per second hearth takes in.  Parsing
 * and converting rows (numbers, times in the table's style) and adding
 * them up for the chart rollups needs no lock: a batch does it before,
 * on the caller's thread, and a write transaction (wtx.h) then only
 * inserts, many rows per statement.  The checks and messages are the
 * writer's and the parser's, whichever input the rows come from.
 *
 * A batch holds at most BATCH_MAX_VALUES values (about 40 bytes each,
 * plus their text): a long input is stored as several batches, so memory
 * stays the same whatever its size.
 */
#ifndef HEARTH_INGEST_BATCH_H
#define HEARTH_INGEST_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "base/err.h"
#include "ingest/counts.h"
#include "ingest/parser.h"
#include "ingest/writer.h"
#include "rollup/rollup.h"
#include "store/schema.h"
#include "store/store.h"

#define BATCH_MAX_VALUES (1u << 18)

struct batch;

struct batch_opts {
	struct store *s;        /* writers are opened (compiled) on it */
	const struct schema *schema; /* the database's; must outlive b */
	const struct config *cfg; /* [time_columns]; may be NULL */
	const char *table;      /* the table of rows that name none; a row
				   naming another is an error.  NULL: every
				   row must name its own */
	size_t max_shapes;      /* writers kept (one per set of columns) */
	int evict;              /* more sets than that: drop the least
				   recently used writer (else an error) */
};

/* batch_new: an empty batch (opts is copied; its pointers must outlive
 * the batch).  Free with batch_free. */
struct batch *batch_new(const struct batch_opts *o);
void batch_free(struct batch *b);

/*
 * batch_fill: convert rows from p until the batch holds max_rows rows or
 * as many values as it may, then add them up for the rollups.  Returns 1
 * when full (p may have more), 0 at the end of p's input, -1 when a row is
 * bad: err names its line or element, *bad_at is that number, and the
 * rows before it stay in the batch.
 */
int batch_fill(struct batch *b, struct ingest_parser *p, size_t max_rows,
	       long *bad_at, struct hearth_err *err);

/*
 * batch_add: convert and hold one row, written by the writer of its table
 * (the row's, else the batch's) and columns, opened at the first row of
 * that shape; at the batch's start time when the row gives none.  On
 * error err says what (the row is not held); batch_fill puts where in
 * front of it.
 */
int batch_add(struct batch *b, const struct ingest_row *row,
	      struct hearth_err *err);

/*
 * batch_row: convert and hold one row written by w (b keeps a reference)
 * at time now when the row gives none; row->at is its line or element.
 * On error err names the column and value, and the row is not held.
 */
int batch_row(struct batch *b, struct writer *w, const struct ingest_row *row,
	      int64_t now, struct hearth_err *err);

/* batch_rows: rows held. */
size_t batch_rows(const struct batch *b);

/* batch_unit: how the rows' positions are named in errors ("line",
 * "element": the parser's), NULL when they have none (rows from
 * batch_row alone). */
const char *batch_unit(const struct batch *b);

/* batch_schema: the schema the rows were converted against. */
const struct schema *batch_schema(const struct batch *b);

/* batch_count: add the batch's rows per table to c. */
void batch_count(const struct batch *b, struct counts *c);

/* batch_reset: drop the rows, keep the writers for the next rows. */
void batch_reset(struct batch *b);

/*
 * What a write transaction (wtx.h) reads: rows come in runs of one
 * writer, in input order.  The rows' rollup buckets are added up, of
 * the first n rows when only those were stored (batch_rollups).
 */
struct batch_run {
	struct writer *w;
	const struct writer_val *vals; /* n * writer_nvals(w) */
	const long *at;                /* each row's line or element */
	size_t first;                  /* the run's first row in the batch */
	size_t n;
};

size_t batch_nruns(const struct batch *b);
void batch_run(const struct batch *b, size_t i, struct batch_run *out);
/* batch_rollups: the chart rollup buckets of the batch's first n rows
 * (n < batch_rows only after a failed insert; the sums are kept for the
 * whole batch and recomputed then). */
const struct rollup_accs *batch_rollups(struct batch *b, size_t n);

#endif

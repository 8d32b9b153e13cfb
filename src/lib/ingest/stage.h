/*
 * stage.h - a request body parsed and converted, waiting to be stored.
 *
 * SQLite has one writer at a time, so whatever a write request does under
 * the write lock limits how many rows per second the server takes in.
 * Parsing line protocol or CSV and converting the values (numbers, times
 * in the table's style) needs no lock: stage_prepare does it on the
 * request's own thread and connection, and stage_store then only inserts,
 * many rows per statement, in one transaction.  The checks and messages
 * are the writer's and the parsers', exactly as `hearth import` gives
 * them.
 *
 * A stage holds every row of the body in memory (about 40 bytes a value
 * plus its text), so callers stage bodies of bounded size.
 */
#ifndef HEARTH_STAGE_H
#define HEARTH_STAGE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "ingest/import.h"
#include "ingest/ingest.h"
#include "store/schema.h"
#include "store/store.h"

struct config;
struct stage;

/*
 * stage_prepare: parse body (CSV with a header row, or line protocol) into
 * a new stage for table (CSV: required; LP: the only measurement allowed,
 * or NULL for any).  Writers are prepared on s, which stage_store must
 * also be given.  On error *bad_line is the line at fault (0 when the
 * error is not the input's) and err names it.  Free with stage_free.
 */
int stage_prepare(struct stage **out, struct store *s,
		  const struct schema *schema, const struct config *cfg,
		  enum import_format format, const char *table,
		  enum lp_precision prec, const char *body, size_t len,
		  long *bad_line, struct hearth_err *err);

/* stage_rows: rows staged. */
size_t stage_rows(const struct stage *st);

/*
 * stage_store: BEGIN IMMEDIATE, insert every staged row, COMMIT; all or
 * nothing.  Through s: the connection the stage was prepared on, or
 * another one to the same database (the server's writing thread has its
 * own, commitq.h).  After the commit, committed (may be NULL) is called
 * once per table with its row count.  On error the transaction is rolled
 * back, *bad_line names the row's line when a row was refused (a
 * constraint), else 0.
 */
int stage_store(struct stage *st, struct store *s,
		void (*committed)(void *ctx, const char *table, int64_t rows),
		void *ctx, long *bad_line, struct hearth_err *err);

/*
 * stage_store_all: as stage_store, the n stages in one transaction, all
 * or nothing, and without the committed calls (stage_committed, for each).
 * When a row was refused, *bad_line is its line in whichever stage it
 * was: callers store the stages one by one (stage_store) to learn which.
 * Else it is 0, and the error is the transaction's (the database locked,
 * the disk full).  A stage may be stored again after a failure.
 */
int stage_store_all(struct stage *const *sts, size_t n, struct store *s,
		    long *bad_line, struct hearth_err *err);

/* stage_committed: committed(ctx, table, rows) once per table of st. */
void stage_committed(const struct stage *st,
		     void (*committed)(void *ctx, const char *table,
				       int64_t rows),
		     void *ctx);

void stage_free(struct stage *st);

#endif

/*
 * import.h - a whole input (a file, stdin) into the database: rows from
 * a parser, converted in batches, stored in write transactions.
 *
 * Batched (the default for files): every `batch` rows are committed,
 * exactly.  When a line is bad, the rows before it are committed and
 * kept, the bad line and everything after it are not: never half a
 * batch, never a gap.  Atomic: one transaction for everything; a bad
 * line keeps nothing.  Memory stays the same whatever the input's size.
 */
#ifndef HEARTH_IMPORT_H
#define HEARTH_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "base/err.h"
#include "ingest/ingest.h"
#include "store/schema.h"
#include "store/store.h"

struct import_opts {
	const char *table;   /* CSV: the table; line protocol: the only
				measurement allowed, or NULL for any */
	enum ingest_format format; /* INGEST_CSV or INGEST_LP */
	enum lp_precision precision;
	const struct config *cfg; /* [time_columns]; may be NULL */
	size_t batch;        /* rows per transaction; ignored when atomic */
	int atomic;
	/* called every few thousand rows; may be NULL */
	void (*progress)(void *ctx, size_t bytes, int64_t rows);
	void *progress_ctx;
};

struct import_result {
	int64_t rows;        /* rows stored (committed) */
	long bad_line;       /* line of the error, 0 when none */
};

/* import_run: see above.  On error *res still says how many rows were
 * stored, and err names the line. */
int import_run(struct store *s, const struct schema *schema,
	       struct ingest_src *src, const struct import_opts *o,
	       struct import_result *res, struct hearth_err *err);

#endif

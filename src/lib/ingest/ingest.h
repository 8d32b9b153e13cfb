/*
 * ingest.h - the ingest folder: readings from text into the database.
 *
 * The folder owns the one way rows are written.  A parser (parser.h;
 * csv.h, lp.h, json.h) yields rows; a batch (batch.h) converts them
 * with the writers (writer.h, by shape: shapes.h); a write transaction
 * (wtx.h) stores batches and keeps the chart rollups in step; import.h
 * drives that for a whole input, and writeq.h stores the batches of many
 * threads on a writing thread of its own (hearth serve).  Every writer
 * of the program goes through it: add, import, HTTP writes, the IMAP
 * poller.
 *
 * It may call base/, store/ and rollup/.  It knows nothing of HTTP, mail
 * or migrations.
 *
 * This header picks a parser by format.
 */
#ifndef HEARTH_INGEST_H
#define HEARTH_INGEST_H

#include <stddef.h>

#include "base/err.h"
#include "ingest/lp.h"
#include "ingest/parser.h"
#include "ingest/source.h"

enum ingest_format { INGEST_CSV, INGEST_LP, INGEST_JSON };

/* ingest_open: a parser of format f reading src, which must outlive it
 * (JSON: a memory block).  prec: line protocol timestamps.  Free with
 * ingest_free. */
struct ingest_parser *ingest_open(enum ingest_format f, struct ingest_src *src,
				  enum lp_precision prec);

/* ingest_sniff: "lp" when the first data line looks like line protocol
 * (a key=value pair after its first space), else "csv". */
const char *ingest_sniff(const char *p, size_t n);

#endif

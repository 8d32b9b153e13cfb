/*
 * shapes.h - writers by shape: rows may each name other columns (a line
 * protocol measurement, tag and field keys; a JSON object's keys), so a
 * loader keeps one writer per shape (table and column names) it has
 * seen, most recently used first, since nearly every row has the shape
 * of the row before it.
 */
#ifndef HEARTH_INGEST_SHAPES_H
#define HEARTH_INGEST_SHAPES_H

#include <stddef.h>

#include "base/config.h"
#include "base/err.h"
#include "ingest/parser.h"
#include "ingest/writer.h"
#include "store/schema.h"
#include "store/store.h"

struct shape {
	char *key;      /* table and column names, \x1f-separated */
	struct writer *w;
};

struct shapes {
	struct shape *v; /* most recently used first */
	size_t n, max;
	int evict;       /* full: drop the least recently used (else error) */
};

/* shapes_init: room for max writers. */
void shapes_init(struct shapes *sh, size_t max, int evict);
/* shapes_release: drop every writer (writer_free) and key. */
void shapes_release(struct shapes *sh);

/* shapes_writer: the writer for row's columns in table, opened on first
 * sight on s (time column from [time_columns] in cfg, which may be NULL;
 * the time filled with the row's when the columns have none); NULL with
 * err set when the table or a column is unknown, or when the cache is
 * full and may not evict.  The writer is sh's: writer_ref it to keep it
 * past the next call. */
struct writer *shapes_writer(struct shapes *sh, struct store *s,
			     const struct schema *schema,
			     const struct config *cfg, const char *table,
			     const struct ingest_row *row,
			     struct hearth_err *err);

#endif

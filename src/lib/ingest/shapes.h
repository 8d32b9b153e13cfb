/*
 * shapes.h - writers by shape: line-protocol points may each name other
 * columns (measurement, tag and field keys), so a loader keeps one writer
 * per shape it has seen, most recently used first, since nearly every
 * line has the shape of the line before it.
 *
 * A CSV loader puts its one writer in too (shapes_put), so code that
 * walks a loader's writers sees all of them.
 */
#ifndef HEARTH_SHAPES_H
#define HEARTH_SHAPES_H

#include <stddef.h>

#include "base/config.h"
#include "base/err.h"
#include "ingest/ingest.h"
#include "store/schema.h"
#include "store/store.h"
#include "ingest/writer.h"

struct shape {
	char *key;      /* measurement and keys, \x1f-separated */
	struct writer *w;
};

struct shapes {
	struct shape *v; /* most recently used first */
	size_t n, max;
	int evict;       /* full: drop the least recently used (else error) */
};

/* shapes_init: room for max writers. */
void shapes_init(struct shapes *sh, size_t max, int evict);
/* shapes_release: free every writer and key. */
void shapes_release(struct shapes *sh);

/* shapes_writer: the writer for pt's shape, opened on first sight
 * (time column from [time_columns] in cfg, which may be NULL); NULL with
 * err set when the table or a column is unknown, or when the cache is
 * full and may not evict. */
struct writer *shapes_writer(struct shapes *sh, struct store *s,
			     const struct schema *schema,
			     const struct config *cfg,
			     const struct lp_point *pt, struct hearth_err *err);

/* shapes_put: add w under key ("" for a CSV writer); sh owns it now. */
int shapes_put(struct shapes *sh, const char *key, struct writer *w,
	       struct hearth_err *err);

#endif

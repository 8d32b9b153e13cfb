/*
 * counts.h - rows per table: what a write stored, for its caller's
 * report (hearth import's summary, the server's /metrics).
 */
#ifndef HEARTH_INGEST_COUNTS_H
#define HEARTH_INGEST_COUNTS_H

#include <stddef.h>
#include <stdint.h>

struct table_count {
	char *table;
	int64_t rows;
};

struct counts {
	struct table_count *v; /* in the order tables were first seen */
	size_t n, alloc;
	int64_t rows;          /* over all tables */
};

#define COUNTS_INIT { NULL, 0, 0, 0 }

/* counts_add: n more rows of table (0 adds nothing). */
void counts_add(struct counts *c, const char *table, int64_t n);
/* counts_get: the rows of table (0 when none). */
int64_t counts_get(const struct counts *c, const char *table);
/* counts_clear: no rows, room kept. */
void counts_clear(struct counts *c);
/* counts_release: free everything; c is empty after. */
void counts_release(struct counts *c);

#endif

/*
 * parser.h - rows out of an input, one interface for every format.
 *
 * A parser (csv.h, lp.h, json.h; ingest_open picks one by format) yields
 * rows: column names and their values as text, as the input gives them,
 * with where each row is in the input.  Batches (batch.h) take rows from
 * any parser the same way: no format has a write path of its own.
 *
 * What a row points to stays valid until the next call on its parser.
 * Errors start with where the input went wrong: "line 7: ...",
 * "element 3: ...".
 */
#ifndef HEARTH_INGEST_PARSER_H
#define HEARTH_INGEST_PARSER_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "ingest/source.h"

/* What the input says a value is, where it says (line protocol and JSON;
 * CSV says nothing).  [serve] auto_columns types new columns by it. */
enum ingest_kind { INGEST_NONE, INGEST_INT, INGEST_REAL, INGEST_TEXT };

struct ingest_row {
	const char *table;        /* the table the input names (a line
				     protocol measurement), else NULL: the
				     caller says which */
	const char *const *cols;  /* ncols column names */
	const char *const *vals;  /* their values, lens[i] bytes each (need
				     not be NUL-terminated); NULL: SQL NULL */
	const size_t *lens;
	const enum ingest_kind *kinds; /* NULL when the format has none */
	size_t ncols;
	int has_time;             /* the input gives the row's time apart */
	int64_t time;             /* from its columns: UTC microseconds */
	long at;                  /* the row's line (CSV, line protocol) or
				     element (JSON, from 0) */
	int header;               /* a row of names only (a CSV header):
				     it stores nothing, vals is NULL, but
				     the names are checked at once */
	int same_cols;            /* table and columns are the previous
				     row's, for certain (CSV): a batch need
				     not look its writer up again */
};

struct ingest_parser;

/* What a format provides: a struct that starts with struct ingest_parser
 * and these operations. */
struct ingest_parser_ops {
	const char *unit; /* how errors name a row: "line", "element" */
	int (*next)(struct ingest_parser *p, struct ingest_row *row,
		    struct hearth_err *err);
	void (*free)(struct ingest_parser *p);
};

struct ingest_parser {
	const struct ingest_parser_ops *ops;
	struct ingest_src *src;
	long failed_at; /* set by next when it fails */
};

/* ingest_next: 1 and a row, 0 at the end of the input, -1 when the input
 * is malformed (err names where; ingest_failed_at tells the number). */
int ingest_next(struct ingest_parser *p, struct ingest_row *row,
		struct hearth_err *err);
/* ingest_failed_at: the line or element of ingest_next's last error. */
long ingest_failed_at(const struct ingest_parser *p);

/* ingest_blame: put where row is in front of err's message ("line 7",
 * "element 3", "line 1 (header)") and return its line or element. */
long ingest_blame(const struct ingest_parser *p, const struct ingest_row *row,
		  struct hearth_err *err);

/* ingest_bytes: bytes of the input consumed so far. */
size_t ingest_bytes(const struct ingest_parser *p);

/* ingest_free: free p (NULL is fine); the source stays the caller's. */
void ingest_free(struct ingest_parser *p);

#endif

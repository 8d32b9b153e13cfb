/*
 * csv.h - CSV (RFC 4180: quotes, "" escapes, CRLF, newlines in quotes):
 * records from an ingest_src, and rows (parser.h) whose column names are
 * the header record's.
 */
#ifndef HEARTH_INGEST_CSV_H
#define HEARTH_INGEST_CSV_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"
#include "ingest/parser.h"

struct csv_record {
	size_t nfields;
	const char **field; /* field[i] is NUL-terminated, len[i] bytes */
	size_t *len;
	long line;          /* line on which the record starts */
};

struct csv_parser {
	struct ingest_src *src;
	struct buf data;    /* field bytes, each followed by a NUL */
	size_t *off, *lens;
	const char **ptrs;
	size_t nf, alloc;
	long line;
	char sep;
};

/* csv_init: parse src with the separator `sep` (',' usually). */
void csv_init(struct csv_parser *p, struct ingest_src *src, char sep);
void csv_release(struct csv_parser *p);
/* csv_next: 1 and a record, 0 at end of input, -1 on malformed input.
 * Blank lines are skipped. */
int csv_next(struct csv_parser *p, struct csv_record *rec,
	     struct hearth_err *err);

/* csv_header_names: a header record's column names, as malloc'd strings
 * in a malloc'd array (free with csv_names_free): surrounding spaces and a
 * spreadsheet's UTF-8 byte order mark are not part of a name. */
char **csv_header_names(const struct csv_record *rec);
void csv_names_free(char **names, size_t n);

/*
 * csv_rows: a parser (parser.h) of src's records as rows.  The first
 * record is the header: it comes out first, as a row of names only
 * (header set), and names the columns of every row after it.  A record
 * with another number of fields than the header is an error.
 */
struct ingest_parser *csv_rows(struct ingest_src *src);

#endif

/*
 * ingest.h - input parsers: bytes in, records out.  One parser per format
 * (csv.c, lp.c); the caller hands records to a writer.
 *
 * The ingest folder owns getting rows in: the parsers (CSV, line
 * protocol, JSON), the writer that validates every row (writer.h), the
 * one write transaction every source uses (stage.h, commitq.h), table
 * shapes and bulk import.  It may call rollup/, store/ and base/; not its
 * siblings migrate/ and chart/, nor sources/, serve/ or HTTP.
 *
 * Parsers read from a struct ingest_src, which is either a FILE or a
 * memory block (an HTTP body).  Records point into the parser's own
 * buffers and stay valid until the next call on the same parser.
 * Every error message starts with the line number.
 */
#ifndef HEARTH_INGEST_H
#define HEARTH_INGEST_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "base/err.h"

struct ingest_src {
	FILE *f;           /* read from f when set, else from mem */
	const char *mem;
	size_t memlen;
	size_t pos;        /* bytes consumed so far (for progress) */
	size_t clen, coff;
	int eof;
	char chunk[65536]; /* last: the init functions clear what is above */
};

void ingest_src_file(struct ingest_src *src, FILE *f);
void ingest_src_mem(struct ingest_src *src, const char *p, size_t n);
/* ingest_src_peek: the bytes available now (refilling from the file when
 * empty); 0 at end of input, -1 on a read error.  Consume what was used
 * with ingest_src_skip. */
long ingest_src_peek(struct ingest_src *src, const char **p);
void ingest_src_skip(struct ingest_src *src, size_t n);

/* ---- CSV (RFC 4180: quotes, "" escapes, CRLF, newlines in quotes) ---- */

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

/* ---- InfluxDB line protocol ---- */

enum lp_kind { LP_FLOAT, LP_INT, LP_UINT, LP_STRING, LP_BOOL };

struct lp_pair {
	const char *key;
	const char *val;  /* unescaped; numbers without their i/u suffix,
			     booleans as "1"/"0" */
	size_t vlen;
	enum lp_kind kind; /* fields only; tags are strings */
};

struct lp_point {
	const char *measurement;
	struct lp_pair *tags;
	size_t ntags;
	struct lp_pair *fields;
	size_t nfields;
	int has_time;
	int64_t time;     /* microseconds since the epoch when has_time */
	long line;
};

enum lp_precision { LP_NS, LP_US, LP_MS, LP_S, LP_M, LP_H };

struct lp_parser {
	struct ingest_src *src;
	struct buf line;
	struct buf data;
	struct lp_pair *pairs;
	size_t npairs, alloc;
	long lineno;
	enum lp_precision precision;
};

void lp_init(struct lp_parser *p, struct ingest_src *src,
	     enum lp_precision precision);
void lp_release(struct lp_parser *p);
/* lp_parse_precision: "ns", "n", "us", "u", "ms", "s" (and "" = ns), and
 * InfluxDB 1.x's "m" (minutes) and "h" (hours). */
int lp_parse_precision(const char *s, enum lp_precision *out);
/* lp_next: 1 and a point, 0 at end, -1 on a malformed line.  Comment (#)
 * and blank lines are skipped. */
int lp_next(struct lp_parser *p, struct lp_point *pt, struct hearth_err *err);

/* lp_values: pt's values in key order (tags, then fields: the columns
 * shapes_writer opens), into *vals and *lens, which grow as needed
 * (*alloc elements; free both). */
void lp_values(const struct lp_point *pt, const char ***vals, size_t **lens,
	       size_t *alloc);

/* ingest_sniff: "lp" when the first data line looks like line protocol
 * (a key=value pair before any comma-free header), else "csv". */
const char *ingest_sniff(const char *p, size_t n);

#endif

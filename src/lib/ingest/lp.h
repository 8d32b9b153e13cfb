/*
 * lp.h - InfluxDB line protocol: points from an ingest_src, and rows
 * (parser.h) of them, the measurement naming the table and tag and field
 * keys the columns.
 *
 *   measurement[,tag=value...] field=value[,field=value...] [timestamp]
 */
#ifndef HEARTH_INGEST_LP_H
#define HEARTH_INGEST_LP_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "ingest/parser.h"

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
	struct lp_pair *fields; /* follow the tags in one array */
	size_t nfields;
	int has_time;
	int64_t time;     /* microseconds since the epoch when has_time */
	long line;
};

/* Timestamps: the unit of the number at the end of each line. */
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
/* lp_parse_precision: "ns", "n", "us", "u", "ms", "s" (and "" or NULL =
 * ns), and InfluxDB 1.x's "m" (minutes) and "h" (hours). */
int lp_parse_precision(const char *s, enum lp_precision *out);
/* lp_next: 1 and a point, 0 at end, -1 on a malformed line.  Comment (#)
 * and blank lines are skipped. */
int lp_next(struct lp_parser *p, struct lp_point *pt, struct hearth_err *err);

/* lp_rows: a parser (parser.h) of src's points as rows: the measurement
 * is the row's table, tags then fields its columns (tags are text), the
 * timestamp its time. */
struct ingest_parser *lp_rows(struct ingest_src *src,
			      enum lp_precision precision);

#endif

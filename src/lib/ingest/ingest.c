/*
 * ingest.c - a parser by format, and telling CSV from line protocol.
 */
#include "ingest/ingest.h"

#include <string.h>

#include "ingest/csv.h"
#include "ingest/json.h"

struct ingest_parser *ingest_open(enum ingest_format f, struct ingest_src *src,
				  enum lp_precision prec)
{
	switch (f) {
	case INGEST_CSV:
		return csv_rows(src);
	case INGEST_LP:
		return lp_rows(src, prec);
	default:
		return json_rows(src);
	}
}

const char *ingest_sniff(const char *p, size_t n)
{
	const char *end = p + n, *eol;

	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if (eol > p && *p != '#' && *p != '\r') {
			/* A CSV header names columns and has no '=';
			 * every line-protocol line has "field=value"
			 * after its first space. */
			const char *sp = memchr(p, ' ', (size_t)(eol - p));
			return sp && memchr(sp, '=', (size_t)(eol - sp))
				       ? "lp" : "csv";
		}
		p = eol + 1;
	}
	return "csv";
}

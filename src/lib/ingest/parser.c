/*
 * parser.c - the calls every format shares.
 */
#include "ingest/parser.h"

#include <stddef.h>

int ingest_next(struct ingest_parser *p, struct ingest_row *row,
		struct hearth_err *err)
{
	return p->ops->next(p, row, err);
}

long ingest_failed_at(const struct ingest_parser *p)
{
	return p->failed_at;
}

long ingest_blame(const struct ingest_parser *p, const struct ingest_row *row,
		  struct hearth_err *err)
{
	err_prefix(err, "%s %ld%s", p->ops->unit, row->at,
		   row->header ? " (header)" : "");
	return row->at;
}

size_t ingest_bytes(const struct ingest_parser *p)
{
	return p->src->pos;
}

void ingest_free(struct ingest_parser *p)
{
	if (p)
		p->ops->free(p);
}

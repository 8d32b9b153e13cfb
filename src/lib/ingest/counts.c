/*
 * counts.c - a short list: a write names a few tables.
 */
#include "ingest/counts.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

void counts_add(struct counts *c, const char *table, int64_t n)
{
	size_t i;

	if (!n)
		return;
	c->rows += n;
	for (i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].table, table)) {
			c->v[i].rows += n;
			return;
		}
	XGROW(c->v, c->n + 1, c->alloc);
	c->v[c->n].table = xstrdup(table);
	c->v[c->n++].rows = n;
}

int64_t counts_get(const struct counts *c, const char *table)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!strcmp(c->v[i].table, table))
			return c->v[i].rows;
	return 0;
}

void counts_clear(struct counts *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].table);
	c->n = 0;
	c->rows = 0;
}

void counts_release(struct counts *c)
{
	counts_clear(c);
	free(c->v);
	c->v = NULL;
	c->alloc = 0;
}

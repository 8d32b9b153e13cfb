/*
 * source.c - the byte source shared by the parsers.
 */
#include "ingest/source.h"

#include <string.h>

void ingest_src_file(struct ingest_src *src, FILE *f)
{
	memset(src, 0, sizeof(*src) - sizeof(src->chunk));
	src->f = f;
}

void ingest_src_mem(struct ingest_src *src, const char *p, size_t n)
{
	memset(src, 0, sizeof(*src) - sizeof(src->chunk));
	src->mem = p;
	src->memlen = n;
}

long ingest_src_peek(struct ingest_src *src, const char **p)
{
	if (!src->f) {
		*p = src->mem + src->pos;
		return (long)(src->memlen - src->pos);
	}
	if (src->coff == src->clen) {
		if (src->eof)
			return 0;
		src->clen = fread(src->chunk, 1, sizeof(src->chunk), src->f);
		src->coff = 0;
		if (src->clen < sizeof(src->chunk)) {
			if (ferror(src->f))
				return -1;
			src->eof = 1;
		}
	}
	*p = src->chunk + src->coff;
	return (long)(src->clen - src->coff);
}

void ingest_src_skip(struct ingest_src *src, size_t n)
{
	if (src->f)
		src->coff += n;
	src->pos += n;
}

/*
 * source.h - the bytes a parser reads: a FILE (hearth import) or a memory
 * block (an HTTP body), through one small interface, so that every parser
 * reads both and a file is read in constant memory.
 */
#ifndef HEARTH_INGEST_SOURCE_H
#define HEARTH_INGEST_SOURCE_H

#include <stddef.h>
#include <stdio.h>

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
 * with ingest_src_skip.  A memory block is available whole. */
long ingest_src_peek(struct ingest_src *src, const char **p);
void ingest_src_skip(struct ingest_src *src, size_t n);

#endif

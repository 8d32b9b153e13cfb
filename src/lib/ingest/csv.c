/*
 * csv.c - RFC 4180 CSV records from an ingest_src, and rows of them.
 *
 * Strict where strictness protects data: a quote inside an unquoted field,
 * text after a closing quote and an unterminated quote are errors with the
 * line number, not guesses.
 */
#include <stdlib.h>
#include <string.h>

#include "ingest/csv.h"
#include "base/xalloc.h"

#define CSV_MAX_RECORD (16u << 20) /* one record: 16 MiB */

void csv_init(struct csv_parser *p, struct ingest_src *src, char sep)
{
	memset(p, 0, sizeof(*p));
	p->src = src;
	p->sep = sep;
	buf_init(&p->data, CSV_MAX_RECORD);
}

void csv_release(struct csv_parser *p)
{
	buf_release(&p->data);
	free(p->off);
	free(p->lens);
	free(p->ptrs);
	memset(p, 0, sizeof(*p));
}

static void end_field(struct csv_parser *p, size_t start)
{
	size_t len = p->data.len - start;

	if (p->nf + 1 > p->alloc) {
		size_t a = p->alloc ? p->alloc * 2 : 16;
		p->off = xreallocarray(p->off, a, sizeof(*p->off));
		p->lens = xreallocarray(p->lens, a, sizeof(*p->lens));
		p->ptrs = xreallocarray(p->ptrs, a, sizeof(*p->ptrs));
		p->alloc = a;
	}
	p->off[p->nf] = start;
	p->lens[p->nf] = len;
	p->nf++;
	buf_addch(&p->data, '\0');
}

enum { S_START, S_UNQ, S_Q, S_QQ };

int csv_next(struct csv_parser *p, struct csv_record *rec,
	     struct hearth_err *err)
{
	const char *chunk;
	long n;
	size_t i, fstart = 0;
	int st = S_START, any = 0;
	const char sep = p->sep;

	buf_reset(&p->data);
	p->nf = 0;
	rec->line = p->line + 1;
	for (;;) {
		n = ingest_src_peek(p->src, &chunk);
		if (n < 0)
			return err_set(err, "line %ld: read error", p->line + 1);
		if (n == 0)
			break;
		for (i = 0; i < (size_t)n; i++) {
			char c = chunk[i];

			switch (st) {
			case S_START:
				fstart = p->data.len;
				if (c == '"') {
					st = S_Q;
					any = 1;
				} else if (c == sep) {
					end_field(p, fstart);
					any = 1;
				} else if (c == '\n') {
					p->line++;
					if (!any) { /* blank line */
						rec->line = p->line + 1;
						continue;
					}
					end_field(p, fstart);
					goto record;
				} else if (c != '\r') {
					if (buf_addch(&p->data, c) < 0)
						goto too_long;
					st = S_UNQ;
					any = 1;
				}
				break;
			case S_UNQ: {
				/* Copy the run up to the next special byte. */
				size_t j = i;
				while (j < (size_t)n && chunk[j] != sep &&
				       chunk[j] != '\n' && chunk[j] != '\r' &&
				       chunk[j] != '"')
					j++;
				if (j > i && buf_add(&p->data, chunk + i, j - i) < 0)
					goto too_long;
				i = j;
				if (i == (size_t)n)
					break;
				c = chunk[i];
				if (c == sep) {
					end_field(p, fstart);
					st = S_START;
				} else if (c == '\n') {
					p->line++;
					end_field(p, fstart);
					goto record;
				} else if (c == '"') {
					ingest_src_skip(p->src, i);
					return err_set(err,
						       "line %ld: quote inside an "
						       "unquoted field (field %zu)",
						       p->line + 1, p->nf + 1);
				}
				break;
			}
			case S_Q:
				if (c == '"') {
					st = S_QQ;
				} else {
					if (c == '\n')
						p->line++;
					if (buf_addch(&p->data, c) < 0)
						goto too_long;
				}
				break;
			case S_QQ:
				if (c == '"') {
					if (buf_addch(&p->data, '"') < 0)
						goto too_long;
					st = S_Q;
				} else if (c == sep) {
					end_field(p, fstart);
					st = S_START;
				} else if (c == '\n') {
					p->line++;
					end_field(p, fstart);
					goto record;
				} else if (c != '\r') {
					ingest_src_skip(p->src, i);
					return err_set(err,
						       "line %ld: text after the "
						       "closing quote of field %zu",
						       p->line + 1, p->nf + 1);
				}
				break;
			}
		}
		ingest_src_skip(p->src, (size_t)n);
	}
	/* End of input. */
	if (st == S_Q)
		return err_set(err, "line %ld: quoted field not closed before "
			       "the end of input", rec->line);
	if (!any)
		return 0;
	end_field(p, st == S_START ? p->data.len : fstart);
	goto done;
record:
	ingest_src_skip(p->src, i + 1);
done:
	for (i = 0; i < p->nf; i++)
		p->ptrs[i] = p->data.s + p->off[i];
	rec->nfields = p->nf;
	rec->field = p->ptrs;
	rec->len = p->lens;
	return 1;
too_long:
	return err_set(err, "line %ld: record longer than %u bytes", rec->line,
		       CSV_MAX_RECORD);
}

char **csv_header_names(const struct csv_record *rec)
{
	char **names = xcalloc(rec->nfields + 1, sizeof(*names));
	size_t i, len;

	for (i = 0; i < rec->nfields; i++) {
		const char *name = rec->field[i];
		if (i == 0 && !strncmp(name, "\xef\xbb\xbf", 3))
			name += 3;
		while (*name == ' ' || *name == '\t')
			name++;
		len = strlen(name);
		while (len && (name[len - 1] == ' ' || name[len - 1] == '\t'))
			len--;
		names[i] = xstrndup(name, len);
	}
	return names;
}

void csv_names_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

/* Rows: the header's names, then a record at a time. */
struct csv_rows {
	struct ingest_parser base;
	struct csv_parser p;
	char **names;
	size_t ncols;
	int started;
};

static int rows_next(struct ingest_parser *base, struct ingest_row *row,
		     struct hearth_err *err)
{
	struct csv_rows *r = (struct csv_rows *)base;
	struct csv_record rec;
	int rc = csv_next(&r->p, &rec, err);

	memset(row, 0, sizeof(*row));
	if (rc < 0) {
		base->failed_at = r->p.line + 1;
		return -1;
	}
	if (!r->started) {
		r->started = 1;
		if (rc == 0) {
			base->failed_at = 1;
			return err_set(err, "line 1: no header row (want "
				       "column names)");
		}
		r->ncols = rec.nfields;
		r->names = csv_header_names(&rec);
		row->header = 1;
		row->cols = (const char *const *)r->names;
		row->ncols = r->ncols;
		row->at = rec.line;
		return 1;
	}
	if (rc == 0)
		return 0;
	if (rec.nfields != r->ncols) {
		base->failed_at = rec.line;
		return err_set(err, "line %ld: %zu fields, the header has %zu",
			       rec.line, rec.nfields, r->ncols);
	}
	row->same_cols = 1;
	row->cols = (const char *const *)r->names;
	row->vals = rec.field;
	row->lens = rec.len;
	row->ncols = r->ncols;
	row->at = rec.line;
	return 1;
}

static void rows_free(struct ingest_parser *base)
{
	struct csv_rows *r = (struct csv_rows *)base;

	csv_names_free(r->names, r->ncols);
	csv_release(&r->p);
	free(r);
}

static const struct ingest_parser_ops csv_rows_ops = {
	"line", rows_next, rows_free,
};

struct ingest_parser *csv_rows(struct ingest_src *src)
{
	struct csv_rows *r = xcalloc(1, sizeof(*r));

	r->base.ops = &csv_rows_ops;
	r->base.src = src;
	csv_init(&r->p, src, ',');
	return &r->base;
}

/*
 * batch.c - rows converted from any parser, held until a write
 * transaction stores them.
 */
#include "ingest/batch.h"

#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "base/xalloc.h"
#include "ingest/shapes.h"

#define BLOCK_SIZE 65536

/* Text of held values lives in blocks that never move, so the values can
 * point into them; a reset batch fills its blocks again. */
struct block {
	struct block *next;
	size_t used, cap;
	char data[];
};

/* Consecutive rows written by the same writer. */
struct run {
	struct writer *w; /* a reference of the batch's */
	size_t first;     /* first row */
	size_t voff;      /* its first value in vals */
	size_t n;         /* rows */
};

struct batch {
	struct batch_opts o;
	struct shapes shapes;
	int64_t now;      /* the time of rows that give none */
	struct writer_val *vals;
	size_t nvals, avals;
	long *at;
	int64_t *times;   /* per row, INT64_MIN: none */
	size_t nrows, arows;
	struct run *runs;
	size_t nruns, aruns;
	struct block *blocks, *cur; /* cur: the block being filled */
	/* The rows' chart rollups, one per table that has them, added up
	 * before the lock so that storing costs an upsert per bucket. */
	struct rollup_accs accs;
	size_t folded;    /* rows added up in accs */
	size_t hint_rows, hint_len; /* of a body in memory: see reserve */
	const char *unit; /* the parser's, once one filled the batch */
	struct writer *last; /* of the row before (the shapes' own) */
};

struct batch *batch_new(const struct batch_opts *o)
{
	struct batch *b = xcalloc(1, sizeof(*b));

	b->o = *o;
	shapes_init(&b->shapes, o->max_shapes, o->evict);
	b->now = timefmt_now();
	return b;
}

void batch_reset(struct batch *b)
{
	struct block *k;
	size_t i;

	for (i = 0; i < b->nruns; i++)
		writer_free(b->runs[i].w);
	b->nruns = b->nrows = b->nvals = b->folded = 0;
	for (k = b->blocks; k; k = k->next)
		k->used = 0;
	b->cur = b->blocks;
	rollup_accs_clear(&b->accs);
}

void batch_free(struct batch *b)
{
	struct block *k, *next;

	if (!b)
		return;
	batch_reset(b);
	rollup_accs_release(&b->accs);
	shapes_release(&b->shapes);
	for (k = b->blocks; k; k = next) {
		next = k->next;
		free(k);
	}
	free(b->vals);
	free(b->at);
	free(b->times);
	free(b->runs);
	free(b);
}

size_t batch_rows(const struct batch *b)
{
	return b->nrows;
}

const char *batch_unit(const struct batch *b)
{
	return b->unit;
}

const struct schema *batch_schema(const struct batch *b)
{
	return b->o.schema;
}

static const char *keep(struct batch *b, const char *p, size_t n)
{
	struct block *k = b->cur;
	char *dst;

	while (k && k->cap - k->used < n)
		k = k->next;
	if (!k) {
		size_t cap = n > BLOCK_SIZE ? n : BLOCK_SIZE;
		k = xmalloc(sizeof(*k) + cap);
		k->used = 0;
		k->cap = cap;
		k->next = b->blocks;
		b->blocks = k;
	}
	b->cur = k;
	dst = k->data + k->used;
	memcpy(dst, p, n);
	k->used += n;
	return dst;
}

/* Lines of a memory block that could hold a row: not empty, and at most
 * one per 4 bytes ("a,b" and its newline), so that a body of blank lines
 * cannot make the batch reserve more than a few times its size. */
static size_t count_lines(const char *p, size_t len)
{
	const char *end = p + len, *nl;
	size_t n = 0;

	/* memchr, not a loop over bytes: it takes many at a time */
	for (; p < end && (nl = memchr(p, '\n', (size_t)(end - p))); p = nl + 1)
		n += nl > p;
	n += p < end;
	return n < len / 4 + 1 ? n : len / 4 + 1;
}

/* Room for n rows.  For the first row of a body in memory, room for as
 * many as it can hold at once: growing by doubling would copy the rows
 * held so far again and again.  Every value of a real row takes at least
 * a byte of the body (a separator or the newline), which bounds what a
 * body of blank lines could make the batch reserve. */
static void reserve(struct batch *b, size_t n, size_t nv)
{
	if (!b->avals && b->hint_rows) {
		b->avals = b->hint_rows * (nv ? nv : 1);
		if (b->avals > b->hint_len + nv)
			b->avals = b->hint_len + nv;
		b->vals = xreallocarray(NULL, b->avals, sizeof(*b->vals));
		b->arows = b->hint_rows;
		b->at = xreallocarray(b->at, b->arows, sizeof(*b->at));
		b->times = xreallocarray(b->times, b->arows, sizeof(*b->times));
	}
	XGROW(b->vals, b->nvals + nv, b->avals);
	if (n > b->arows) {
		b->arows = n > 2 * b->arows ? n : 2 * b->arows;
		b->at = xreallocarray(b->at, b->arows, sizeof(*b->at));
		b->times = xreallocarray(b->times, b->arows, sizeof(*b->times));
	}
}

int batch_row(struct batch *b, struct writer *w, const struct ingest_row *row,
	      int64_t now, struct hearth_err *err)
{
	size_t n = writer_nvals(w), i;
	char timebuf[WRITER_TIME_MAX];
	struct writer_val *out;
	struct run *r;
	int64_t t;

	reserve(b, b->nrows + 1, n);
	out = b->vals + b->nvals;
	if (writer_convert(w, row->vals, row->lens, now, timebuf, out, &t,
			   err) < 0)
		return -1;
	/* The input's buffers are reused for the next row: keep the text. */
	for (i = 0; i < n; i++)
		if (out[i].type == STORE_TEXT)
			out[i].p = keep(b, out[i].p, out[i].n);
	b->at[b->nrows] = row->at;
	b->times[b->nrows] = t;
	r = b->nruns ? &b->runs[b->nruns - 1] : NULL;
	if (!r || r->w != w) {
		XGROW(b->runs, b->nruns + 1, b->aruns);
		r = &b->runs[b->nruns++];
		r->w = writer_ref(w);
		r->first = b->nrows;
		r->voff = b->nvals;
		r->n = 0;
	}
	r->n++;
	b->nrows++;
	b->nvals += n;
	return 0;
}

/* Add rows [b->folded, upto) up into accs. */
static void fold(struct batch *b, size_t upto)
{
	size_t i, j, k, nv;
	int *map = NULL;

	for (i = 0; i < b->nruns; i++) {
		const struct run *r = &b->runs[i];
		size_t start = r->first > b->folded ? r->first : b->folded;
		size_t end = r->first + r->n < upto ? r->first + r->n : upto;
		struct rollup_acc *a;

		if (start >= end)
			continue;
		a = rollup_accs_get(&b->accs, b->o.schema, writer_table(r->w));
		if (!a)
			continue;
		nv = writer_nvals(r->w);
		map = xreallocarray(map, nv ? nv : 1, sizeof(*map));
		for (j = 0; j < nv; j++)
			map[j] = rollup_acc_col(a, writer_val_name(r->w, j));
		for (k = start; k < end; k++) {
			const struct writer_val *v =
				b->vals + r->voff + (k - r->first) * nv;
			if (b->times[k] == INT64_MIN)
				continue; /* a row without a time: no bucket */
			rollup_acc_row(a, b->times[k]);
			for (j = 0; j < nv; j++)
				rollup_acc_add(a, map[j], v[j].type, v[j].i,
					       v[j].r);
		}
	}
	free(map);
	b->folded = upto;
}

const struct rollup_accs *batch_rollups(struct batch *b, size_t n)
{
	if (n < b->folded) {
		rollup_accs_clear(&b->accs);
		b->folded = 0;
	}
	fold(b, n);
	return &b->accs;
}

int batch_add(struct batch *b, const struct ingest_row *row,
	      struct hearth_err *err)
{
	const char *table = row->table ? row->table : b->o.table;
	struct writer *w = b->last;

	/* Most rows have the columns of the row before; the parser says so
	 * when it knows, which saves comparing every name again. */
	if (row->same_cols && w)
		return batch_row(b, w, row, row->has_time ? row->time : b->now,
				 err);
	if (!table)
		return err_set(err, "no table named");
	if (b->o.table && row->table && strcmp(row->table, b->o.table))
		return err_set(err, "measurement '%s' is not table '%s'",
			       row->table, b->o.table);
	w = shapes_writer(&b->shapes, b->o.s, b->o.schema, b->o.cfg, table,
			  row, err);
	if (!(b->last = w))
		return -1;
	return row->header ? 0 : batch_row(b, w, row,
					   row->has_time ? row->time : b->now,
					   err);
}

int batch_fill(struct batch *b, struct ingest_parser *p, size_t max_rows,
	       long *bad_at, struct hearth_err *err)
{
	struct ingest_row row;
	int rc = 1;

	*bad_at = 0;
	b->unit = p->ops->unit;
	/* A body in memory says how many rows it can hold at most. */
	if (!b->avals && p->src->mem) {
		b->hint_len = p->src->memlen - p->src->pos;
		b->hint_rows = count_lines(p->src->mem + p->src->pos,
					   b->hint_len);
		if (b->hint_rows > max_rows)
			b->hint_rows = max_rows;
	}
	while (b->nrows < max_rows && b->nvals < BATCH_MAX_VALUES) {
		rc = ingest_next(p, &row, err);
		if (rc < 0)
			*bad_at = ingest_failed_at(p);
		if (rc <= 0)
			break;
		if (batch_add(b, &row, err) < 0) {
			*bad_at = ingest_blame(p, &row, err);
			rc = -1;
			break;
		}
	}
	fold(b, b->nrows);
	return rc;
}

void batch_count(const struct batch *b, struct counts *c)
{
	size_t i;

	for (i = 0; i < b->nruns; i++)
		counts_add(c, writer_table(b->runs[i].w), (int64_t)b->runs[i].n);
}

size_t batch_nruns(const struct batch *b)
{
	return b->nruns;
}

void batch_run(const struct batch *b, size_t i, struct batch_run *out)
{
	const struct run *r = &b->runs[i];

	out->w = r->w;
	out->vals = b->vals + r->voff;
	out->at = b->at + r->first;
	out->first = r->first;
	out->n = r->n;
}

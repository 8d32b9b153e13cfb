#include "ingest/stage.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/config.h"
#include "rollup/rollup.h"
#include "ingest/shapes.h"
#include "base/timefmt.h"
#include "ingest/writer.h"
#include "base/xalloc.h"

#define BLOCK_SIZE 65536
#define MAX_SHAPES 64

/* Text of staged values lives in blocks that never move, so the values
 * can point into them. */
struct block {
	struct block *next;
	size_t used, cap;
	char data[];
};

/* Consecutive rows written by the same writer. */
struct run {
	struct writer *w;
	size_t first;   /* first row */
	size_t voff;    /* its first value in vals */
	size_t n;       /* rows */
};

struct stage {
	struct store *s;
	const struct schema *schema;
	const struct config *cfg;
	struct writer_val *vals;
	size_t nvals, avals;
	long *lines;
	int64_t *times; /* per row, INT64_MIN: none */
	size_t nrows, arows, atimes;
	struct run *runs;
	size_t nruns, aruns;
	struct shapes shapes; /* every writer, kept until the rows are stored */
	struct block *blocks;
	/* The rows' chart rollups, one per table that has them, aggregated
	 * before the lock so that storing costs an upsert per bucket. */
	struct rollup_accs accs;
	size_t hint; /* lines in the body: rows there can be at most */
	size_t len;  /* bytes in the body */
};

static const char *keep(struct stage *st, const char *p, size_t n)
{
	struct block *b = st->blocks;
	char *dst;

	if (!b || b->cap - b->used < n) {
		size_t cap = n > BLOCK_SIZE ? n : BLOCK_SIZE;
		b = xmalloc(sizeof(*b) + cap);
		b->next = st->blocks;
		b->used = 0;
		b->cap = cap;
		st->blocks = b;
	}
	dst = b->data + b->used;
	memcpy(dst, p, n);
	b->used += n;
	return dst;
}

/* Convert one row with w and append it. */
static int add_row(struct stage *st, struct writer *w,
		   const char *const *vals, const size_t *lens, int64_t now,
		   long line, struct hearth_err *err)
{
	size_t n = writer_nvals(w), i;
	char timebuf[WRITER_TIME_MAX];
	struct writer_val *out;
	struct run *r;
	int64_t t;

	/* Room for a row per line at the first row: growing by doubling
	 * would copy the rows staged so far again and again.  Every value
	 * of a real row takes at least a byte of the body (a separator or
	 * the newline), which bounds what blank lines could make us
	 * reserve. */
	if (!st->avals && st->hint) {
		st->avals = st->hint * (n ? n : 1);
		if (st->avals > st->len + n)
			st->avals = st->len + n;
		st->vals = xreallocarray(NULL, st->avals, sizeof(*st->vals));
		st->arows = st->hint;
		st->lines = xreallocarray(NULL, st->arows, sizeof(*st->lines));
		st->atimes = st->hint;
		st->times = xreallocarray(NULL, st->atimes, sizeof(*st->times));
	}
	XGROW(st->vals, st->nvals + n, st->avals);
	out = st->vals + st->nvals;
	if (writer_convert(w, vals, lens, now, timebuf, out, &t, err) < 0)
		return err_prefix(err, "line %ld", line);
	/* The input's buffers are reused for the next line: keep the text. */
	for (i = 0; i < n; i++)
		if (out[i].type == STORE_TEXT)
			out[i].p = keep(st, out[i].p, out[i].n);
	XGROW(st->lines, st->nrows + 1, st->arows);
	XGROW(st->times, st->nrows + 1, st->atimes);
	st->lines[st->nrows] = line;
	st->times[st->nrows] = t;
	r = st->nruns ? &st->runs[st->nruns - 1] : NULL;
	if (!r || r->w != w) {
		XGROW(st->runs, st->nruns + 1, st->aruns);
		r = &st->runs[st->nruns++];
		r->w = w;
		r->first = st->nrows;
		r->voff = st->nvals;
		r->n = 0;
	}
	r->n++;
	st->nrows++;
	st->nvals += n;
	return 0;
}

static const char *time_col(const struct config *cfg, const char *table)
{
	return cfg ? config_get(cfg, "time_columns", table) : NULL;
}

static int stage_csv(struct stage *st, const struct schema *schema,
		     const struct config *cfg, const char *table,
		     struct ingest_src *src, long *bad_line,
		     struct hearth_err *err)
{
	struct csv_parser p;
	struct csv_record rec;
	struct writer *w = NULL;
	char **cols = NULL;
	size_t ncols = 0;
	int64_t now = timefmt_now();
	int rc, ret = -1;

	csv_init(&p, src, ',');
	rc = csv_next(&p, &rec, err);
	if (rc <= 0) {
		if (rc == 0)
			err_set(err, "line 1: no header row (want column names)");
		*bad_line = rc == 0 ? 1 : p.line + 1;
		goto out;
	}
	ncols = rec.nfields;
	cols = csv_header_names(&rec);
	if (writer_open(&w, st->s, schema, table, (const char *const *)cols,
			ncols, time_col(cfg, table), 1, err) < 0 ||
	    shapes_put(&st->shapes, "", w, err) < 0) {
		err_prefix(err, "line %ld (header)", rec.line);
		*bad_line = rec.line;
		goto out;
	}
	while ((rc = csv_next(&p, &rec, err)) == 1) {
		if (rec.nfields != ncols) {
			err_set(err, "line %ld: %zu fields, the header has %zu",
				rec.line, rec.nfields, ncols);
			*bad_line = rec.line;
			goto out;
		}
		if (add_row(st, w, rec.field, rec.len, now,
			    rec.line, err) < 0) {
			*bad_line = rec.line;
			goto out;
		}
	}
	if (rc < 0) {
		*bad_line = p.line + 1;
		goto out;
	}
	ret = 0;
out:
	csv_names_free(cols, ncols);
	csv_release(&p);
	return ret;
}

static int stage_lp(struct stage *st, const struct schema *schema,
		    const struct config *cfg, const char *table,
		    enum lp_precision prec, struct ingest_src *src,
		    long *bad_line, struct hearth_err *err)
{
	struct lp_parser p;
	struct lp_point pt;
	const char **vals = NULL;
	size_t *lens = NULL, alloc = 0;
	int64_t now = timefmt_now();
	int rc, ret = -1;

	lp_init(&p, src, prec);
	while ((rc = lp_next(&p, &pt, err)) == 1) {
		struct writer *w;

		if (table && strcmp(pt.measurement, table)) {
			err_set(err, "line %ld: measurement '%s' is not table '%s'",
				pt.line, pt.measurement, table);
			*bad_line = pt.line;
			goto out;
		}
		w = shapes_writer(&st->shapes, st->s, schema, cfg, &pt, err);
		if (!w) {
			err_prefix(err, "line %ld", pt.line);
			*bad_line = pt.line;
			goto out;
		}
		lp_values(&pt, &vals, &lens, &alloc);
		if (add_row(st, w, vals, lens, pt.has_time ? pt.time : now,
			    pt.line, err) < 0) {
			*bad_line = pt.line;
			goto out;
		}
	}
	if (rc < 0) {
		*bad_line = p.lineno;
		goto out;
	}
	ret = 0;
out:
	free(vals);
	free(lens);
	lp_release(&p);
	return ret;
}

/* Aggregate every staged row into its table's rollup buckets, before
 * the write lock. */
static void fold_rows(struct stage *st)
{
	size_t i;

	for (i = 0; i < st->nruns; i++) {
		const struct run *r = &st->runs[i];
		struct rollup_acc *a = rollup_accs_get(&st->accs, st->schema,
						       writer_table(r->w));
		if (a)
			rollup_acc_rows(a, r->w, st->vals + r->voff, r->n,
					st->times + r->first);
	}
}

/* Lines in p that could hold a row: not empty, and at most one per 4
 * bytes ("a,b" and its newline), so that a body of blank lines cannot
 * make the stage reserve more than a few times its size. */
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

int stage_prepare(struct stage **out, struct store *s,
		  const struct schema *schema, const struct config *cfg,
		  enum import_format format, const char *table,
		  enum lp_precision prec, const char *body, size_t len,
		  long *bad_line, struct hearth_err *err)
{
	struct stage *st = xcalloc(1, sizeof(*st));
	struct ingest_src *src = xmalloc(sizeof(*src));
	int rc;

	*bad_line = 0;
	shapes_init(&st->shapes, MAX_SHAPES, 0);
	st->s = s;
	st->schema = schema;
	st->cfg = cfg;
	st->hint = count_lines(body, len);
	st->len = len;
	ingest_src_mem(src, body, len);
	rc = format == IMPORT_CSV
		     ? stage_csv(st, schema, cfg, table, src, bad_line, err)
		     : stage_lp(st, schema, cfg, table, prec, src, bad_line, err);
	free(src);
	if (rc == 0)
		fold_rows(st);
	if (rc < 0) {
		stage_free(st);
		*out = NULL;
		return -1;
	}
	*out = st;
	return 0;
}

size_t stage_rows(const struct stage *st)
{
	return st->nrows;
}

/* Rows per shape (in shapes[] order) into counts. */
static void shape_counts(const struct stage *st, int64_t *counts)
{
	size_t i, j;

	for (i = 0; i < st->shapes.n; i++)
		counts[i] = 0;
	for (i = 0; i < st->nruns; i++)
		for (j = 0; j < st->shapes.n; j++)
			if (st->shapes.v[j].w == st->runs[i].w) {
				counts[j] += (int64_t)st->runs[i].n;
				break;
			}
}

/* Rows of shape i's table, over all shapes; 0 when an earlier shape has
 * the same table (so each table is counted once). */
static int64_t table_rows(const struct stage *st, const int64_t *counts,
			  size_t i)
{
	const char *t = writer_table(st->shapes.v[i].w);
	int64_t n = 0;
	size_t j;

	for (j = 0; j < i; j++)
		if (!strcmp(writer_table(st->shapes.v[j].w), t))
			return 0;
	for (j = i; j < st->shapes.n; j++)
		if (!strcmp(writer_table(st->shapes.v[j].w), t))
			n += counts[j];
	return n;
}

/* Insert st's rows and add them to the rollup buckets through s, in the
 * caller's transaction.  On a refused row, *bad_line is its line. */
static int insert_stage(struct stage *st, struct store *s, long *bad_line,
			struct hearth_err *err)
{
	size_t i, bad;

	for (i = 0; i < st->nruns; i++) {
		struct run *r = &st->runs[i];
		if (writer_insert_rows(r->w, s, st->vals + r->voff, r->n, &bad,
				       err) < 0) {
			*bad_line = st->lines[r->first + bad];
			return err_prefix(err, "line %ld", *bad_line);
		}
	}
	return rollup_accs_put(&st->accs, s, err);
}

void stage_committed(const struct stage *st,
		     void (*committed)(void *ctx, const char *table,
				       int64_t rows),
		     void *ctx)
{
	int64_t counts[MAX_SHAPES];
	size_t i;

	shape_counts(st, counts);
	for (i = 0; i < st->shapes.n; i++) {
		int64_t n = table_rows(st, counts, i);
		if (n)
			committed(ctx, writer_table(st->shapes.v[i].w), n);
	}
}

int stage_store_all(struct stage *const *sts, size_t n, struct store *s,
		    long *bad_line, struct hearth_err *err)
{
	struct hearth_err ignore;
	size_t i;

	*bad_line = 0;
	if (store_begin_immediate(s, err) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		/* The buckets get these rows from the accumulators, so the
		 * rows other programs wrote since the mark must be folded
		 * first; once per schema the stages were made with. */
		if ((i == 0 || sts[i]->schema != sts[i - 1]->schema) &&
		    rollup_catch_up(s, sts[i]->schema, NULL, err) < 0)
			goto fail;
		if (insert_stage(sts[i], s, bad_line, err) < 0)
			goto fail;
	}
	if (store_commit(s, err) < 0)
		goto fail;
	return 0;
fail:
	store_rollback(s, &ignore);
	return -1;
}

int stage_store(struct stage *st, struct store *s,
		void (*committed)(void *ctx, const char *table, int64_t rows),
		void *ctx, long *bad_line, struct hearth_err *err)
{
	if (stage_store_all(&st, 1, s, bad_line, err) < 0)
		return -1;
	if (committed)
		stage_committed(st, committed, ctx);
	return 0;
}

void stage_free(struct stage *st)
{
	struct block *b, *next;

	if (!st)
		return;
	shapes_release(&st->shapes);
	for (b = st->blocks; b; b = next) {
		next = b->next;
		free(b);
	}
	rollup_accs_release(&st->accs);
	free(st->vals);
	free(st->lines);
	free(st->times);
	free(st->runs);
	free(st);
}

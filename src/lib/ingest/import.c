#include "ingest/import.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/config.h"
#include "rollup/rollup.h"
#include "ingest/shapes.h"
#include "base/timefmt.h"
#include "ingest/writer.h"
#include "base/xalloc.h"

#define PROGRESS_EVERY 8192
#define MAX_WRITERS 32
/* Rows converted and held before they are inserted: multi-row INSERTs
 * (writer_insert_rows) cost a fraction of one statement per row. */
#define PENDING_ROWS (4 * WRITER_MULTI_ROWS)

/* Rows of the open transaction per table, for opts->committed. */
struct tcount {
	char *table;
	int64_t rows;
};

/* Converted rows of one writer, not yet inserted.  Text values point into
 * `text` by offset until the rows are inserted (the buffer may move). */
struct pending {
	struct writer *w;
	struct writer_val *vals;
	size_t avals;
	long lines[PENDING_ROWS];
	int64_t times[PENDING_ROWS]; /* INT64_MIN: none */
	size_t n;
	struct buf text;
};

struct run {
	struct store *s;
	const struct schema *schema;
	const struct import_opts *o;
	struct import_result *res;
	int64_t pending;      /* rows inserted in the open transaction */
	int in_tx;
	struct pending pend;
	struct shapes shapes;
	struct rollup_accs accs; /* the open transaction's rows, per table */
	struct tcount *tc;
	size_t ntc, atc;
};

static void count_table(struct run *r, const char *table, int64_t n)
{
	size_t i;

	if (!r->o->committed || n == 0)
		return;
	for (i = 0; i < r->ntc; i++)
		if (!strcmp(r->tc[i].table, table)) {
			r->tc[i].rows += n;
			return;
		}
	XGROW(r->tc, r->ntc + 1, r->atc);
	r->tc[r->ntc].table = xstrdup(table);
	r->tc[r->ntc].rows = n;
	r->ntc++;
}

/* After a commit (ok != 0) or a rollback: report and forget the counts. */
static void flush_counts(struct run *r, int ok)
{
	size_t i;

	for (i = 0; i < r->ntc; i++) {
		if (ok && r->tc[i].rows)
			r->o->committed(r->o->committed_ctx, r->tc[i].table,
					r->tc[i].rows);
		free(r->tc[i].table);
	}
	r->ntc = 0;
}

static const char *time_col(const struct run *r, const char *table)
{
	return r->o->cfg ? config_get(r->o->cfg, "time_columns", table) : NULL;
}

static int begin(struct run *r, struct hearth_err *err)
{
	if (r->in_tx)
		return 0;
	if (store_begin_immediate(r->s, err) < 0)
		return -1;
	r->in_tx = 1;
	/* The rows go into the rollups from accumulators at the commit, so
	 * what other programs wrote since the mark is folded first. */
	if (rollup_catch_up(r->s, r->schema, NULL, err) < 0) {
		struct hearth_err ignore;
		store_rollback(r->s, &ignore);
		r->in_tx = 0;
		return -1;
	}
	return 0;
}

/* Rows that were inserted are committed with the transaction; rows still
 * pending belong to the caller (flush first). */
static int commit(struct run *r, struct hearth_err *err)
{
	if (!r->in_tx)
		return 0;
	r->in_tx = 0;
	if (rollup_accs_store(&r->accs, r->s, err) < 0 ||
	    store_commit(r->s, err) < 0) {
		struct hearth_err ignore;
		store_rollback(r->s, &ignore);
		rollup_accs_release(&r->accs);
		r->pending = 0;
		flush_counts(r, 0);
		return -1;
	}
	flush_counts(r, 1);
	r->res->rows += r->pending;
	r->pending = 0;
	return 0;
}

/* Insert the pending rows.  On error *bad_line is the line of the row that
 * failed; the rows before it are inserted. */
static int flush(struct run *r, size_t bytes, long *bad_line,
		 struct hearth_err *err)
{
	struct pending *p = &r->pend;
	struct rollup_acc *acc;
	size_t nv, i, bad = 0;
	int64_t before = r->res->rows + r->pending;
	int rc;

	if (!p->n)
		return 0;
	nv = writer_nvals(p->w);
	for (i = 0; i < p->n * nv; i++)
		if (p->vals[i].type == STORE_TEXT)
			p->vals[i].p = p->text.s + (uintptr_t)p->vals[i].p;
	rc = begin(r, err);
	if (rc == 0)
		rc = writer_insert_rows(p->w, r->s, p->vals, p->n, &bad, err);
	if (rc < 0) {
		*bad_line = p->lines[bad];
		err_prefix(err, "line %ld", *bad_line);
	}
	/* The rows stored (those before a failed one) are counted for the
	 * chart rollups, merged at the commit. */
	acc = rollup_accs_get(&r->accs, r->schema, writer_table(p->w));
	if (acc)
		rollup_acc_rows(acc, p->w, p->vals, rc < 0 ? bad : p->n,
				p->times);
	r->pending += (int64_t)(rc < 0 ? bad : p->n);
	count_table(r, writer_table(p->w), rc < 0 ? (int64_t)bad : (int64_t)p->n);
	p->n = 0;
	buf_reset(&p->text);
	if (r->o->progress &&
	    before / PROGRESS_EVERY != (r->res->rows + r->pending) / PROGRESS_EVERY)
		r->o->progress(r->o->progress_ctx, bytes,
			       r->res->rows + r->pending);
	if (rc < 0)
		return -1;
	/* The next row opens the next transaction. */
	if (!r->o->atomic && r->o->batch && (size_t)r->pending >= r->o->batch &&
	    commit(r, err) < 0) {
		*bad_line = p->lines[0];
		return -1;
	}
	return 0;
}

/* Convert one row and hold it; insert when enough are held. */
static int add_row(struct run *r, struct writer *w, const char *const *vals,
		   const size_t *lens, int64_t now, long line, size_t bytes,
		   long *bad_line, struct hearth_err *err)
{
	struct pending *p = &r->pend;
	char timebuf[WRITER_TIME_MAX];
	struct writer_val *v;
	size_t nv = writer_nvals(w), i;

	if (p->w != w && flush(r, bytes, bad_line, err) < 0)
		return -1;
	p->w = w;
	if (PENDING_ROWS * nv > p->avals) {
		p->avals = PENDING_ROWS * nv;
		p->vals = xreallocarray(p->vals, p->avals, sizeof(*p->vals));
	}
	v = p->vals + p->n * nv;
	if (writer_convert(w, vals, lens, now, timebuf, v, &p->times[p->n],
			   err) < 0) {
		struct hearth_err ferr;
		/* Rows before the bad line are good: insert them first (if
		 * that fails, its error is the earlier one). */
		if (flush(r, bytes, bad_line, &ferr) < 0) {
			*err = ferr;
			return -1;
		}
		*bad_line = line;
		err_prefix(err, "line %ld", line);
		return -1;
	}
	for (i = 0; i < nv; i++)
		if (v[i].type == STORE_TEXT) {
			size_t off = p->text.len;
			buf_add(&p->text, v[i].p, v[i].n);
			v[i].p = (const char *)(uintptr_t)off;
		}
	p->lines[p->n++] = line;
	return p->n == PENDING_ROWS ? flush(r, bytes, bad_line, err) : 0;
}

/* An error at line: the rows before it are stored first. */
static int fail_at(struct run *r, long line, size_t bytes,
		   struct hearth_err *err)
{
	struct hearth_err ferr;
	long fline = 0;

	if (flush(r, bytes, &fline, &ferr) < 0) {
		*err = ferr;
		line = fline;
	}
	r->res->bad_line = line;
	return -1;
}

static int import_csv(struct run *r, struct ingest_src *src,
		      struct hearth_err *err)
{
	struct csv_parser p;
	struct csv_record rec;
	struct writer *w = NULL;
	char **cols = NULL;
	size_t ncols = 0;
	long bad = 0;
	int rc, ret = -1;
	int64_t now = timefmt_now();

	csv_init(&p, src, ',');
	rc = csv_next(&p, &rec, err);
	if (rc <= 0) {
		if (rc == 0)
			err_set(err, "line 1: no header row (want column names)");
		r->res->bad_line = rec.line;
		goto out;
	}
	ncols = rec.nfields;
	cols = csv_header_names(&rec);
	if (writer_open(&w, r->s, r->schema, r->o->table,
			(const char *const *)cols, ncols,
			time_col(r, r->o->table), 1, err) < 0) {
		err_prefix(err, "line %ld (header)", rec.line);
		r->res->bad_line = rec.line;
		goto out;
	}
	while ((rc = csv_next(&p, &rec, err)) == 1) {
		if (rec.nfields != ncols) {
			err_set(err, "line %ld: %zu fields, the header has %zu",
				rec.line, rec.nfields, ncols);
			fail_at(r, rec.line, src->pos, err);
			goto out;
		}
		if (add_row(r, w, rec.field, rec.len, now, rec.line, src->pos,
			    &bad, err) < 0) {
			r->res->bad_line = bad;
			goto out;
		}
	}
	if (rc < 0) {
		fail_at(r, p.line + 1, src->pos, err);
		goto out;
	}
	if (flush(r, src->pos, &bad, err) < 0) {
		r->res->bad_line = bad;
		goto out;
	}
	ret = 0;
out:
	r->pend.n = 0; /* the writer goes: nothing may still point at it */
	r->pend.w = NULL;
	writer_free(w);
	csv_names_free(cols, ncols);
	csv_release(&p);
	return ret;
}

static int import_lp(struct run *r, struct ingest_src *src,
		     struct hearth_err *err)
{
	struct lp_parser p;
	struct lp_point pt;
	const char **vals = NULL;
	size_t *lens = NULL, alloc = 0;
	int64_t now = timefmt_now();
	long bad = 0;
	int rc, ret = -1;

	lp_init(&p, src, r->o->precision);
	/* Eviction never hits the pending rows' writer: it is the most
	 * recently used one. */
	shapes_init(&r->shapes, MAX_WRITERS, 1);
	while ((rc = lp_next(&p, &pt, err)) == 1) {
		struct writer *w;

		if (r->o->table && strcmp(pt.measurement, r->o->table)) {
			err_set(err, "line %ld: measurement '%s' is not table '%s'",
				pt.line, pt.measurement, r->o->table);
			fail_at(r, pt.line, src->pos, err);
			goto out;
		}
		w = shapes_writer(&r->shapes, r->s, r->schema, r->o->cfg, &pt,
				  err);
		if (!w) {
			err_prefix(err, "line %ld", pt.line);
			fail_at(r, pt.line, src->pos, err);
			goto out;
		}
		lp_values(&pt, &vals, &lens, &alloc);
		if (add_row(r, w, vals, lens, pt.has_time ? pt.time : now,
			    pt.line, src->pos, &bad, err) < 0) {
			r->res->bad_line = bad;
			goto out;
		}
	}
	if (rc < 0) {
		fail_at(r, p.lineno, src->pos, err);
		goto out;
	}
	if (flush(r, src->pos, &bad, err) < 0) {
		r->res->bad_line = bad;
		goto out;
	}
	ret = 0;
out:
	r->pend.n = 0;
	r->pend.w = NULL;
	shapes_release(&r->shapes);
	free(vals);
	free(lens);
	lp_release(&p);
	return ret;
}

int import_run(struct store *s, const struct schema *schema,
	       struct ingest_src *src, const struct import_opts *o,
	       struct import_result *res, struct hearth_err *err)
{
	struct run r;
	int ret;

	memset(&r, 0, sizeof(r));
	memset(res, 0, sizeof(*res));
	r.s = s;
	r.schema = schema;
	r.o = o;
	r.res = res;
	ret = o->format == IMPORT_CSV ? import_csv(&r, src, err)
				      : import_lp(&r, src, err);
	if (ret == 0) {
		ret = commit(&r, err);
	} else if (r.in_tx) {
		struct hearth_err ignore;
		/* What was inserted is every row before the bad line (a
		 * failed row was never stored: SQLite undoes just the
		 * failing statement).  Keep it unless asked for all or
		 * nothing. */
		if (o->atomic) {
			store_rollback(s, &ignore);
			r.in_tx = 0;
			flush_counts(&r, 0);
		} else if (commit(&r, &ignore) < 0) {
			err_prefix(err, "rows before the error not saved either "
				   "(%s)", ignore.msg);
		}
	}
	flush_counts(&r, 0);
	rollup_accs_release(&r.accs);
	free(r.tc);
	free(r.pend.vals);
	buf_release(&r.pend.text);
	return ret;
}

#include "import.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "timefmt.h"
#include "writer.h"
#include "xalloc.h"

#define PROGRESS_EVERY 8192
#define MAX_WRITERS 32

/* Line protocol lines may each name other columns; one writer per shape,
 * most recently used first. */
struct shape {
	char *key;
	struct writer *w;
};

struct run {
	struct store *s;
	const struct schema *schema;
	const struct import_opts *o;
	struct import_result *res;
	int64_t pending;      /* rows in the open transaction */
	int in_tx;
	struct shape shapes[MAX_WRITERS];
	size_t nshapes;
};

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
	return 0;
}

static int commit(struct run *r, struct hearth_err *err)
{
	if (!r->in_tx)
		return 0;
	r->in_tx = 0;
	if (store_commit(r->s, err) < 0) {
		struct hearth_err ignore;
		store_rollback(r->s, &ignore);
		r->pending = 0;
		return -1;
	}
	r->res->rows += r->pending;
	r->pending = 0;
	return 0;
}

/* After a row: commit when the batch is full. */
static int row_done(struct run *r, size_t bytes, struct hearth_err *err)
{
	r->pending++;
	if (r->o->progress && (r->res->rows + r->pending) % PROGRESS_EVERY == 0)
		r->o->progress(r->o->progress_ctx, bytes,
			       r->res->rows + r->pending);
	if (!r->o->atomic && r->o->batch && (size_t)r->pending >= r->o->batch) {
		if (commit(r, err) < 0 || begin(r, err) < 0)
			return -1;
	}
	return 0;
}

static int import_csv(struct run *r, struct ingest_src *src,
		      struct hearth_err *err)
{
	struct csv_parser p;
	struct csv_record rec;
	struct writer *w = NULL;
	const char **cols = NULL;
	size_t ncols = 0, i;
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
	cols = xcalloc(ncols, sizeof(*cols));
	for (i = 0; i < ncols; i++) {
		const char *name = rec.field[i];
		/* A UTF-8 byte order mark from spreadsheet exports. */
		if (i == 0 && !strncmp(name, "\xef\xbb\xbf", 3))
			name += 3;
		size_t len;
		while (*name == ' ' || *name == '\t')
			name++;
		len = strlen(name);
		while (len && (name[len - 1] == ' ' || name[len - 1] == '\t'))
			len--;
		cols[i] = xstrndup(name, len);
	}
	if (writer_open(&w, r->s, r->schema, r->o->table, cols, ncols,
			time_col(r, r->o->table), 1, err) < 0) {
		err_prefix(err, "line %ld (header)", rec.line);
		r->res->bad_line = rec.line;
		goto out;
	}
	if (begin(r, err) < 0)
		goto out;
	while ((rc = csv_next(&p, &rec, err)) == 1) {
		if (rec.nfields != ncols) {
			err_set(err, "line %ld: %zu fields, the header has %zu",
				rec.line, rec.nfields, ncols);
			r->res->bad_line = rec.line;
			goto out;
		}
		if (writer_add(w, rec.field, rec.len, now, err) < 0) {
			err_prefix(err, "line %ld", rec.line);
			r->res->bad_line = rec.line;
			goto out;
		}
		if (row_done(r, src->pos, err) < 0)
			goto out;
	}
	if (rc < 0) {
		r->res->bad_line = p.line + 1;
		goto out;
	}
	ret = 0;
out:
	writer_free(w);
	if (cols)
		for (i = 0; i < ncols; i++)
			free((char *)cols[i]);
	free(cols);
	csv_release(&p);
	return ret;
}

static struct writer *shape_writer(struct run *r, const struct lp_point *pt,
				   struct hearth_err *err)
{
	struct buf key = BUF_INIT;
	const char **cols;
	struct shape sh;
	size_t i, n = pt->ntags + pt->nfields;

	buf_addstr(&key, pt->measurement);
	for (i = 0; i < n; i++) {
		buf_addch(&key, '\x1f');
		buf_addstr(&key, pt->tags[i].key); /* tags and fields are one array */
	}
	for (i = 0; i < r->nshapes; i++)
		if (!strcmp(r->shapes[i].key, key.s)) {
			sh = r->shapes[i];
			memmove(&r->shapes[1], &r->shapes[0], i * sizeof(sh));
			r->shapes[0] = sh;
			buf_release(&key);
			return sh.w;
		}
	cols = xcalloc(n + 1, sizeof(*cols));
	for (i = 0; i < n; i++)
		cols[i] = pt->tags[i].key;
	sh.w = NULL;
	if (writer_open(&sh.w, r->s, r->schema, pt->measurement, cols, n,
			time_col(r, pt->measurement), 1, err) < 0) {
		free(cols);
		buf_release(&key);
		return NULL;
	}
	free(cols);
	sh.key = buf_detach(&key, NULL);
	if (r->nshapes == MAX_WRITERS) {
		r->nshapes--;
		free(r->shapes[r->nshapes].key);
		writer_free(r->shapes[r->nshapes].w);
	}
	memmove(&r->shapes[1], &r->shapes[0], r->nshapes * sizeof(sh));
	r->shapes[0] = sh;
	r->nshapes++;
	return sh.w;
}

static int import_lp(struct run *r, struct ingest_src *src,
		     struct hearth_err *err)
{
	struct lp_parser p;
	struct lp_point pt;
	const char **vals = NULL;
	size_t *lens = NULL, alloc = 0, i, n;
	int64_t now = timefmt_now();
	int rc, ret = -1;

	lp_init(&p, src, r->o->precision);
	if (begin(r, err) < 0)
		goto out;
	while ((rc = lp_next(&p, &pt, err)) == 1) {
		struct writer *w;

		if (r->o->table && strcmp(pt.measurement, r->o->table)) {
			err_set(err, "line %ld: measurement '%s' is not table '%s'",
				pt.line, pt.measurement, r->o->table);
			r->res->bad_line = pt.line;
			goto out;
		}
		w = shape_writer(r, &pt, err);
		if (!w) {
			err_prefix(err, "line %ld", pt.line);
			r->res->bad_line = pt.line;
			goto out;
		}
		n = pt.ntags + pt.nfields;
		if (n > alloc) {
			alloc = n * 2;
			vals = xreallocarray(vals, alloc, sizeof(*vals));
			lens = xreallocarray(lens, alloc, sizeof(*lens));
		}
		for (i = 0; i < n; i++) {
			vals[i] = pt.tags[i].val;
			lens[i] = pt.tags[i].vlen;
		}
		if (writer_add(w, vals, lens, pt.has_time ? pt.time : now, err) < 0) {
			err_prefix(err, "line %ld", pt.line);
			r->res->bad_line = pt.line;
			goto out;
		}
		if (row_done(r, src->pos, err) < 0)
			goto out;
	}
	if (rc < 0) {
		r->res->bad_line = p.lineno;
		goto out;
	}
	ret = 0;
out:
	for (i = 0; i < r->nshapes; i++) {
		free(r->shapes[i].key);
		writer_free(r->shapes[i].w);
	}
	r->nshapes = 0;
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
		/* The failed row was never stored (SQLite undoes just the
		 * failing statement), so what is pending is every row
		 * before the bad line: keep it unless asked for all or
		 * nothing. */
		if (o->atomic) {
			store_rollback(s, &ignore);
			r.in_tx = 0;
		} else if (commit(&r, &ignore) < 0) {
			err_prefix(err, "rows before the error not saved either "
				   "(%s)", ignore.msg);
		}
	}
	return ret;
}

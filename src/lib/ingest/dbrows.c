/*
 * dbrows.c - a table's rows read through a store, as a parser.
 */
#include "ingest/dbrows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"

#define NUM_MAX 32 /* bytes of an integer or a %.17g real */

struct dbrows {
	struct ingest_parser base;
	struct ingest_src src;   /* unused: rows come from st */
	struct store_stmt *st;
	const struct schema_table *t;
	const char **cols;
	const char **vals;
	size_t *lens;
	char (*nums)[NUM_MAX];   /* numbers formatted, one slot a column */
	long at;
};

static int dbrows_next(struct ingest_parser *base, struct ingest_row *row,
		       struct hearth_err *err)
{
	struct dbrows *d = (struct dbrows *)base;
	size_t i, n = d->t->ncols;
	int rc = store_step(d->st, err);

	if (rc <= 0) {
		if (rc < 0)
			base->failed_at = d->at + 1;
		return rc;
	}
	d->at++;
	for (i = 0; i < n; i++) {
		int k = (int)i, len = 0;
		double r;

		switch (store_column_type(d->st, k)) {
		case STORE_NULL:
			d->vals[i] = NULL;
			d->lens[i] = 0;
			continue;
		case STORE_INT:
			len = snprintf(d->nums[i], NUM_MAX, "%lld",
				       (long long)store_column_int(d->st, k));
			break;
		case STORE_REAL:
			/* The shortest of 15 and 17 digits that reads back
			 * as the same double. */
			r = store_column_real(d->st, k);
			len = snprintf(d->nums[i], NUM_MAX, "%.15g", r);
			if (strtod(d->nums[i], NULL) != r)
				len = snprintf(d->nums[i], NUM_MAX, "%.17g", r);
			break;
		case STORE_TEXT:
			d->vals[i] = store_column_text(d->st, k, &d->lens[i]);
			continue;
		case STORE_BLOB:
			base->failed_at = d->at;
			return err_set(err, "row %ld: column %s holds bytes (a "
				       "blob), which copy does not carry",
				       d->at, d->t->cols[i].name);
		}
		d->vals[i] = d->nums[i];
		d->lens[i] = (size_t)len;
	}
	memset(row, 0, sizeof(*row));
	row->cols = d->cols;
	row->vals = d->vals;
	row->lens = d->lens;
	row->ncols = n;
	row->at = d->at;
	row->same_cols = d->at > 1;
	return 1;
}

static void dbrows_free(struct ingest_parser *base)
{
	struct dbrows *d = (struct dbrows *)base;

	store_finalize(d->st);
	free(d->cols);
	free(d->vals);
	free(d->lens);
	free(d->nums);
	free(d);
}

static const struct ingest_parser_ops dbrows_ops = {
	.unit = "row",
	.next = dbrows_next,
	.free = dbrows_free,
};

int dbrows_open(struct store *s, const struct schema_table *t,
		struct ingest_parser **out, struct hearth_err *err)
{
	struct dbrows *d = xcalloc(1, sizeof(*d));
	struct buf sql = BUF_INIT;
	size_t i, n = t->ncols;
	int ret = -1;

	*out = NULL;
	d->base.ops = &dbrows_ops;
	d->base.src = &d->src;
	d->t = t;
	d->cols = xcalloc(n + 1, sizeof(*d->cols));
	d->vals = xcalloc(n + 1, sizeof(*d->vals));
	d->lens = xcalloc(n + 1, sizeof(*d->lens));
	d->nums = xcalloc(n + 1, sizeof(*d->nums));
	buf_addstr(&sql, "SELECT ");
	for (i = 0; i < n; i++) {
		d->cols[i] = t->cols[i].name;
		if (i)
			buf_addstr(&sql, ", ");
		store_quote_ident(&sql, t->cols[i].name);
	}
	buf_addstr(&sql, " FROM ");
	store_quote_ident(&sql, t->name);
	if (store_prepare(s, sql.s, &d->st, err) < 0)
		goto out;
	*out = &d->base;
	ret = 0;
out:
	buf_release(&sql);
	if (ret < 0)
		dbrows_free(&d->base);
	return ret;
}

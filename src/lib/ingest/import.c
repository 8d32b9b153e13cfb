/*
 * import.c - an input through batches and write transactions.
 */
#include "ingest/import.h"

#include <string.h>

#include "ingest/batch.h"
#include "ingest/wtx.h"

/* Rows converted and held before they are inserted: enough that a batch
 * costs little beside its rows (measured: 2,048 rows of three values
 * make it as cheap as 8,192), few enough to stay in the CPU's cache and
 * keep the import's memory where it was. */
#define BATCH_ROWS 2048
/* Where the store loads a batch as one bulk statement (PostgreSQL's
 * COPY), each statement costs a round trip and a run of the rollup
 * triggers whatever its size.  25,000 rows (two loads per commit of
 * 50,000; 4 MiB more memory) made an import of 200,000 rows as fast
 * as psql's \copy of the same file, where 2,048 ran at 0.6-0.9 of it
 * (bench_pg). */
#define BULK_BATCH_ROWS 25000
/* The progress bar moves every this many rows. */
#define PROGRESS_EVERY 8192
/* Writers kept: a line protocol file may name many sets of columns. */
#define MAX_WRITERS 32

/* After a bad line: keep the rows before it (commit), unless everything
 * or nothing was asked for.  A failed commit says so after err. */
static void keep_before(struct wtx *tx, const struct import_opts *o,
			struct import_result *res, struct hearth_err *err)
{
	struct hearth_err cerr = HEARTH_ERR_INIT;

	if (o->atomic || !tx->open) {
		wtx_rollback(tx);
		return;
	}
	if (wtx_commit(tx, &cerr) < 0)
		err_prefix(err, "rows before the error not saved either (%s)",
			   cerr.msg);
	else
		res->rows += tx->counts.rows;
}

int import_run(struct store *s, const struct schema *schema,
	       struct ingest_src *src, const struct import_opts *o,
	       struct import_result *res, struct hearth_err *err)
{
	struct batch_opts bo = { s, schema, o->cfg, o->table, MAX_WRITERS, 1 };
	struct ingest_parser *p = ingest_open(o->format, src, o->precision);
	struct batch *b = batch_new(&bo);
	struct hearth_err ferr = HEARTH_ERR_INIT;
	struct wtx tx = WTX_INIT;
	size_t most = store_has_bulk(s) ? BULK_BATCH_ROWS : BATCH_ROWS;
	int64_t done, shown = 0;
	long fbad = 0, pbad = 0;
	int ret = -1, fill;

	memset(res, 0, sizeof(*res));
	do {
		size_t room = most, in_tx = tx.open ? (size_t)tx.counts.rows : 0;
		if (!o->atomic && o->batch - in_tx < room)
			room = o->batch - in_tx;
		fill = batch_fill(b, p, room, &fbad, &ferr);
		if (batch_rows(b)) {
			if (!tx.open && wtx_begin(&tx, s, err) < 0)
				goto out;
			/* The rows before a bad line are stored first; when
			 * that fails, its error is the one to report. */
			if (wtx_put(&tx, b, &pbad, err) < 0) {
				res->bad_line = pbad;
				keep_before(&tx, o, res, err);
				goto out;
			}
			batch_reset(b);
		}
		done = res->rows + (tx.open ? tx.counts.rows : 0);
		if (o->progress && done / PROGRESS_EVERY != shown / PROGRESS_EVERY)
			o->progress(o->progress_ctx, ingest_bytes(p),
				    shown = done);
		if (fill < 0) {
			*err = ferr;
			res->bad_line = fbad;
			keep_before(&tx, o, res, err);
			goto out;
		}
		if (tx.open && (fill == 0 ||
				(!o->atomic && (size_t)tx.counts.rows >= o->batch))) {
			if (wtx_commit(&tx, err) < 0)
				goto out;
			res->rows += tx.counts.rows;
		}
	} while (fill > 0);
	ret = 0;
out:
	wtx_release(&tx);
	batch_free(b);
	ingest_free(p);
	return ret;
}

/*
 * wtx.c - begin, insert batches, fold rollups, count, commit.
 */
#include "ingest/wtx.h"

#include "rollup/rollup.h"

int wtx_begin(struct wtx *tx, struct store *s, struct hearth_err *err)
{
	counts_clear(&tx->counts);
	tx->s = s;
	tx->caught_up = NULL;
	if (store_begin_immediate(s, err) < 0)
		return -1;
	tx->open = 1;
	return 0;
}

int wtx_put(struct wtx *tx, struct batch *b, long *bad_at,
	    struct hearth_err *err)
{
	const struct schema *schema = batch_schema(b);
	struct hearth_err ignore;
	struct batch_run r;
	size_t i, bad = 0, stored = 0;
	int rc = 0;

	*bad_at = 0;
	/* The batch's buckets are merged into the rollups, so what other
	 * programs wrote since the mark is folded first; once per schema
	 * the batches were made with. */
	if (tx->caught_up != schema) {
		if (rollup_catch_up(tx->s, schema, NULL, err) < 0)
			return -1;
		tx->caught_up = schema;
	}
	for (i = 0; i < batch_nruns(b) && rc == 0; i++) {
		batch_run(b, i, &r);
		rc = writer_insert_rows(r.w, tx->s, r.vals, r.n, &bad, err);
		counts_add(&tx->counts, writer_table(r.w),
			   (int64_t)(rc < 0 ? bad : r.n));
		stored = r.first + (rc < 0 ? bad : r.n);
		if (rc < 0) {
			*bad_at = r.at[bad];
			if (batch_unit(b))
				err_prefix(err, "%s %ld", batch_unit(b), *bad_at);
		}
	}
	/* The rows inserted, all or those before a refused one, go into the
	 * rollups now, so that a commit keeps both or neither. */
	if (stored &&
	    rollup_accs_put(batch_rollups(b, stored), tx->s,
			    rc < 0 ? &ignore : err) < 0)
		rc = -1;
	return rc;
}

int wtx_commit(struct wtx *tx, struct hearth_err *err)
{
	if (!tx->open)
		return 0;
	if (store_commit(tx->s, err) < 0) {
		wtx_rollback(tx);
		return -1;
	}
	tx->open = 0;
	return 0;
}

void wtx_rollback(struct wtx *tx)
{
	struct hearth_err ignore;

	if (!tx->open)
		return;
	store_rollback(tx->s, &ignore);
	tx->open = 0;
	counts_clear(&tx->counts);
}

void wtx_release(struct wtx *tx)
{
	wtx_rollback(tx);
	counts_release(&tx->counts);
}

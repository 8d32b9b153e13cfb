/*
 * wtx.h - a write transaction: the one way rows reach the database.
 *
 * Every writer of hearth stores its rows through one: `hearth add` and
 * `hearth import`, HTTP writes of any format and size (through the
 * server's writing thread, writeq.h), the IMAP poller.  It owns what each
 * of them would otherwise write out again:
 *   - BEGIN IMMEDIATE: the write lock at once, so two writers queue
 *     instead of deadlocking;
 *   - the chart rollups: rows other programs wrote since the rollups'
 *     mark are folded first, then the batch's own buckets are merged in,
 *     in the same transaction (rollup.h);
 *   - the rows stored, per table;
 *   - COMMIT, or ROLLBACK on any failure.
 *
 *   struct wtx tx = WTX_INIT;
 *   if (wtx_begin(&tx, s, err) == 0 && wtx_put(&tx, batch, &bad, err) == 0)
 *           rc = wtx_commit(&tx, err);
 *   wtx_release(&tx);          (rolls back what is still open)
 */
#ifndef HEARTH_INGEST_WTX_H
#define HEARTH_INGEST_WTX_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "ingest/batch.h"
#include "ingest/counts.h"
#include "store/schema.h"
#include "store/store.h"

struct wtx {
	struct store *s;
	int open;
	const struct schema *caught_up; /* rollups folded against it */
	struct counts counts;           /* rows put since wtx_begin */
};

#define WTX_INIT { NULL, 0, NULL, COUNTS_INIT }

/* wtx_begin: start a transaction on s, taking the write lock. */
int wtx_begin(struct wtx *tx, struct store *s, struct hearth_err *err);

/*
 * wtx_put: insert b's rows (converted on any connection to the same
 * database) and merge their rollup buckets.  When the database refuses a
 * row (a constraint), *bad_at is its line or element, err names it, and
 * the rows before it are inserted and counted: committing keeps them,
 * rolling back does not.  Any other error leaves *bad_at 0.  b is left as
 * it is (a caller may put it again in another transaction).
 */
int wtx_put(struct wtx *tx, struct batch *b, long *bad_at,
	    struct hearth_err *err);

/* wtx_commit: commit; rolled back when the commit fails.  tx->counts
 * stay until wtx_release or the next wtx_begin. */
int wtx_commit(struct wtx *tx, struct hearth_err *err);

/* wtx_rollback: undo everything since wtx_begin (when open). */
void wtx_rollback(struct wtx *tx);

/* wtx_release: roll back what is open and free the counts. */
void wtx_release(struct wtx *tx);

#endif

/*
 * copy.h - a project moved from one database into another (hearth copy):
 * SQLite to PostgreSQL as it outgrows one file, or back.
 *
 * The copy folder owns that move.  It may call ingest/ (the rows go
 * through the one write path: dbrows.h, batches, write transactions,
 * so the target's writers check and convert them and PostgreSQL takes
 * them by COPY), migrate/ (tables written for the target's dialect,
 * dump.h; the revision, migration.h), rollup/, store/ and base/.
 *
 * What moves: every table but hearth's own, made on the target in its
 * dialect (the schema model rendered with the target's types, parents
 * before the tables whose foreign keys name them; the statement as the
 * source keeps it when both are the same kind of database), its rows,
 * then its indexes; views and triggers when both databases are of one
 * dialect (their SQL is the source's); the kv store, types kept; the
 * revisions recorded as applied.  The chart rollups are built anew on
 * the target from its rows.  State of the pollers in tables of their
 * own (hearth_imap_seen) does not move.
 *
 * The target must hold no table or view: the copy refuses it, naming
 * one.  Everything but the rollups is one transaction on the target: a
 * copy that fails leaves it as it was.  Before committing, each table's
 * rows are counted on the target and must be the rows read.
 */
#ifndef HEARTH_COPY_H
#define HEARTH_COPY_H

#include <stdint.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/err.h"
#include "store/store.h"

struct copy_opts {
	const struct config *cfg; /* [time_columns]; may be NULL */
	/* called every few thousand rows and at each table's end; may be
	 * NULL.  rows of total in table; all of all over every table. */
	void (*progress)(void *ctx, const char *table, int64_t rows,
			 int64_t total, int64_t all, int64_t all_total);
	void *progress_ctx;
};

struct copy_result {
	int64_t tables;
	int64_t rows;
	int64_t keys;        /* kv entries */
	int64_t revisions;   /* hearth_version rows */
	struct buf skipped;  /* "view v, trigger t": not moved */
	struct buf rollups;  /* tables whose rollups were built */
};

#define COPY_RESULT_INIT { 0, 0, 0, 0, BUF_INIT, BUF_INIT }

/* copy_run: move from's project into to (see above).  from is only
 * read.  On error err says what, naming the table (and row) where it
 * went wrong; res says what was done.  Release res with
 * copy_result_release either way. */
int copy_run(struct store *from, struct store *to, const struct copy_opts *o,
	     struct copy_result *res, struct hearth_err *err);
void copy_result_release(struct copy_result *res);

#endif

/*
 * migration.h - run revisions against a database, and compare a database
 * with schema.sql.
 *
 * The migrate folder owns schema changes: the diff of two schema models
 * (diff.h, diff_table.h, diff_op.h), the renames schema.sql's comments
 * say (annotation.h), DDL per dialect (ddl.h), the data-loss guards
 * (loss.h), a model written out as schema.sql (dump.h), revision files
 * (revision.h) and running them (this file).  It may call rollup/, store/ and base/; not its
 * siblings ingest/ and chart/, nor sources/, serve/ or the commands.
 *
 * Applied revisions are rows of hearth_version (revision, checksum,
 * applied_at).  Every step takes the database's write lock first
 * (store_begin_immediate) and reads the version table under it, so two
 * upgrades at once queue: the second finds the work done, or fails with a
 * clear "locked" message when the first runs past the busy timeout.
 *
 * Each revision runs in its own transaction, between
 * store_migration_begin and store_migration_end: foreign keys are not
 * enforced while it runs (a rebuild's DROP TABLE must not cascade), and
 * store_migration_check before COMMIT makes sure they still hold.
 * Any error rolls the revision back: the database stays exactly at the
 * revision before.
 *
 * A revision written for another dialect than the database's (its
 * "-- dialect:" line, revision.h) is refused before any of it runs, with
 * --sql too.
 *
 * Guards: applied revision files must be unchanged (checksum); a revision
 * that would drop a table or column holding rows, or narrow the type of a
 * column holding values, is refused unless allow_data_loss is set, with
 * the row counts in the message.
 */
#ifndef HEARTH_MIGRATION_H
#define HEARTH_MIGRATION_H

#include "base/buf.h"
#include "migrate/diff.h"
#include "base/err.h"
#include "migrate/revision.h"
#include "store/schema.h"
#include "store/store.h"

struct migration_opts {
	int allow_data_loss;
	struct buf *sql_only; /* not NULL: append the SQL, run nothing */
	/* called after each revision is applied or undone (verb "upgrade" or
	 * "downgrade"); may be NULL */
	void (*progress)(void *ctx, const char *verb, const struct revision *r);
	void *ctx;
};

/* migration_applied: mark[i] = 1 for every revision of rs recorded as
 * applied (mark has rs->n entries).  A missing version table is an empty
 * one.  A recorded id that has no file is an error. */
int migration_applied(struct store *s, const struct revision_set *rs,
		      char *mark, struct hearth_err *err);

/* migration_copy_version: the revisions recorded as applied in from,
 * recorded in to as they are (applied_at kept), in to's transaction;
 * *count gets how many.  Nothing to do when from has no version
 * table. */
int migration_copy_version(struct store *from, struct store *to,
			   int64_t *count, struct hearth_err *err);

/* migration_upgrade: apply revisions up to target: "head" (the single
 * head; several are an error), "heads", "+N", or a revision id or unique
 * prefix.  *count gets how many were applied. */
int migration_upgrade(struct store *s, const struct revision_set *rs,
		      const char *target, const struct migration_opts *o,
		      int *count, struct hearth_err *err);

/* migration_downgrade: undo revisions down to target: "base", "-N", or a
 * revision (which stays applied). */
int migration_downgrade(struct store *s, const struct revision_set *rs,
			const char *target, const struct migration_opts *o,
			int *count, struct hearth_err *err);

/* migration_stamp: record target ("base", "head", "heads" or a revision)
 * and its ancestors as applied, with their current checksums, without
 * running any SQL. */
int migration_stamp(struct store *s, const struct revision_set *rs,
		    const char *target, struct hearth_err *err);

/*
 * A comparison of a database with schema.sql.  `live` is the database
 * (left empty for a baseline), `want` is schema.sql as a database of the
 * same kind reads it (store_scratch_schema: SQLite in memory, PostgreSQL
 * in a schema rolled back); `renames` are those schema.sql's annotations ask
 * of the database (annotation.h); `diff` turns live into want.
 */
struct migration_compare {
	struct schema live;
	struct schema want;
	struct diff_renames renames;
	struct diff diff;
};

/* migration_compare: fill *m; s NULL compares against an empty database
 * (and reads no annotations: there is nothing to rename), in SQLite.
 * Release with migration_compare_release, after success only. */
int migration_compare(struct store *s, const char *schema_path,
		      struct migration_compare *m, struct hearth_err *err);
/* migration_compare_empty: schema.sql as a database of s's kind reads it,
 * compared with an empty database: a baseline.  s is not changed. */
int migration_compare_empty(struct store *s, const char *schema_path,
			    struct migration_compare *m,
			    struct hearth_err *err);
/* migration_compare_sql: the same for schema.sql's text, named file in
 * messages. */
int migration_compare_sql(struct store *s, const char *sql, const char *file,
			  struct migration_compare *m, struct hearth_err *err);
void migration_compare_release(struct migration_compare *m);

/* migration_render: the up SQL (live -> want) and down SQL (want -> live)
 * of a comparison, appended to up and down. */
int migration_render(const struct migration_compare *m, const char *dialect,
		     struct buf *up, struct buf *down, struct hearth_err *err);

/*
 * migration_describe: append to out a schema.sql describing the database
 * s as it is (dump.h: its tables, indexes, views and triggers, in its own
 * dialect; hearth's own left out), made sure to compare equal to it, as
 * `hearth check` compares: an error says what would differ.  *ntables
 * gets the number of tables described.
 */
int migration_describe(struct store *s, struct buf *out, size_t *ntables,
		       struct hearth_err *err);

#endif

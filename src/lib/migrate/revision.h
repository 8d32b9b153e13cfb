/*
 * revision.h - revision files and the revision graph.
 *
 * A revision is one file in the migrations directory, <id>_<slug>.sql:
 *
 *   -- revision: 3f9a2c41b7de
 *   -- parents: 1a2b3c4d5e6f          (none for the first; two for a merge)
 *   -- message: add humidity
 *   -- created: 2026-11-25T12:00:00Z
 *   -- dialect: postgresql             (none: sqlite)
 *
 *   -- up
 *   ALTER TABLE "readings" ADD COLUMN humidity REAL;
 *
 *   -- down
 *   ALTER TABLE "readings" DROP COLUMN humidity;
 *
 * The dialect is the SQL the sections are written in (store_dialect's
 * names); files without the line, as every one hearth wrote before
 * PostgreSQL, are SQLite's.
 *
 * The graph is checked when loaded: unique ids, known parents, no cycles.
 * Revisions are kept in topological order (parents before children, then
 * by creation time), which every plan is a filter of.
 */
#ifndef HEARTH_REVISION_H
#define HEARTH_REVISION_H

#include <stddef.h>

#include "base/err.h"

struct revision {
	char *id;
	char **parents;
	size_t nparents;
	char *message;
	char *created;
	char *dialect;   /* the "-- dialect:" line; NULL: none (sqlite) */
	char *up;        /* SQL of the up section ("" when empty) */
	char *down;
	char *path;      /* the file */
	char checksum[17]; /* 64-bit FNV-1a of the file, hex */
};

struct revision_set {
	struct revision *revs; /* topological order */
	size_t n;
};

#define REVISION_SET_INIT { NULL, 0 }

/* revision_load: read every *.sql file in dir (a missing dir is an empty
 * history).  Errors name the file and what is wrong with it.  Release with
 * revision_set_release. */
int revision_load(struct revision_set *rs, const char *dir,
		  struct hearth_err *err);
void revision_set_release(struct revision_set *rs);

/* revision_parse: one file's text into *r (path is copied); release with
 * revision_release. */
int revision_parse(struct revision *r, const char *path, const char *text,
		   size_t len, struct hearth_err *err);
void revision_release(struct revision *r);

/* revision_find: index of the revision whose id is id or starts with it
 * (a unique prefix); -1 with an error naming the candidates otherwise. */
int revision_find(const struct revision_set *rs, const char *id,
		  struct hearth_err *err);

/* revision_heads: indexes of revisions no other names as parent; caller
 * frees the array. */
size_t revision_heads(const struct revision_set *rs, size_t **out);

/* revision_ancestors: mark[i] = 1 for revision i and all its ancestors
 * (mark has rs->n entries, not cleared first). */
void revision_ancestors(const struct revision_set *rs, size_t i, char *mark);

/* revision_is_head: no revision names i as parent. */
int revision_is_head(const struct revision_set *rs, size_t i);

/* revision_new_id: 12 random hex digits (from /dev/urandom). */
int revision_new_id(char id[13], struct hearth_err *err);

/* revision_dialect: the dialect a revision's dialect line (NULL: none)
 * means: the line's, else "sqlite". */
const char *revision_dialect(const char *dialect);

/*
 * revision_write: create dir/<id>_<slug>.sql with the given header and
 * sections (parents: nparents ids; up/down may be ""), written in dialect
 * (NULL or "sqlite": no dialect line, as before there were others).
 * *path_out, if not NULL, gets the file name (caller frees).  Never
 * overwrites a file.
 */
int revision_write(const char *dir, const char *id, char *const *parents,
		   size_t nparents, const char *message, const char *dialect,
		   const char *up, const char *down, char **path_out,
		   struct hearth_err *err);

#endif

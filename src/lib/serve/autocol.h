/*
 * autocol.h - [serve] auto_columns and auto_tables: columns that a
 * line-protocol or JSON body names and its table lacks, and tables that
 * line-protocol measurements name and the database lacks, are added
 * through the migration engine: a revision file is written to the
 * migrations directory (parent: the single head) and applied like
 * `hearth upgrade`, so the change is in the history and can be
 * downgraded, never a hidden ALTER.
 *
 * Types: float fields REAL, integer and boolean fields INTEGER, string
 * fields and tags TEXT; in JSON numbers with a fraction or exponent REAL,
 * other numbers and true/false INTEGER, strings TEXT (a key that is only
 * ever null says no type and stays unknown).  A column sent with several
 * types takes the widest: INTEGER, then REAL, then TEXT.  A new table
 * gets the time column AUTOCOL_TIME (TIMESTAMP NOT NULL, indexed, as
 * `hearth init` makes them) and its measurement's tags and fields.  The
 * caller serialises writers (the revision graph must not fork under two
 * requests) and re-reads the schema afterwards.
 */
#ifndef HEARTH_AUTOCOL_H
#define HEARTH_AUTOCOL_H

#include <stddef.h>

#include "base/err.h"
#include "ingest/ingest.h"
#include "store/schema.h"
#include "store/store.h"

struct config;

/* The most columns one request may add to existing tables: a sensor
 * sending garbage keys should not grow a table by thousands of columns. */
#define AUTOCOL_MAX 32
/* The most tables one request may create, and columns of each: room for
 * the first batch of a Telegraf with a few dozen inputs (its mem has some
 * 40 fields), not for a flood of garbage measurements. */
#define AUTOCOL_TABLES_MAX 32
#define AUTOCOL_TABLE_COLS_MAX 128
/* New names: at most this many bytes, no control characters. */
#define AUTOCOL_NAME_MAX 64
/* A new table's time column. */
#define AUTOCOL_TIME "time"

/* What autocol_apply may add. */
enum {
	AUTOCOL_COLUMNS = 1, /* columns of existing tables */
	AUTOCOL_TABLES = 2   /* tables (line protocol only) */
};

/*
 * autocol_apply: scan body (format f: line protocol, or JSON rows of
 * table; a line protocol row names its own) and add what is missing and
 * what (AUTOCOL_* flags) allows.
 * *added gets the number of tables and columns added (0: nothing to do,
 * no revision written).  A body that does not parse is left for the import
 * to report (scanning stops there).  Errors: the migrations have several
 * heads, the database is not at head, too many new tables or columns or a
 * name that will not do as one (*bad_input set), or the revision failed
 * to apply (it is rolled back, its file removed).  schema must be current:
 * read under the lock that serialises writers.
 */
int autocol_apply(struct store *s, const struct schema *schema,
		  const struct config *cfg, unsigned what,
		  enum ingest_format f, const char *table, const char *body,
		  size_t len, int *added, int *bad_input,
		  struct hearth_err *err);

/*
 * autocol_pending: 1 when body names tables or columns that schema lacks
 * and what allows adding (autocol_apply would write a revision), 0 when
 * there are none, -1 with err set when one will not do (too many, a bad
 * name: the request's fault).  Writes nothing and needs no lock, so that
 * writers take the lock, and read the schema afresh, only when there is
 * something to add.
 */
int autocol_pending(const struct schema *schema, unsigned what,
		    enum ingest_format f, const char *table, const char *body,
		    size_t len, struct hearth_err *err);

#endif

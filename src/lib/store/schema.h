/*
 * schema.h - the schema model: tables, columns, keys, indexes.
 *
 * Both sides of a migration diff are this model: the live database is
 * introspected into it (store_introspect) and so is schema.sql, after
 * loading it into a scratch database.  All strings are owned by the model;
 * schema_release frees everything.
 */
#ifndef HEARTH_SCHEMA_H
#define HEARTH_SCHEMA_H

#include <stddef.h>

struct store_sql;

/* What a column holds, derived from its declared type (SQLite affinity
 * rules, plus TIME for TIMESTAMP/DATETIME/DATE, which hearth treats as the
 * time axis). */
enum schema_affinity {
	AFF_BLOB, /* no type declared: take numbers as numbers, else text */
	AFF_INTEGER,
	AFF_REAL,
	AFF_NUMERIC,
	AFF_TEXT,
	AFF_TIME,
};

struct schema_column {
	char *name;
	char *type;    /* declared type as written; "" when none */
	int notnull;
	char *dflt;    /* default as SQL text, NULL when none */
	int pk;        /* 1-based position in the primary key, 0 if not in it */
};

struct schema_fk {
	char **from;   /* columns of this table */
	char **to;     /* columns of ref_table (NULL entries: its primary key) */
	size_t ncols;
	char *ref_table;
	char *on_update; /* "NO ACTION", "CASCADE", ... */
	char *on_delete;
	char *name;    /* the constraint's name; NULL where the database
			  keeps none (SQLite) */
};

struct schema_index {
	char *name;
	char *table;
	int unique;
	char **cols;   /* column names; an expression column is its SQL text */
	size_t ncols;
	char *where;   /* partial index predicate, NULL for a full index */
	char origin;   /* 'c' CREATE INDEX, 'u' UNIQUE constraint, 'p' primary key */
	char *sql;     /* CREATE INDEX statement, NULL for constraint indexes */
};

struct schema_table {
	char *name;
	struct schema_column *cols;
	size_t ncols;
	struct schema_fk *fks;
	size_t nfks;
	char **checks; /* CHECK expressions, as written */
	char **check_names; /* NULL, or each CHECK's constraint name, where
			       the database keeps them (PostgreSQL) */
	size_t nchecks;
	char *sql;     /* CREATE TABLE statement as stored, may be NULL */
	int internal;  /* hearth's own bookkeeping (hearth_*): never diffed */
};

/* Views and triggers are kept as their SQL: they are recreated, not diffed
 * part by part. */
struct schema_object {
	char *name;
	char *table; /* the table a trigger is on; NULL for views */
	char *sql;
};

struct schema {
	struct schema_table *tables;
	size_t ntables;
	struct schema_index *indexes;
	size_t nindexes;
	struct schema_object *views;
	size_t nviews;
	struct schema_object *triggers;
	size_t ntriggers;
	/* The dialect its SQL texts are in, the database's (store_sql.h);
	 * NULL for a model not read from a database. */
	const struct store_sql *dialect;
};

#define SCHEMA_INIT { NULL, 0, NULL, 0, NULL, 0, NULL, 0, NULL }

void schema_init(struct schema *s);
void schema_release(struct schema *s);

/* Builders used by introspection: each returns the new element, zeroed,
 * owned by the model. */
struct schema_table *schema_add_table(struct schema *s, const char *name);
struct schema_column *schema_add_column(struct schema_table *t,
					const char *name);
struct schema_index *schema_add_index(struct schema *s, const char *name,
				      const char *table);
struct schema_fk *schema_add_fk(struct schema_table *t);
void schema_add_object(struct schema_object **arr, size_t *n, const char *name,
		       const char *table, const char *sql);

/* Lookups are case-insensitive, as SQL identifiers are; NULL if absent. */
const struct schema_table *schema_find_table(const struct schema *s,
					     const char *name);
const struct schema_column *schema_find_column(const struct schema_table *t,
					       const char *name);
int schema_column_index(const struct schema_table *t, const char *name);

enum schema_affinity schema_affinity(const char *declared_type);

/* schema_time_column: the table's time column: the one named `configured`
 * when given, else the first declared TIMESTAMP/DATETIME/DATE, else NULL. */
const struct schema_column *schema_time_column(const struct schema_table *t,
					       const char *configured);

/* schema_has_unique_key: t (of s) has a primary key or a unique index
 * (a UNIQUE constraint, or a CREATE UNIQUE INDEX, partial or not). */
int schema_has_unique_key(const struct schema *s,
			  const struct schema_table *t);

/* schema_is_series: a table with a time column (internal tables are not). */
int schema_is_series(const struct schema_table *t);

/* schema_table_parse_sql: fill t->checks from t->sql (the pragmas do not
 * report CHECK constraints).  Column and table CHECKs both count. */
void schema_table_parse_sql(struct schema_table *t);

/* schema_column_def: the column's definition as written in t->sql
 * ("humidity REAL CHECK (humidity >= 0)"); NULL when not found.
 * malloc'd, caller frees. */
char *schema_column_def(const struct schema_table *t, const char *col);

/*
 * Normal forms for comparing two models, so that spellings SQLite treats
 * alike do not show up as changes: types upper-cased with INT read as
 * INTEGER; defaults without enclosing parentheses, a quoted number read as
 * the number; expressions through sqltok_normalize.  All malloc'd.
 */
char *schema_norm_type(const char *type);
char *schema_norm_default(const char *dflt);
char *schema_norm_expr(const char *expr);

/* schema_type_narrows: changing a column from type `from` to `to` can lose
 * or change values (TEXT -> INTEGER, REAL -> INTEGER, VARCHAR(20) ->
 * VARCHAR(10)). */
int schema_type_narrows(const char *from, const char *to);

#endif

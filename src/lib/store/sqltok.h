/*
 * sqltok.h - a small SQL tokenizer, enough to compare and rewrite DDL.
 *
 * The database parses schema.sql itself; this only has to find tokens in
 * SQL it has already accepted: CHECK expressions and column definitions in
 * a CREATE TABLE, the table name to rewrite for a rebuild, RENAME
 * statements in a revision, and a normal form for comparing expressions
 * written in different spellings.  It never fails: unknown bytes are
 * single-character punctuation tokens.
 */
#ifndef HEARTH_SQLTOK_H
#define HEARTH_SQLTOK_H

#include <stddef.h>

enum sqltok_kind {
	SQLTOK_END,
	SQLTOK_WORD,   /* keyword or bare identifier */
	SQLTOK_QIDENT, /* "x", `x` or [x] */
	SQLTOK_STRING, /* 'text' */
	SQLTOK_NUMBER,
	SQLTOK_PUNCT,  /* ( ) , ; . and operators */
	SQLTOK_COMMENT, /* -- to the end of the line, or a block comment:
			   only from sqltok_next_all */
};

struct sqltok {
	enum sqltok_kind kind;
	const char *p; /* first byte of the token in the input */
	size_t n;      /* its length */
};

/* sqltok_next: the token at or after p (whitespace and comments skipped);
 * returns where scanning continues.  At the end, kind is SQLTOK_END. */
const char *sqltok_next(const char *p, struct sqltok *t);

/* sqltok_next_all: as sqltok_next, but a comment is a token of its own
 * (SQLTOK_COMMENT, its text with the markers, without the newline), for
 * readers of what a file's author wrote beside the SQL: schema.sql's
 * rename annotations. */
const char *sqltok_next_all(const char *p, struct sqltok *t);

/* sqltok_is: the token is the word w (case-insensitive, bare or quoted
 * identifier). */
int sqltok_is(const struct sqltok *t, const char *w);

/* sqltok_ident: the identifier a WORD or QIDENT token names, unquoted;
 * malloc'd, caller frees. */
char *sqltok_ident(const struct sqltok *t);

/* sqltok_normalize: tokens joined by single spaces, identifiers and
 * keywords lower-cased and unquoted, strings and numbers as written, one
 * pair of parentheses around the whole removed.  Two spellings of the same
 * expression give the same string.  malloc'd, caller frees. */
char *sqltok_normalize(const char *sql);

/* sqltok_mentions: sql contains an identifier token equal to name. */
int sqltok_mentions(const char *sql, const char *name);

/* sqltok_create_rename: a copy of a CREATE TABLE/INDEX statement with the
 * object's name replaced by newname (quoted); NULL if sql is not one.
 * malloc'd, caller frees. */
char *sqltok_create_rename(const char *sql, const char *newname);

/* sqltok_index_retable: a copy of a CREATE INDEX statement made on table
 * instead (quoted); NULL if sql is not one.  malloc'd, caller frees. */
char *sqltok_index_retable(const char *sql, const char *table);

/*
 * sqltok_table_items: walk the top-level, comma-separated items of a
 * CREATE TABLE body.  fn gets each item's text (p, n), whether it is a
 * table constraint (starts with CONSTRAINT, PRIMARY, UNIQUE, CHECK or
 * FOREIGN) and ctx.  Returns 0, or -1 if sql has no body.
 */
int sqltok_table_items(const char *sql,
		       void (*fn)(void *ctx, const char *p, size_t n,
				  int constraint),
		       void *ctx);

/* sqltok_table_tail: what follows the body of a CREATE TABLE (table
 * options such as WITHOUT ROWID, STRICT); "" when nothing does. */
const char *sqltok_table_tail(const char *sql);

/* sqltok_checks: append the expression text of every CHECK (...) in
 * text [p, p+n) to *v (malloc'd strings), growing *nv. */
void sqltok_checks(const char *p, size_t n, char ***v, size_t *nv);

/* sqltok_statement: the next statement of a script at or after p, as
 * the server splits it: at semicolons outside quotes, comments and
 * PostgreSQL's dollar quotes ($$ ... $$, $fn$ ... $fn$), empty ones
 * skipped.  *start and *n get its text, from its first token to its last
 * (no semicolon); returns where to look for the one after, NULL when
 * there is none. */
const char *sqltok_statement(const char *p, const char **start, size_t *n);

/* sqltok_tx_control: the first statement of sql that controls
 * transactions (BEGIN, COMMIT, END, ROLLBACK, SAVEPOINT, RELEASE, VACUUM),
 * as an upper-case word; NULL when there is none.  BEGIN ... END of a
 * CREATE TRIGGER does not count. */
const char *sqltok_tx_control(const char *sql);

#endif

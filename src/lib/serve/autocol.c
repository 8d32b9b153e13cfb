#include "serve/autocol.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/config.h"
#include "migrate/migration.h"
#include "migrate/revision.h"
#include "store/store_sql.h"
#include "base/xalloc.h"
#include "ingest/ingest.h"

struct newcol {
	char *table;
	char *name;
	const char *type;
	int tidx;       /* of its table in scan.tables, -1: an existing one */
};

/* Every line of a batch names its keys again: they are looked up by hash,
 * as a scan over all the columns noted would make a large batch of new
 * tables cost its lines times its columns. */
#define SLOTS 8192 /* a power of two, over twice the most columns noted */

struct scan {
	struct newcol *cols; /* of existing tables and of new ones */
	size_t n, cap;
	size_t nexisting;    /* of those, columns of existing tables */
	uint32_t *slot;      /* SLOTS of them: 1 + index into cols, 0 free */
	char *tables[AUTOCOL_TABLES_MAX]; /* to create */
	size_t tcols[AUTOCOL_TABLES_MAX]; /* columns of each */
	size_t ntables;
};

/* The SQL type of a value the input says is of kind k, NULL when it
 * says nothing (JSON null). */
static const char *sql_type(enum ingest_kind k)
{
	switch (k) {
	case INGEST_INT:
		return "INTEGER";
	case INGEST_REAL:
		return "REAL";
	case INGEST_TEXT:
		return "TEXT";
	default:
		return NULL;
	}
}

/* INTEGER, then REAL, then TEXT: a column seen with 120 and 0.5 is
 * REAL, with 1 and "on" TEXT, so every value sent fits. */
static int type_rank(const char *type)
{
	return !strcmp(type, "INTEGER") ? 0 : !strcmp(type, "REAL") ? 1 : 2;
}

#define STR_(x) #x
#define STR(x) STR_(x)

/* Why name cannot be a new column, or NULL when it can.  A sender with
 * the write token should not put escape sequences or line breaks into the
 * schema, the revision files and everyone's column headers. */
static const char *bad_name(const char *name)
{
	const char *p;

	if (strlen(name) > AUTOCOL_NAME_MAX)
		return "longer than " STR(AUTOCOL_NAME_MAX) " bytes";
	for (p = name; *p; p++)
		if (iscntrl((unsigned char)*p))
			return "it holds a control character";
	return NULL;
}

/* FNV-1a of table and name, case-folded as SQLite folds names. */
static uint32_t col_hash(const char *table, const char *name)
{
	uint32_t h = 2166136261u;

	for (; *table; table++)
		h = (h ^ (uint32_t)tolower((unsigned char)*table)) * 16777619u;
	h = (h ^ 0xffu) * 16777619u;
	for (; *name; name++)
		h = (h ^ (uint32_t)tolower((unsigned char)*name)) * 16777619u;
	return h;
}

/* Remember table.name (widening its type when seen again); tidx is the
 * table's index in sc->tables when it is new, -1 when it exists.  -1 when
 * there are too many (why says so) or the name will not do (why says
 * why). */
static int note(struct scan *sc, const char *table, int tidx,
		const char *name, const char *type, const char **why)
{
	uint32_t at;
	struct newcol *c;

	if (!sc->slot)
		sc->slot = xcalloc(SLOTS, sizeof(*sc->slot));
	for (at = col_hash(table, name) & (SLOTS - 1); sc->slot[at];
	     at = (at + 1) & (SLOTS - 1)) {
		c = &sc->cols[sc->slot[at] - 1];
		if (!strcasecmp(c->table, table) && !strcasecmp(c->name, name)) {
			if (type_rank(type) > type_rank(c->type))
				c->type = type;
			return 0;
		}
	}
	if ((*why = bad_name(name)))
		return -1;
	if (tidx >= 0 && sc->tcols[tidx] == AUTOCOL_TABLE_COLS_MAX) {
		*why = "more than " STR(AUTOCOL_TABLE_COLS_MAX) " columns in "
		       "a new table";
		return -1;
	}
	if (tidx < 0 && sc->nexisting == AUTOCOL_MAX) {
		*why = "more than " STR(AUTOCOL_MAX) " new columns in one "
		       "request";
		return -1;
	}
	if (sc->n == sc->cap) {
		sc->cap = sc->cap ? 2 * sc->cap : 16;
		sc->cols = xreallocarray(sc->cols, sc->cap, sizeof(*sc->cols));
	}
	if (tidx >= 0)
		sc->tcols[tidx]++;
	else
		sc->nexisting++;
	c = &sc->cols[sc->n++];
	c->table = xstrdup(table);
	c->name = xstrdup(name);
	c->type = type;
	c->tidx = tidx;
	sc->slot[at] = (uint32_t)sc->n;
	return 0;
}

/* Remember a table to create; its index in sc->tables, or -1 when the
 * name will not do or there are too many (why says so). */
static int new_table(struct scan *sc, const char *name, const char **why)
{
	size_t i;

	if ((*why = bad_name(name)))
		return -1;
	/* hearth's bookkeeping and SQLite's own. */
	if (!strncasecmp(name, "hearth_", 7) || !strncasecmp(name, "sqlite_", 7)) {
		*why = "the name is reserved";
		return -1;
	}
	for (i = 0; i < sc->ntables; i++)
		if (!strcasecmp(sc->tables[i], name))
			return (int)i;
	if (sc->ntables == AUTOCOL_TABLES_MAX) {
		*why = "more than " STR(AUTOCOL_TABLES_MAX) " new tables in one "
		       "request";
		return -1;
	}
	sc->tables[sc->ntables] = xstrdup(name);
	return (int)sc->ntables++;
}

/* Scan body for what is missing (what allows); -1 with err set when a
 * new name will not do.  A body that does not parse is scanned up to
 * where it goes wrong: the write reports that. */
static int scan(struct scan *sc, const struct schema *schema, unsigned what,
		enum ingest_format f, const char *table, const char *body,
		size_t len, struct hearth_err *err)
{
	struct ingest_src *src = xmalloc(sizeof(*src));
	struct ingest_parser *p;
	struct ingest_row row;
	struct hearth_err ignore;
	const char *why, *type;
	int ret = -1;

	memset(sc, 0, sizeof(*sc));
	ingest_src_mem(src, body, len);
	/* Precision does not matter: only names and kinds are looked at. */
	p = ingest_open(f, src, LP_NS);
	while (ingest_next(p, &row, &ignore) == 1) {
		const char *name = row.table ? row.table : table;
		const struct schema_table *t = schema_find_table(schema, name);
		size_t i;
		int tidx = -1;

		if (!row.kinds || (t ? t->internal || !(what & AUTOCOL_COLUMNS)
				     : !(what & AUTOCOL_TABLES)))
			continue;
		if (t)
			name = t->name;
		else if ((tidx = new_table(sc, name, &why)) < 0) {
			err_set(err, "new table '%.64s': %s (auto_tables)",
				name, why);
			ingest_blame(p, &row, err);
			goto out;
		}
		for (i = 0; i < row.ncols; i++) {
			if ((t && schema_find_column(t, row.cols[i])) ||
			    !(type = sql_type(row.kinds[i])))
				continue;
			if (!t && !strcasecmp(row.cols[i], AUTOCOL_TIME))
				why = "it is the new table's time column";
			else if (note(sc, name, tidx, row.cols[i], type,
				      &why) == 0)
				continue;
			err_set(err, "new column '%.64s': %s (%s)", row.cols[i],
				why, t ? "auto_columns" : "auto_tables");
			ingest_blame(p, &row, err);
			goto out;
		}
	}
	ret = 0;
out:
	ingest_free(p);
	free(src);
	return ret;
}

static void scan_release(struct scan *sc)
{
	size_t i;

	for (i = 0; i < sc->n; i++) {
		free(sc->cols[i].table);
		free(sc->cols[i].name);
	}
	free(sc->cols);
	free(sc->slot);
	for (i = 0; i < sc->ntables; i++)
		free(sc->tables[i]);
}

int autocol_pending(const struct schema *schema, unsigned what,
		    enum ingest_format f, const char *table, const char *body,
		    size_t len, struct hearth_err *err)
{
	struct scan sc;
	int ret = -1;

	if (scan(&sc, schema, what, f, table, body, len, err) == 0)
		ret = sc.n || sc.ntables;
	scan_release(&sc);
	return ret;
}

/* The database must be at the single head, or applying "head" would
 * also run revisions the user has not applied yet. */
static int check_head(struct store *s, const struct revision_set *rs,
		      struct hearth_err *err)
{
	char *mark = xcalloc(rs->n + 1, 1);
	size_t *heads = NULL, nheads = revision_heads(rs, &heads), i;
	int ret = -1;

	if (nheads > 1) {
		err_set(err, "auto_columns/auto_tables: the migrations have "
			"%zu heads (run 'hearth merge')", nheads);
		goto out;
	}
	if (migration_applied(s, rs, mark, err) < 0)
		goto out;
	for (i = 0; i < rs->n; i++)
		if (!mark[i]) {
			err_set(err, "auto_columns/auto_tables: the database "
				"is not at head (revision %s is not applied: "
				"run 'hearth upgrade')", rs->revs[i].id);
			goto out;
		}
	ret = 0;
out:
	free(heads);
	free(mark);
	return ret;
}

/* Put sql in front of what down holds: undone in reverse order. */
static void prepend(struct buf *down, const struct buf *sql)
{
	struct buf d = BUF_INIT;

	buf_add(&d, sql->s, sql->len);
	buf_add(&d, buf_cstr(down), down->len);
	buf_release(down);
	*down = d;
}

/* The revision: new tables (as `hearth init` makes them: the time column
 * indexed), then new columns of the others; the message names both.
 * Types are spelt as d reads them in schema.sql (REAL is 8 bytes on
 * PostgreSQL too). */
static void revision_sql(const struct store_sql *d_sql, const struct scan *sc,
			 struct buf *up, struct buf *down, struct buf *msg)
{
	struct buf d = BUF_INIT, ix = BUF_INIT;
	size_t i, k;
	int first = 1;

	for (k = 0; k < sc->ntables; k++) {
		const char *tb = sc->tables[k];

		buf_addstr(up, "CREATE TABLE ");
		store_quote_ident(up, tb);
		buf_addstr(up, " (\n    ");
		store_quote_ident(up, AUTOCOL_TIME);
		buf_addf(up, " %s NOT NULL", store_sql_type(d_sql, "TIMESTAMP"));
		for (i = 0; i < sc->n; i++)
			if (sc->cols[i].tidx == (int)k) {
				buf_addstr(up, ",\n    ");
				store_quote_ident(up, sc->cols[i].name);
				buf_addf(up, " %s",
					 store_sql_type(d_sql, sc->cols[i].type));
			}
		buf_reset(&ix);
		buf_addf(&ix, "%s_%s", tb, AUTOCOL_TIME);
		buf_addstr(up, "\n);\nCREATE INDEX ");
		store_quote_ident(up, ix.s);
		buf_addstr(up, " ON ");
		store_quote_ident(up, tb);
		buf_addstr(up, " (");
		store_quote_ident(up, AUTOCOL_TIME);
		buf_addstr(up, ");\n");
		buf_reset(&d);
		buf_addstr(&d, "DROP TABLE ");
		store_quote_ident(&d, tb);
		buf_addstr(&d, ";\n");
		prepend(down, &d);
		buf_addf(msg, "%s%s", k ? ", " : "auto_tables: create ", tb);
	}
	for (i = 0; i < sc->n; i++) {
		if (sc->cols[i].tidx >= 0)
			continue;
		buf_addstr(up, "ALTER TABLE ");
		store_quote_ident(up, sc->cols[i].table);
		buf_addstr(up, " ADD COLUMN ");
		store_quote_ident(up, sc->cols[i].name);
		buf_addf(up, " %s;\n", store_sql_type(d_sql, sc->cols[i].type));
		buf_reset(&d);
		buf_addstr(&d, "ALTER TABLE ");
		store_quote_ident(&d, sc->cols[i].table);
		buf_addstr(&d, " DROP COLUMN ");
		store_quote_ident(&d, sc->cols[i].name);
		buf_addstr(&d, ";\n");
		prepend(down, &d);
		buf_addf(msg, "%s%s.%s",
			 first ? (msg->len ? "; auto_columns: add "
					   : "auto_columns: add ")
			       : ", ",
			 sc->cols[i].table, sc->cols[i].name);
		first = 0;
	}
	buf_release(&d);
	buf_release(&ix);
}

int autocol_apply(struct store *s, const struct schema *schema,
		  const struct config *cfg, unsigned what,
		  enum ingest_format f, const char *table, const char *body,
		  size_t len, int *added, int *bad_input,
		  struct hearth_err *err)
{
	struct scan sc;
	struct revision_set rs = REVISION_SET_INIT;
	struct migration_opts mo;
	struct buf up = BUF_INIT, down = BUF_INIT, msg = BUF_INIT;
	size_t *heads = NULL, nheads = 0, i;
	char **parents = NULL, id[13], *dir = NULL, *path = NULL;
	int ret = -1, count = 0;

	*added = 0;
	*bad_input = 0;
	if (scan(&sc, schema, what, f, table, body, len, err) < 0) {
		*bad_input = 1;
		goto out;
	}
	if (sc.n == 0 && sc.ntables == 0) {
		ret = 0;
		goto out;
	}
	dir = config_path(cfg, "hearth", "migrations", "migrations");
	if (revision_load(&rs, dir, err) < 0 || check_head(s, &rs, err) < 0)
		goto out;
	revision_sql(store_sql(s), &sc, &up, &down, &msg);
	nheads = revision_heads(&rs, &heads);
	parents = xcalloc(nheads + 1, sizeof(*parents));
	for (i = 0; i < nheads; i++)
		parents[i] = rs.revs[heads[i]].id;
	if (revision_new_id(id, err) < 0 ||
	    revision_write(dir, id, parents, nheads, msg.s, store_dialect(s),
			   up.s, down.s, &path, err) < 0)
		goto out;
	revision_set_release(&rs);
	memset(&mo, 0, sizeof(mo));
	if (revision_load(&rs, dir, err) < 0 ||
	    migration_upgrade(s, &rs, "head", &mo, &count, err) < 0) {
		/* The revision did not apply (and was rolled back): leave no
		 * file behind that the next upgrade would trip over. */
		unlink(path);
		err_prefix(err, "%s", msg.s);
		goto out;
	}
	*added = (int)(sc.n + sc.ntables);
	ret = 0;
out:
	scan_release(&sc);
	revision_set_release(&rs);
	buf_release(&up);
	buf_release(&down);
	buf_release(&msg);
	free(heads);
	free(parents);
	free(dir);
	free(path);
	return ret;
}

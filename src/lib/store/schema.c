#include "store/schema.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "store/sqltok.h"
#include "base/xalloc.h"

void schema_init(struct schema *s)
{
	memset(s, 0, sizeof(*s));
}

static void free_strv(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void object_release(struct schema_object *o, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(o[i].name);
		free(o[i].table);
		free(o[i].sql);
	}
	free(o);
}

void schema_release(struct schema *s)
{
	size_t i, j;

	for (i = 0; i < s->ntables; i++) {
		struct schema_table *t = &s->tables[i];
		for (j = 0; j < t->ncols; j++) {
			free(t->cols[j].name);
			free(t->cols[j].type);
			free(t->cols[j].dflt);
		}
		free(t->cols);
		for (j = 0; j < t->nfks; j++) {
			free_strv(t->fks[j].from, t->fks[j].ncols);
			free_strv(t->fks[j].to, t->fks[j].ncols);
			free(t->fks[j].ref_table);
			free(t->fks[j].on_update);
			free(t->fks[j].on_delete);
			free(t->fks[j].name);
		}
		free(t->fks);
		free_strv(t->checks, t->nchecks);
		if (t->check_names)
			free_strv(t->check_names, t->nchecks);
		free(t->name);
		free(t->sql);
	}
	free(s->tables);
	for (i = 0; i < s->nindexes; i++) {
		struct schema_index *x = &s->indexes[i];
		free(x->name);
		free(x->table);
		free_strv(x->cols, x->ncols);
		free(x->where);
		free(x->sql);
	}
	free(s->indexes);
	object_release(s->views, s->nviews);
	object_release(s->triggers, s->ntriggers);
	schema_init(s);
}

struct schema_table *schema_add_table(struct schema *s, const char *name)
{
	struct schema_table *t;

	s->tables = xreallocarray(s->tables, s->ntables + 1, sizeof(*t));
	t = &s->tables[s->ntables++];
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(name);
	t->internal = !strncasecmp(name, "hearth_", 7);
	return t;
}

struct schema_column *schema_add_column(struct schema_table *t,
					const char *name)
{
	struct schema_column *c;

	t->cols = xreallocarray(t->cols, t->ncols + 1, sizeof(*c));
	c = &t->cols[t->ncols++];
	memset(c, 0, sizeof(*c));
	c->name = xstrdup(name);
	c->type = xstrdup("");
	return c;
}

struct schema_index *schema_add_index(struct schema *s, const char *name,
				      const char *table)
{
	struct schema_index *x;

	s->indexes = xreallocarray(s->indexes, s->nindexes + 1, sizeof(*x));
	x = &s->indexes[s->nindexes++];
	memset(x, 0, sizeof(*x));
	x->name = xstrdup(name);
	x->table = xstrdup(table);
	x->origin = 'c';
	return x;
}

struct schema_fk *schema_add_fk(struct schema_table *t)
{
	struct schema_fk *fk;

	t->fks = xreallocarray(t->fks, t->nfks + 1, sizeof(*fk));
	fk = &t->fks[t->nfks++];
	memset(fk, 0, sizeof(*fk));
	return fk;
}

void schema_add_object(struct schema_object **arr, size_t *n, const char *name,
		       const char *table, const char *sql)
{
	struct schema_object *o;

	*arr = xreallocarray(*arr, *n + 1, sizeof(**arr));
	o = &(*arr)[(*n)++];
	o->name = xstrdup(name);
	o->table = table ? xstrdup(table) : NULL;
	o->sql = sql ? xstrdup(sql) : NULL;
}

const struct schema_table *schema_find_table(const struct schema *s,
					     const char *name)
{
	size_t i;

	for (i = 0; i < s->ntables; i++)
		if (!strcasecmp(s->tables[i].name, name))
			return &s->tables[i];
	return NULL;
}

int schema_has_unique_key(const struct schema *s,
			  const struct schema_table *t)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (t->cols[i].pk)
			return 1;
	for (i = 0; i < s->nindexes; i++)
		if (s->indexes[i].unique &&
		    !strcasecmp(s->indexes[i].table, t->name))
			return 1;
	return 0;
}

int schema_column_index(const struct schema_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (!strcasecmp(t->cols[i].name, name))
			return (int)i;
	return -1;
}

const struct schema_column *schema_find_column(const struct schema_table *t,
					       const char *name)
{
	int i = schema_column_index(t, name);

	return i < 0 ? NULL : &t->cols[i];
}

static int has_word(const char *type, const char *word)
{
	size_t n = strlen(word);
	const char *p;

	for (p = type; *p; p++)
		if (!strncasecmp(p, word, n))
			return 1;
	return 0;
}

enum schema_affinity schema_affinity(const char *type)
{
	/* The time words come first: "TIMESTAMP" must not fall through to
	 * NUMERIC.  The rest is SQLite's own rule order (section 3.1 of its
	 * datatype page), so what we validate matches what it stores. */
	if (has_word(type, "TIMESTAMP") || has_word(type, "DATETIME") ||
	    !strcasecmp(type, "DATE") || has_word(type, "TIMESTAMPTZ"))
		return AFF_TIME;
	if (has_word(type, "INT"))
		return AFF_INTEGER;
	if (has_word(type, "CHAR") || has_word(type, "CLOB") ||
	    has_word(type, "TEXT"))
		return AFF_TEXT;
	if (!*type || has_word(type, "BLOB"))
		return AFF_BLOB;
	if (has_word(type, "REAL") || has_word(type, "FLOA") ||
	    has_word(type, "DOUB"))
		return AFF_REAL;
	return AFF_NUMERIC;
}

const struct schema_column *schema_time_column(const struct schema_table *t,
					       const char *configured)
{
	size_t i;

	if (configured && *configured)
		return schema_find_column(t, configured);
	for (i = 0; i < t->ncols; i++)
		if (schema_affinity(t->cols[i].type) == AFF_TIME)
			return &t->cols[i];
	return NULL;
}

int schema_is_series(const struct schema_table *t)
{
	return !t->internal && schema_time_column(t, NULL) != NULL;
}

static void collect_checks(void *ctx, const char *p, size_t n, int constraint)
{
	struct schema_table *t = ctx;

	sqltok_checks(p, n, &t->checks, &t->nchecks);
}

void schema_table_parse_sql(struct schema_table *t)
{
	free_strv(t->checks, t->nchecks);
	t->checks = NULL;
	t->nchecks = 0;
	if (t->sql)
		sqltok_table_items(t->sql, collect_checks, t);
}

struct coldef_find {
	const char *col;
	char *found;
};

static void find_coldef(void *ctx, const char *p, size_t n, int constraint)
{
	struct coldef_find *f = ctx;
	struct sqltok t;
	char *item;

	if (constraint || f->found)
		return;
	item = xstrndup(p, n);
	sqltok_next(item, &t);
	if (sqltok_is(&t, f->col))
		f->found = item;
	else
		free(item);
}

char *schema_column_def(const struct schema_table *t, const char *col)
{
	struct coldef_find f = { col, NULL };

	if (t->sql)
		sqltok_table_items(t->sql, find_coldef, &f);
	return f.found;
}

char *schema_norm_type(const char *type)
{
	struct buf b = BUF_INIT;
	struct sqltok t;
	const char *p = type ? type : "";

	for (p = sqltok_next(p, &t); t.kind != SQLTOK_END;
	     p = sqltok_next(p, &t)) {
		size_t i;
		if (b.len && t.kind != SQLTOK_PUNCT &&
		    b.s[b.len - 1] != '(' && b.s[b.len - 1] != ',')
			buf_addch(&b, ' ');
		if (sqltok_is(&t, "INT")) {
			buf_addstr(&b, "INTEGER");
			continue;
		}
		for (i = 0; i < t.n; i++)
			buf_addch(&b, (char)toupper((unsigned char)t.p[i]));
	}
	if (!b.s)
		buf_addstr(&b, "");
	return buf_detach(&b, NULL);
}

static int is_number(const char *s)
{
	char *end;

	if (!*s)
		return 0;
	(void)strtod(s, &end);
	return *end == '\0';
}

char *schema_norm_default(const char *dflt)
{
	char *n, *r;
	size_t len;

	if (!dflt)
		return NULL;
	n = sqltok_normalize(dflt);
	len = strlen(n);

	/* '0' and 0 store the same in a numeric column; SQLite hands back
	 * whichever was written. */
	if (len >= 2 && n[0] == '\'' && n[len - 1] == '\'') {
		r = xstrndup(n + 1, len - 2);
		if (is_number(r) && !strchr(r, ' ')) {
			free(n);
			return r;
		}
		free(r);
	}
	if (!strcmp(n, "null")) {
		free(n);
		return NULL;
	}
	return n;
}

char *schema_norm_expr(const char *expr)
{
	return sqltok_normalize(expr);
}

static int type_rank(const char *type)
{
	switch (schema_affinity(type)) {
	case AFF_INTEGER:
		return 1;
	case AFF_REAL:
	case AFF_NUMERIC:
	case AFF_TIME:
		return 2;
	case AFF_TEXT:
		return 3;
	default:
		return 4;
	}
}

static long type_size(const char *type)
{
	const char *p = strchr(type, '(');

	return p ? strtol(p + 1, NULL, 10) : 0;
}

int schema_type_narrows(const char *from, const char *to)
{
	long a, b;

	if (type_rank(to) < type_rank(from))
		return 1;
	a = type_size(from);
	b = type_size(to);
	return b > 0 && (a == 0 || b < a);
}

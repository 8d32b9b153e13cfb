/*
 * shapes.c - a small cache of writers, looked up by comparing names in
 * place.
 */
#include "ingest/shapes.h"

#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/xalloc.h"

void shapes_init(struct shapes *sh, size_t max, int evict)
{
	sh->v = xcalloc(max ? max : 1, sizeof(*sh->v));
	sh->n = 0;
	sh->max = max ? max : 1;
	sh->evict = evict;
}

void shapes_release(struct shapes *sh)
{
	size_t i;

	for (i = 0; i < sh->n; i++) {
		free(sh->v[i].key);
		writer_free(sh->v[i].w);
	}
	free(sh->v);
	memset(sh, 0, sizeof(*sh));
}

/* key with s's bytes at its start: the rest of key, or NULL. */
static const char *skip_prefix(const char *key, const char *s)
{
	while (*s)
		if (*key++ != *s++)
			return NULL;
	return key;
}

/* Does key describe table and row's columns?  Compared in place, in one
 * pass: building the key first would cost an allocation per row. */
static int shape_is(const char *key, const char *table,
		    const struct ingest_row *row)
{
	size_t i;

	if (!(key = skip_prefix(key, table)))
		return 0;
	for (i = 0; i < row->ncols; i++) {
		if (*key++ != '\x1f')
			return 0;
		if (!(key = skip_prefix(key, row->cols[i])))
			return 0;
	}
	return *key == '\0';
}

static void to_front(struct shapes *sh, size_t i)
{
	struct shape s = sh->v[i];

	memmove(&sh->v[1], &sh->v[0], i * sizeof(s));
	sh->v[0] = s;
}

struct writer *shapes_writer(struct shapes *sh, struct store *s,
			     const struct schema *schema,
			     const struct config *cfg, const char *table,
			     const struct ingest_row *row,
			     struct hearth_err *err)
{
	struct buf key = BUF_INIT;
	struct writer *w = NULL;
	size_t i;

	for (i = 0; i < sh->n; i++)
		if (shape_is(sh->v[i].key, table, row)) {
			to_front(sh, i);
			return sh->v[0].w;
		}
	if (sh->n == sh->max && !sh->evict) {
		err_set(err, "more than %zu different sets of columns", sh->max);
		return NULL;
	}
	if (writer_open(&w, s, schema, table, row->cols, row->ncols,
			cfg ? config_get(cfg, "time_columns", table) : NULL, 1,
			err) < 0)
		return NULL;
	if (sh->n == sh->max) {
		sh->n--;
		free(sh->v[sh->n].key);
		writer_free(sh->v[sh->n].w);
	}
	buf_addstr(&key, table);
	for (i = 0; i < row->ncols; i++) {
		buf_addch(&key, '\x1f');
		buf_addstr(&key, row->cols[i]);
	}
	sh->v[sh->n].key = buf_detach(&key, NULL);
	sh->v[sh->n].w = w;
	to_front(sh, sh->n++);
	return w;
}

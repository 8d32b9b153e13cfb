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

/* Does key describe pt?  Compared in place, in one pass: building the
 * key first would cost an allocation per point. */
static int shape_is(const char *key, const struct lp_point *pt)
{
	size_t i, n = pt->ntags + pt->nfields;

	if (!(key = skip_prefix(key, pt->measurement)))
		return 0;
	for (i = 0; i < n; i++) {
		if (*key++ != '\x1f')
			return 0;
		if (!(key = skip_prefix(key, pt->tags[i].key)))
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

int shapes_put(struct shapes *sh, const char *key, struct writer *w,
	       struct hearth_err *err)
{
	if (sh->n == sh->max) {
		if (!sh->evict) {
			writer_free(w);
			return err_set(err, "more than %zu different sets of "
				       "fields and tags", sh->max);
		}
		sh->n--;
		free(sh->v[sh->n].key);
		writer_free(sh->v[sh->n].w);
	}
	sh->v[sh->n].key = xstrdup(key);
	sh->v[sh->n].w = w;
	to_front(sh, sh->n++);
	return 0;
}

struct writer *shapes_writer(struct shapes *sh, struct store *s,
			     const struct schema *schema,
			     const struct config *cfg,
			     const struct lp_point *pt, struct hearth_err *err)
{
	struct buf key = BUF_INIT;
	struct writer *w = NULL;
	const char **cols;
	size_t i, n = pt->ntags + pt->nfields;

	for (i = 0; i < sh->n; i++)
		if (shape_is(sh->v[i].key, pt)) {
			to_front(sh, i);
			return sh->v[0].w;
		}
	/* Tags and fields are one array in the parser: tags first. */
	cols = xcalloc(n + 1, sizeof(*cols));
	for (i = 0; i < n; i++)
		cols[i] = pt->tags[i].key;
	if (writer_open(&w, s, schema, pt->measurement, cols, n,
			cfg ? config_get(cfg, "time_columns", pt->measurement)
			    : NULL,
			1, err) < 0)
		goto out;
	buf_addstr(&key, pt->measurement);
	for (i = 0; i < n; i++) {
		buf_addch(&key, '\x1f');
		buf_addstr(&key, pt->tags[i].key);
	}
	if (shapes_put(sh, key.s, w, err) < 0)
		w = NULL;
out:
	free(cols);
	buf_release(&key);
	return w;
}

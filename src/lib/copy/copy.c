/*
 * copy.c - tables, rows, indexes, kv and revision from one database into
 * an empty other, in one transaction; rollups after.
 */
#include "copy/copy.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/xalloc.h"
#include "ingest/batch.h"
#include "ingest/dbrows.h"
#include "ingest/wtx.h"
#include "migrate/dump.h"
#include "migrate/migration.h"
#include "rollup/rollup.h"
#include "store/kv.h"

/* Rows converted before they are stored: as import's batches, and the
 * progress moves with each. */
#define COPY_BATCH 8192

struct copy {
	struct store *from, *to;
	const struct copy_opts *o;
	struct copy_result *res;
	struct schema src, dst;     /* dst: the target once its tables are */
	size_t *order, n;           /* src's tables, parents first */
	int64_t *counts;            /* rows of each, counted before the read */
	int64_t all, all_total;
	int same;                   /* both of one dialect */
	struct wtx tx;
};

static int internal(const char *name)
{
	return !strncasecmp(name, "hearth_", 7);
}

static int count_rows(struct store *s, const char *table, int64_t *out,
		      struct hearth_err *err)
{
	struct buf sql = BUF_INIT;
	int rc;

	*out = 0;
	buf_addstr(&sql, "SELECT count(*) FROM ");
	store_quote_ident(&sql, table);
	rc = store_query_int(s, sql.s, out, err, (const char *)NULL);
	buf_release(&sql);
	return rc < 0 ? -1 : 0;
}

/* The target holds nothing: no table, no view, hearth's own included. */
static int check_empty(struct store *to, struct hearth_err *err)
{
	struct schema s = SCHEMA_INIT;
	int ret = -1;

	if (store_introspect(to, &s, err) < 0)
		return -1;
	if (s.ntables)
		err_set(err, "the target already holds data (table %s%s): "
			"copy fills an empty database", s.tables[0].name,
			s.ntables > 1 ? " and others" : "");
	else if (s.nviews)
		err_set(err, "the target already holds view %s: copy fills an "
			"empty database", s.views[0].name);
	else
		ret = 0;
	schema_release(&s);
	return ret;
}

/* Tables in the target's dialect, parents first. */
static int make_tables(struct copy *c, struct hearth_err *err)
{
	struct buf sql = BUF_INIT;
	size_t i;
	int ret = -1;

	for (i = 0; i < c->n; i++) {
		const struct schema_table *t = &c->src.tables[c->order[i]];
		buf_reset(&sql);
		if (c->same && t->sql)
			buf_addstr(&sql, t->sql);
		else
			dump_table_for(&c->src, t, store_sql(c->to), &sql);
		if (store_exec(c->to, sql.s, err) < 0) {
			err_prefix(err, "table %s", t->name);
			goto out;
		}
	}
	ret = store_introspect(c->to, &c->dst, err);
out:
	buf_release(&sql);
	return ret;
}

/* One table's rows, batch after batch, in the target's transaction. */
static int copy_rows(struct copy *c, size_t k, struct hearth_err *err)
{
	const struct schema_table *t = &c->src.tables[c->order[k]];
	struct batch_opts bo = { c->to, &c->dst, c->o->cfg, t->name, 1, 0 };
	struct ingest_parser *p = NULL;
	struct batch *b = NULL;
	int64_t done = 0;
	long bad;
	int fill = 1, ret = -1;

	if (dbrows_open(c->from, t, &p, err) < 0)
		goto out;
	b = batch_new(&bo);
	while (fill > 0) {
		fill = batch_fill(b, p, COPY_BATCH, &bad, err);
		if (fill < 0 ||
		    (batch_rows(b) && wtx_put(&c->tx, b, &bad, err) < 0))
			goto out;
		done += (int64_t)batch_rows(b);
		c->all += (int64_t)batch_rows(b);
		batch_reset(b);
		if (c->o->progress)
			c->o->progress(c->o->progress_ctx, t->name, done,
				       c->counts[k], c->all, c->all_total);
	}
	ret = 0;
out:
	if (ret < 0)
		err_prefix(err, "table %s", t->name);
	batch_free(b);
	ingest_free(p);
	return ret;
}

/* Indexes after the rows (cheaper than kept up row by row); views and
 * triggers where the target reads the source's SQL. */
static int make_rest(struct copy *c, struct hearth_err *err)
{
	const struct schema *s = &c->src;
	struct buf sql = BUF_INIT, *skip = &c->res->skipped;
	size_t i;
	int ret = -1;

	for (i = 0; i < s->nindexes; i++) {
		const struct schema_index *x = &s->indexes[i];
		if (x->origin != 'c' || internal(x->name) || internal(x->table))
			continue;
		buf_reset(&sql);
		if (c->same && x->sql)
			buf_addstr(&sql, x->sql);
		else if (dump_index(x, &sql, err) < 0)
			goto out;
		if (store_exec(c->to, sql.s, err) < 0) {
			err_prefix(err, "index %s", x->name);
			goto out;
		}
	}
	for (i = 0; i < s->nviews + s->ntriggers; i++) {
		const struct schema_object *v = i < s->nviews ? &s->views[i]
				: &s->triggers[i - s->nviews];
		const char *what = i < s->nviews ? "view" : "trigger";
		if (internal(v->name) || (v->table && internal(v->table)) ||
		    !v->sql)
			continue;
		if (!c->same) {
			buf_addf(skip, "%s%s %s", skip->len ? ", " : "", what,
				 v->name);
			continue;
		}
		if (store_exec(c->to, v->sql, err) < 0) {
			err_prefix(err, "%s %s", what, v->name);
			goto out;
		}
	}
	ret = 0;
out:
	buf_release(&sql);
	return ret;
}

struct kv_copy {
	struct store *to;
	struct hearth_err *err;
	int64_t n;
	int failed;
};

static int put_key(void *ctx, const char *key, const struct kv_value *v)
{
	struct kv_copy *k = ctx;

	if (kv_set(k->to, key, v, k->err) < 0) {
		err_prefix(k->err, "kv %s", key);
		k->failed = 1;
		return 1;
	}
	k->n++;
	return 0;
}

/* Each table holds the rows read, and the rows the source counted. */
static int check_counts(struct copy *c, struct hearth_err *err)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		const char *name = c->src.tables[c->order[i]].name;
		int64_t there, put = counts_get(&c->tx.counts, name);
		if (count_rows(c->to, name, &there, err) < 0)
			return -1;
		if (there != put || there != c->counts[i])
			return err_set(err, "table %s: %lld rows on the target "
				       "after %lld were stored, of %lld the "
				       "source counted", name, (long long)there,
				       (long long)put, (long long)c->counts[i]);
	}
	return 0;
}

static int copy_all(struct copy *c, struct hearth_err *err)
{
	struct kv_copy kc = { c->to, err, 0, 0 };
	struct hearth_err why;
	size_t i;

	if (store_introspect(c->from, &c->src, err) < 0 ||
	    check_empty(c->to, err) < 0)
		return -1;
	c->order = xcalloc(c->src.ntables + 1, sizeof(*c->order));
	c->n = dump_order(&c->src, c->order);
	c->counts = xcalloc(c->n + 1, sizeof(*c->counts));
	for (i = 0; i < c->n; i++) {
		if (count_rows(c->from, c->src.tables[c->order[i]].name,
			       &c->counts[i], err) < 0)
			return -1;
		c->all_total += c->counts[i];
	}
	if (wtx_begin(&c->tx, c->to, err) < 0 || make_tables(c, err) < 0)
		return -1;
	for (i = 0; i < c->n; i++)
		if (copy_rows(c, i, err) < 0)
			return -1;
	if (make_rest(c, err) < 0 ||
	    kv_list(c->from, NULL, put_key, &kc, err) < 0 || kc.failed ||
	    migration_copy_version(c->from, c->to, &c->res->revisions,
				   err) < 0 ||
	    check_counts(c, err) < 0 || wtx_commit(&c->tx, err) < 0)
		return -1;
	c->res->tables = (int64_t)c->n;
	c->res->rows = c->tx.counts.rows;
	c->res->keys = kc.n;
	/* The charts' rollups from the rows now there, in transactions of
	 * their own. */
	if (rollup_ensure(c->to, c->o->cfg, &c->res->rollups, &why) < 0)
		return err_set(err, "the copy is done, but the chart rollups "
			       "were not built (%s); 'hearth rollup rebuild' "
			       "builds them", why.msg);
	return 0;
}

int copy_run(struct store *from, struct store *to, const struct copy_opts *o,
	     struct copy_result *res, struct hearth_err *err)
{
	struct copy c;
	struct hearth_err ignore;
	int ret;

	memset(&c, 0, sizeof(c));
	c.from = from;
	c.to = to;
	c.o = o;
	c.res = res;
	c.same = !strcmp(store_dialect(from), store_dialect(to));
	schema_init(&c.src);
	schema_init(&c.dst);
	c.tx = (struct wtx)WTX_INIT;
	/* One snapshot of the source, where its database gives one for a
	 * read transaction (SQLite): its counts and rows agree. */
	ret = store_begin(from, err) < 0 ? -1 : copy_all(&c, err);
	store_rollback(from, &ignore);
	wtx_release(&c.tx);
	schema_release(&c.src);
	schema_release(&c.dst);
	free(c.order);
	free(c.counts);
	return ret;
}

void copy_result_release(struct copy_result *res)
{
	buf_release(&res->skipped);
	buf_release(&res->rollups);
}

/*
 * dbcache.c - a slot per thread, found by the thread's id.
 */
#include "serve/dbcache.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

struct slot {
	pthread_t thread;
	struct store *store;
	struct schema schema;
	int64_t version;
	int have_schema;
	struct schema *retired; /* replaced during the request */
	size_t nretired, aretired;
};

struct dbcache {
	struct store_where where;
	pthread_mutex_t lock;
	/* Allocated up front and never moved, so a thread may keep using
	 * its own slot after letting go of the lock. */
	struct slot *slots;
	size_t n, max;
};

struct dbcache *dbcache_new(const struct store_where *w, size_t threads)
{
	struct dbcache *c = xcalloc(1, sizeof(*c));

	store_where_copy(&c->where, w);
	pthread_mutex_init(&c->lock, NULL);
	c->max = threads;
	c->slots = xcalloc(threads ? threads : 1, sizeof(*c->slots));
	return c;
}

void dbcache_free(struct dbcache *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->n; i++) {
		struct slot *t = &c->slots[i];
		if (t->have_schema)
			schema_release(&t->schema);
		while (t->nretired)
			schema_release(&t->retired[--t->nretired]);
		free(t->retired);
		store_close(t->store);
	}
	free(c->slots);
	pthread_mutex_destroy(&c->lock);
	store_where_release(&c->where);
	free(c);
}

static struct slot *slot_of(struct dbcache *c)
{
	pthread_t self = pthread_self();
	struct slot *t = NULL;
	size_t i;

	pthread_mutex_lock(&c->lock);
	for (i = 0; i < c->n; i++)
		if (pthread_equal(c->slots[i].thread, self)) {
			t = &c->slots[i];
			break;
		}
	if (!t && c->n < c->max) {
		t = &c->slots[c->n++];
		t->thread = self;
	}
	pthread_mutex_unlock(&c->lock);
	return t;
}

struct store *dbcache_store(struct dbcache *c, struct hearth_err *err)
{
	struct slot *t = slot_of(c);

	if (!t) {
		err_set(err, "no database slot for this thread");
		return NULL;
	}
	if (!t->store && store_open_at(&t->store, &c->where, 0, err) < 0)
		return NULL;
	return t->store;
}

const struct schema *dbcache_schema(struct dbcache *c, struct hearth_err *err)
{
	struct slot *t;
	int64_t v = -1;

	if (!dbcache_store(c, err))
		return NULL;
	t = slot_of(c);
	if (store_schema_version(t->store, &v, err) < 0)
		return NULL;
	if (t->have_schema && v == t->version)
		return &t->schema;
	if (t->have_schema) {
		XGROW(t->retired, t->nretired + 1, t->aretired);
		t->retired[t->nretired++] = t->schema;
	}
	t->have_schema = 0;
	if (store_introspect(t->store, &t->schema, err) < 0)
		return NULL;
	t->have_schema = 1;
	t->version = v;
	return &t->schema;
}

void dbcache_end_request(struct dbcache *c)
{
	struct slot *t = slot_of(c);

	while (t && t->nretired)
		schema_release(&t->retired[--t->nretired]);
}

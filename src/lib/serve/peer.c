/*
 * peer.c - client addresses and their connection counts (peer.h).
 */
#include "serve/peer.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

struct peer_count {
	unsigned char key[PEER_KEY_MAX];
	size_t len;
	unsigned n;
};

size_t peer_key(const struct sockaddr *sa, unsigned char key[PEER_KEY_MAX])
{
	static const unsigned char v4_mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
						     0, 0, 0xff, 0xff };
	const unsigned char *a;

	if (!sa)
		return 0;
	if (sa->sa_family == AF_INET) {
		key[0] = 4;
		memcpy(key + 1,
		       &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
		       4);
		return 5;
	}
	if (sa->sa_family != AF_INET6)
		return 0;
	a = ((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr.s6_addr;
	if (!memcmp(a, v4_mapped, sizeof(v4_mapped))) {
		key[0] = 4;
		memcpy(key + 1, a + 12, 4);
		return 5;
	}
	key[0] = 6;
	memcpy(key + 1, a, 8);
	return 9;
}

void peer_counts_init(struct peer_counts *pc, unsigned limit)
{
	memset(pc, 0, sizeof(*pc));
	pthread_mutex_init(&pc->lock, NULL);
	pc->limit = limit;
}

void peer_counts_release(struct peer_counts *pc)
{
	pthread_mutex_destroy(&pc->lock);
	free(pc->v);
	pc->v = NULL;
	pc->n = pc->alloc = 0;
}

/* The entry of key, NULL when its client holds none; under the lock.
 * There are at most as many as connections: a scan is enough. */
static struct peer_count *find(struct peer_counts *pc,
			       const unsigned char *key, size_t len)
{
	size_t i;

	for (i = 0; i < pc->n; i++)
		if (pc->v[i].len == len && !memcmp(pc->v[i].key, key, len))
			return &pc->v[i];
	return NULL;
}

/* Add delta (1, -1 or 0) to the connections of sa's client; returns how
 * many it holds then.  A client whose last one closed leaves the table,
 * which so holds only clients with connections. */
static unsigned count(struct peer_counts *pc, const struct sockaddr *sa,
		      int delta)
{
	unsigned char key[PEER_KEY_MAX];
	size_t len = peer_key(sa, key);
	struct peer_count *c;
	unsigned n = 0;

	if (!len)
		return 0;
	pthread_mutex_lock(&pc->lock);
	c = find(pc, key, len);
	if (!c && delta > 0) {
		XGROW(pc->v, pc->n + 1, pc->alloc);
		c = &pc->v[pc->n++];
		memcpy(c->key, key, len);
		c->len = len;
		c->n = 0;
	}
	if (c) {
		/* An entry holds one connection at least: never below 0. */
		if (delta > 0)
			c->n++;
		else if (delta < 0)
			c->n--;
		n = c->n;
		if (!n)
			*c = pc->v[--pc->n];
	}
	pthread_mutex_unlock(&pc->lock);
	return n;
}

unsigned peer_held(struct peer_counts *pc, const struct sockaddr *sa)
{
	return count(pc, sa, 0);
}

int peer_admit(struct peer_counts *pc, const struct sockaddr *sa)
{
	return peer_held(pc, sa) < pc->limit;
}

unsigned peer_add(struct peer_counts *pc, const struct sockaddr *sa)
{
	return count(pc, sa, 1);
}

void peer_remove(struct peer_counts *pc, const struct sockaddr *sa)
{
	count(pc, sa, -1);
}

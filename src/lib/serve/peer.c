/*
 * peer.c - client addresses and their connection counts (peer.h).
 */
#include "serve/peer.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

struct peer_conn {
	unsigned char key[PEER_KEY_MAX];
	size_t len;
	int fd;
	unsigned port; /* the client's: fd may be another's by now */
};

static unsigned port_of(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)(const void *)sa)
				     ->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)(const void *)sa)
				     ->sin6_port);
	return 0;
}

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

/* Whether c's client has hung up (peer.h); no wait.  Its socket may be
 * closed already and its number given to a newer connection before the
 * server reports the old one closed: a socket whose other end is not
 * c's port is not c's. */
static int hung_up(const struct peer_conn *c)
{
	struct pollfd p = { c->fd, POLLRDHUP, 0 };
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (c->fd < 0)
		return 0;
	if (getpeername(c->fd, (struct sockaddr *)&ss, &len) < 0 ||
	    port_of((struct sockaddr *)&ss) != c->port)
		return 1;
	if (poll(&p, 1, 0) != 1)
		return 0;
	return (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

/* The connections of key's client, under the lock; those hung up are
 * left out only when the rest would be at least `ask`, so the sockets
 * are asked only of a client at its limit.  There are at most as many
 * entries as connections: a scan is enough. */
static unsigned held(struct peer_counts *pc, const unsigned char *key,
		     size_t len, unsigned ask)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < pc->n; i++)
		if (pc->v[i].len == len && !memcmp(pc->v[i].key, key, len))
			n++;
	if (n < ask)
		return n;
	for (i = 0; i < pc->n; i++)
		if (pc->v[i].len == len && !memcmp(pc->v[i].key, key, len) &&
		    hung_up(&pc->v[i]))
			n--;
	return n;
}

/* held() of sa's client, taking the lock; -1 for an address not
 * counted. */
static long client_held(struct peer_counts *pc, const struct sockaddr *sa,
			unsigned ask)
{
	unsigned char key[PEER_KEY_MAX];
	size_t len = peer_key(sa, key);
	unsigned n;

	if (!len)
		return -1;
	pthread_mutex_lock(&pc->lock);
	n = held(pc, key, len, ask);
	pthread_mutex_unlock(&pc->lock);
	return n;
}

unsigned peer_held(struct peer_counts *pc, const struct sockaddr *sa)
{
	long n = client_held(pc, sa, 0);

	return n < 0 ? 0 : (unsigned)n;
}

int peer_admit(struct peer_counts *pc, const struct sockaddr *sa)
{
	long n = client_held(pc, sa, pc->limit);

	return n < (long)pc->limit;
}

unsigned peer_add(struct peer_counts *pc, const struct sockaddr *sa, int fd)
{
	unsigned char key[PEER_KEY_MAX];
	size_t len = peer_key(sa, key);
	struct peer_conn *c;
	unsigned n;

	if (!len)
		return 0;
	pthread_mutex_lock(&pc->lock);
	XGROW(pc->v, pc->n + 1, pc->alloc);
	c = &pc->v[pc->n++];
	memcpy(c->key, key, len);
	c->len = len;
	c->fd = fd;
	c->port = port_of(sa);
	n = held(pc, key, len, pc->limit + 1);
	pthread_mutex_unlock(&pc->lock);
	return n;
}

void peer_remove(struct peer_counts *pc, const struct sockaddr *sa, int fd)
{
	unsigned char key[PEER_KEY_MAX];
	size_t len = peer_key(sa, key), i;

	pthread_mutex_lock(&pc->lock);
	for (i = 0; i < pc->n; i++)
		if (pc->v[i].fd == fd && pc->v[i].len == len &&
		    pc->v[i].port == port_of(sa) &&
		    !memcmp(pc->v[i].key, key, len)) {
			pc->v[i] = pc->v[--pc->n];
			break;
		}
	pthread_mutex_unlock(&pc->lock);
}

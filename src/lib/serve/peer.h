/*
 * peer.h - client addresses as the per-client connection limit counts
 * them, and the count of connections each holds.
 *
 * A client is an IPv4 address, or an IPv6 /64: the prefix a router hands
 * one network, in which a device picks its own addresses (and privacy
 * extensions pick new ones), so counting each IPv6 address alone would
 * let one device take every connection.  An IPv4 address written as
 * IPv6 (::ffff:a.b.c.d, as a dual-stack listener sees it) is that IPv4
 * address.
 *
 * The counts are safe to use from several threads.
 */
#ifndef HEARTH_PEER_H
#define HEARTH_PEER_H

#include <pthread.h>
#include <stddef.h>
#include <sys/socket.h>

/* A key: the address family's byte, then 4 (IPv4) or 8 (IPv6) bytes. */
#define PEER_KEY_MAX 9

/* peer_key: the client sa belongs to, into key; returns the key's length,
 * 0 for an address of another family (which is then not limited). */
size_t peer_key(const struct sockaddr *sa, unsigned char key[PEER_KEY_MAX]);

struct peer_count;

struct peer_counts {
	pthread_mutex_t lock;
	struct peer_count *v; /* the clients holding connections */
	size_t n, alloc;
	unsigned limit;       /* connections one client may hold */
};

/* peer_counts_init: no client holds any; at most limit each (> 0).
 * peer_counts_release frees what the counts hold. */
void peer_counts_init(struct peer_counts *pc, unsigned limit);
void peer_counts_release(struct peer_counts *pc);

/* peer_admit: 1 when sa's client holds fewer than the limit, else 0.
 * Connections accepted at the same moment may each be admitted before
 * any is added: peer_add's count tells which went past the limit. */
int peer_admit(struct peer_counts *pc, const struct sockaddr *sa);

/* peer_add: a connection of sa's client opened; returns the connections
 * it holds now, this one included (0 for an address not counted).
 * peer_remove: one closed. */
unsigned peer_add(struct peer_counts *pc, const struct sockaddr *sa);
void peer_remove(struct peer_counts *pc, const struct sockaddr *sa);

/* peer_held: the connections sa's client holds. */
unsigned peer_held(struct peer_counts *pc, const struct sockaddr *sa);

#endif

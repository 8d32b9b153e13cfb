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

struct peer_conn;

struct peer_counts {
	pthread_mutex_t lock;
	struct peer_conn *v;  /* the open connections of counted clients */
	size_t n, alloc;
	unsigned limit;       /* connections one client may hold */
};

/* peer_counts_init: no client holds any; at most limit each (> 0).
 * peer_counts_release frees what the counts hold. */
void peer_counts_init(struct peer_counts *pc, unsigned limit);
void peer_counts_release(struct peer_counts *pc);

/*
 * A connection counts from peer_add to peer_remove, except once its
 * client has hung up: a client that closes a connection and opens
 * another at once must not find the old one still counted, which it is
 * until the server's thread gets round to the close (a client at exactly
 * its limit was refused some 145 times a second so).  The other end's
 * FIN is in the socket by the time the new connection is accepted, so
 * whenever a client is at its limit its sockets are asked (poll, no
 * wait): one whose peer has shut down its side (POLLRDHUP), or that has
 * failed, no longer counts.  A client that half-closes and waits for its
 * answer is thus not counted meanwhile; the server's total limit still
 * holds.  fd is the connection's socket, which the caller keeps open
 * until after peer_remove; -1: none to ask (always counted).
 */

/* peer_admit: 1 when sa's client holds fewer than the limit, else 0.
 * Connections accepted at the same moment may each be admitted before
 * any is added: peer_add's count tells which went past the limit. */
int peer_admit(struct peer_counts *pc, const struct sockaddr *sa);

/* peer_add: a connection of sa's client opened on socket fd; returns the
 * connections it holds now, this one included (0 for an address not
 * counted).  peer_remove: the connection of sa's client on fd closed
 * (nothing when it was not counted). */
unsigned peer_add(struct peer_counts *pc, const struct sockaddr *sa, int fd);
void peer_remove(struct peer_counts *pc, const struct sockaddr *sa, int fd);

/* peer_held: the connections sa's client holds. */
unsigned peer_held(struct peer_counts *pc, const struct sockaddr *sa);

#endif

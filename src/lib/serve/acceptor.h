/*
 * acceptor.h - the HTTP server's listening socket, and a thread that
 * accepts its connections and gives each to the libmicrohttpd daemon (a
 * thread each) that has the fewest.
 *
 * A daemon's thread runs its connections' requests one after the other,
 * so two busy clients on one thread wait for each other: a write waiting
 * for its commit holds back the other client's request, which is not
 * even read, and the server's writing thread runs dry.  libmicrohttpd's
 * own pool does not spread connections: a pool thread that wakes for new
 * ones takes every one waiting, and four clients that connect together
 * often landed on one or two threads.
 */
#ifndef HEARTH_ACCEPTOR_H
#define HEARTH_ACCEPTOR_H

#include <sys/socket.h>

#include <microhttpd.h>

#include "base/err.h"

struct acceptor;

/* acceptor_listen: bind and listen on addr (len bytes); name (as the
 * user wrote the address) is for the error.  Nothing is accepted before
 * acceptor_run.  Free with acceptor_free. */
int acceptor_listen(struct acceptor **out, const struct sockaddr *addr,
		    socklen_t len, const char *name, struct hearth_err *err);

/* acceptor_port: the port listened on (the one chosen, for port 0). */
unsigned acceptor_port(const struct acceptor *a);

/*
 * acceptor_run: accept on a thread of its own.  A connection that
 * admit(ctx, its address) refuses, or that would be the max-th open, is
 * closed at once; the others go to the daemon of ds[0..n) with the
 * fewest.  ds is copied; the daemons stay the caller's, who reports
 * each close with acceptor_closed and stops them before acceptor_free.
 */
int acceptor_run(struct acceptor *a, struct MHD_Daemon *const *ds, unsigned n,
		 unsigned max, int (*admit)(void *ctx, const struct sockaddr *),
		 void *ctx, struct hearth_err *err);

/* acceptor_closed: a connection of daemon d closed. */
void acceptor_closed(struct acceptor *a, struct MHD_Daemon *d);

/* acceptor_stop: accept no more and end the thread.  The counts stay,
 * for the closes of the connections still open. */
void acceptor_stop(struct acceptor *a);

/* acceptor_free: stop if still running, close the socket, free a; once
 * the daemons are stopped.  NULL is fine. */
void acceptor_free(struct acceptor *a);

#endif

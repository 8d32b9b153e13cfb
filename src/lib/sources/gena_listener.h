/*
 * gena_listener.h - the small HTTP listener devices send their GENA
 * NOTIFY requests to (the CALLBACK of a subscription).
 *
 * It only reads: each connection is one NOTIFY of capped size, read
 * without blocking within a deadline, so a peer that connects and sends
 * nothing, or sends slowly, holds no one up.  What a NOTIFY means is the
 * caller's: gena_listener_step hands each whole request to a function
 * that answers with the status to send.
 */
#ifndef HEARTH_GENA_LISTENER_H
#define HEARTH_GENA_LISTENER_H

#include <stddef.h>

#include "base/err.h"
#include "sources/httpc.h"

#define GENA_NOTIFY_MAX (64 * 1024) /* a request, headers and body */
#define GENA_CONNS_MAX 64           /* connections read at once */

struct gena_notify {
	const char *peer;   /* the sender's numeric address */
	const char *method; /* "NOTIFY" (anything else is answered 405) */
	const char *path;
	const char *sid;    /* "" when absent */
	const char *nt, *nts;
	const char *body;
	size_t len;
};

/* Returns the status to answer (200, 412, 400, ...).  The strings of n
 * live until it returns. */
typedef int (*gena_notify_fn)(void *ctx, const struct gena_notify *n);

struct gena_listener;

/* gena_listener_open: listen on "ADDR:PORT" (port 0: any free one).
 * Close with gena_listener_close. */
int gena_listener_open(struct gena_listener **out, const char *where,
		       struct hearth_err *err);
void gena_listener_close(struct gena_listener *l);

/* gena_listener_port: the port it listens on. */
unsigned gena_listener_port(const struct gena_listener *l);
/* gena_listener_addr: the address it listens on, "" for all of them. */
const char *gena_listener_addr(const struct gena_listener *l);

/*
 * gena_listener_step: wait up to wait_ms for connections and requests,
 * read what has come, and call fn for each whole NOTIFY (on this
 * thread), answering with its status.  A request that is too long, not
 * HTTP or not whole within timeout_ms is answered 400 or dropped, and
 * counted in *refused (may be NULL).
 */
void gena_listener_step(struct gena_listener *l, int wait_ms, int timeout_ms,
			gena_notify_fn fn, void *ctx, unsigned long *refused);

#endif

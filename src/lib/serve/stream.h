/*
 * stream.h - a response body written as it is made, by a function on a
 * thread of its own with a database connection of its own: a year of
 * readings as CSV costs the server a pipe's worth of memory, and the
 * HTTP thread goes on serving others meanwhile.
 *
 * The function writes through write(wctx, p, n), which returns -1 once
 * the client is gone: it should stop then.  The status and headers go out
 * before it runs, so it cannot change them: check what can fail before.
 */
#ifndef HEARTH_SERVE_STREAM_H
#define HEARTH_SERVE_STREAM_H

#include "base/err.h"
#include "serve/http.h"
#include "store/store.h"

struct streams;

/* streams_new: streams opening connections to the database w says
 * (copied), at most max at once: each is a thread, a pipe and a
 * connection, and a client asking for reads by the hundred must not run
 * the server out of them. */
struct streams *streams_new(const struct store_where *w, unsigned max);
/* streams_free: wait until every stream's thread has ended, and free.
 * After http_stop: every body is done then, so the threads' writes
 * fail and they end. */
void streams_free(struct streams *ss);

typedef int (*stream_write_fn)(void *wctx, const char *p, size_t n);
typedef void (*stream_fn)(void *ctx, struct store *s, stream_write_fn write,
			  void *wctx);

/*
 * stream_start: resp's body is what fn(ctx, s, write, wctx) writes, on a
 * thread of its own; free_ctx(ctx) runs when fn returns.  On error (max
 * running, no thread, no pipe) nothing was started and ctx is still the
 * caller's: answer 503.
 */
int stream_start(struct streams *ss, struct http_req *req,
		 struct http_resp *resp, stream_fn fn, void *ctx,
		 void (*free_ctx)(void *), struct hearth_err *err);

#endif

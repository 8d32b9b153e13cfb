/*
 * stream.c - a thread writes into a pipe; the HTTP server reads its other
 * end (a non-blocking one) as the socket takes the bytes, and waits for
 * a wake when it is empty.
 *
 * Two hold a stream, its thread and the response; the last to let go
 * frees it.  ss->lock guards the holds, `gone` and the count, and is held
 * around each wake, which http.h asks for: the response's done takes it
 * too, so no wake comes after done.
 */
#include "serve/stream.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xalloc.h"

struct streams {
	struct store_where where;
	unsigned max;
	pthread_mutex_t lock;
	pthread_cond_t ended;  /* signalled as each stream goes */
	unsigned running;      /* streams alive (lock) */
};

struct stream {
	struct streams *ss;
	struct http_body *body;
	int rfd, wfd;          /* the pipe */
	int refs;              /* (ss->lock) */
	int gone;              /* the response is done (ss->lock) */
	stream_fn fn;
	void *ctx;
	void (*free_ctx)(void *);
};

struct streams *streams_new(const struct store_where *w, unsigned max)
{
	struct streams *ss = xcalloc(1, sizeof(*ss));

	store_where_copy(&ss->where, w);
	ss->max = max;
	pthread_mutex_init(&ss->lock, NULL);
	pthread_cond_init(&ss->ended, NULL);
	return ss;
}

void streams_free(struct streams *ss)
{
	if (!ss)
		return;
	pthread_mutex_lock(&ss->lock);
	while (ss->running)
		pthread_cond_wait(&ss->ended, &ss->lock);
	pthread_mutex_unlock(&ss->lock);
	pthread_mutex_destroy(&ss->lock);
	pthread_cond_destroy(&ss->ended);
	store_where_release(&ss->where);
	free(ss);
}

/* Drop one hold (ss->lock held); the last frees. */
static void unref(struct stream *st)
{
	struct streams *ss = st->ss;

	if (--st->refs)
		return;
	ss->running--;
	pthread_cond_broadcast(&ss->ended);
	free(st);
}

static void wake(struct stream *st)
{
	pthread_mutex_lock(&st->ss->lock);
	if (!st->gone && st->body)
		http_body_wake(st->body);
	pthread_mutex_unlock(&st->ss->lock);
}

/* Writes go in pieces of PIPE_BUF, which an empty pipe always takes
 * whole: the reader waits only on an empty pipe, so a write never blocks
 * while the reader waits for the wake that follows it. */
static int pipe_write(void *wctx, const char *p, size_t n)
{
	struct stream *st = wctx;

	while (n) {
		ssize_t w = write(st->wfd, p, n < PIPE_BUF ? n : PIPE_BUF);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1; /* EPIPE: the client is gone */
		p += w;
		n -= (size_t)w;
		wake(st);
	}
	return 0;
}

static void *run(void *arg)
{
	struct stream *st = arg;
	struct streams *ss = st->ss;
	struct hearth_err err = HEARTH_ERR_INIT;
	struct store *s = NULL;

	if (store_open_at(&s, &ss->where, 0, &err) == 0)
		st->fn(st->ctx, s, pipe_write, st);
	/* else: the body ends empty; the request's own connection had
	 * just opened the same database, so this is rare */
	store_close(s);
	if (st->free_ctx)
		st->free_ctx(st->ctx);
	close(st->wfd); /* the reader sees the end */
	wake(st);
	pthread_mutex_lock(&ss->lock);
	unref(st);
	pthread_mutex_unlock(&ss->lock);
	return NULL;
}

/* The server asks for bytes (under its lock: no waiting here). */
static long body_read(void *ctx, char *buf, size_t max)
{
	struct stream *st = ctx;
	ssize_t n = read(st->rfd, buf, max);

	if (n > 0)
		return (long)n;
	if (n == 0)
		return HTTP_BODY_END;
	return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : HTTP_BODY_ERROR;
}

/* The response is gone (sent, or the client left): the thread's next
 * write fails with EPIPE. */
static void body_done(void *ctx)
{
	struct stream *st = ctx;
	struct streams *ss = st->ss; /* st may be gone at the end */

	pthread_mutex_lock(&ss->lock);
	st->gone = 1;
	close(st->rfd);
	unref(st);
	pthread_mutex_unlock(&ss->lock);
}

int stream_start(struct streams *ss, struct http_req *req,
		 struct http_resp *resp, stream_fn fn, void *ctx,
		 void (*free_ctx)(void *), struct hearth_err *err)
{
	struct stream *st;
	pthread_attr_t attr;
	pthread_t th;
	int fds[2], rc;

	pthread_mutex_lock(&ss->lock);
	if (ss->running >= ss->max) {
		pthread_mutex_unlock(&ss->lock);
		return err_set(err, "%u reads already running: try again",
			       ss->max);
	}
	ss->running++;
	pthread_mutex_unlock(&ss->lock);
	if (pipe2(fds, O_CLOEXEC) < 0) {
		rc = errno;
		goto undo;
	}
	/* The read end must not block an HTTP thread. */
	fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
	st = xcalloc(1, sizeof(*st));
	st->ss = ss;
	st->rfd = fds[0];
	st->wfd = fds[1];
	st->refs = 2;
	st->fn = fn;
	st->ctx = ctx;
	st->free_ctx = free_ctx;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&th, &attr, run, st);
	pthread_attr_destroy(&attr);
	if (rc) {
		close(fds[0]);
		close(fds[1]);
		free(st);
		goto undo;
	}
	/* What the thread writes before this waits in the pipe for the
	 * first read: no wake is needed for it. */
	pthread_mutex_lock(&ss->lock);
	http_resp_body(req, resp, body_read, body_done, st, &st->body);
	pthread_mutex_unlock(&ss->lock);
	return 0;
undo:
	pthread_mutex_lock(&ss->lock);
	ss->running--;
	pthread_cond_broadcast(&ss->ended);
	pthread_mutex_unlock(&ss->lock);
	return err_set(err, "cannot start the read: %s", strerror(rc));
}

#include "serve/acceptor.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base/xalloc.h"

struct acceptor {
	int fd;        /* the listening socket, -1 once closed */
	unsigned port;
	pthread_t thread;
	int running;
	struct MHD_Daemon **ds; /* a copy of acceptor_run's */
	unsigned n, max;
	int (*admit)(void *ctx, const struct sockaddr *addr);
	void *ctx;
	pthread_mutex_t lock;
	unsigned *conns; /* open connections of each daemon (lock) */
	unsigned total;  /* of all (lock) */
};

int acceptor_listen(struct acceptor **out, const struct sockaddr *addr,
		    socklen_t len, const char *name, struct hearth_err *err)
{
	struct acceptor *a = xcalloc(1, sizeof(*a));
	struct sockaddr_storage bound;
	socklen_t bl = sizeof(bound);
	int one = 1;

	*out = NULL;
	a->fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (a->fd < 0 ||
	    setsockopt(a->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(a->fd, addr, len) < 0 || listen(a->fd, SOMAXCONN) < 0 ||
	    getsockname(a->fd, (struct sockaddr *)&bound, &bl) < 0) {
		err_set(err, "cannot listen on %s: %s", name, strerror(errno));
		if (a->fd >= 0)
			close(a->fd);
		free(a);
		return -1;
	}
	a->port = ntohs(bound.ss_family == AF_INET6
				? ((struct sockaddr_in6 *)&bound)->sin6_port
				: ((struct sockaddr_in *)&bound)->sin_port);
	pthread_mutex_init(&a->lock, NULL);
	*out = a;
	return 0;
}

unsigned acceptor_port(const struct acceptor *a)
{
	return a->port;
}

/* The daemon with the fewest connections, for a new one (counted in
 * now); -1 when max are open already. */
static int daemon_for_new(struct acceptor *a)
{
	unsigned i;
	int best = -1;

	pthread_mutex_lock(&a->lock);
	if (a->total < a->max) {
		best = 0;
		for (i = 1; i < a->n; i++)
			if (a->conns[i] < a->conns[best])
				best = (int)i;
		a->conns[best]++;
		a->total++;
	}
	pthread_mutex_unlock(&a->lock);
	return best;
}

static void uncount(struct acceptor *a, unsigned i)
{
	pthread_mutex_lock(&a->lock);
	if (a->conns[i]) {
		a->conns[i]--;
		a->total--;
	}
	pthread_mutex_unlock(&a->lock);
}

void acceptor_closed(struct acceptor *a, struct MHD_Daemon *d)
{
	unsigned i;

	for (i = 0; i < a->n; i++)
		if (a->ds[i] == d) {
			uncount(a, i);
			break;
		}
}

static void *run(void *arg)
{
	struct acceptor *a = arg;
	struct sockaddr_storage addr;
	socklen_t alen;
	int fd, i;

	/* Named for top -H and perf. */
	pthread_setname_np(pthread_self(), "hearth-accept");

	for (;;) {
		alen = sizeof(addr);
		fd = accept4(a->fd, (struct sockaddr *)&addr, &alen,
			     SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* Out of descriptors: the next close makes
				 * room, so wait a moment rather than spin. */
				struct timespec pause = { 0, 10 * 1000 * 1000 };
				nanosleep(&pause, NULL);
				continue;
			}
			break; /* acceptor_stop shut the socket down */
		}
		if (!a->admit(a->ctx, (struct sockaddr *)&addr) ||
		    (i = daemon_for_new(a)) < 0) {
			close(fd);
			continue;
		}
		/* On failure libmicrohttpd closes fd itself, and no close
		 * will be notified. */
		if (MHD_add_connection(a->ds[i], fd, (struct sockaddr *)&addr,
				       alen) != MHD_YES)
			uncount(a, (unsigned)i);
	}
	return NULL;
}

int acceptor_run(struct acceptor *a, struct MHD_Daemon *const *ds, unsigned n,
		 unsigned max, int (*admit)(void *ctx, const struct sockaddr *),
		 void *ctx, struct hearth_err *err)
{
	int rc;

	a->ds = xcalloc(n, sizeof(*a->ds));
	memcpy(a->ds, ds, n * sizeof(*a->ds));
	a->n = n;
	a->max = max;
	a->admit = admit;
	a->ctx = ctx;
	a->conns = xcalloc(n, sizeof(*a->conns));
	rc = pthread_create(&a->thread, NULL, run, a);
	if (rc)
		return err_set(err, "cannot start the accepting thread: %s",
			       strerror(rc));
	a->running = 1;
	return 0;
}

void acceptor_stop(struct acceptor *a)
{
	if (!a->running)
		return;
	/* accept fails once the socket is shut down */
	shutdown(a->fd, SHUT_RDWR);
	pthread_join(a->thread, NULL);
	a->running = 0;
}

void acceptor_free(struct acceptor *a)
{
	if (!a)
		return;
	acceptor_stop(a);
	close(a->fd);
	pthread_mutex_destroy(&a->lock);
	free(a->conns);
	free(a->ds);
	free(a);
}

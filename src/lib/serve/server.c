/*
 * server.c - what `hearth serve` starts, runs and stops, and the one
 * struct serve_ctx its routes share.
 */
#include "serve/server.h"

#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "base/xalloc.h"
#include "chart/axis.h"
#include "ingest/writeq.h"
#include "rollup/rollup.h"
#include "serve/api_energy.h"
#include "serve/api_read.h"
#include "serve/api_write.h"
#include "serve/auth.h"
#include "serve/backups.h"
#include "serve/dbcache.h"
#include "serve/http.h"
#include "serve/metrics.h"
#include "serve/pruning.h"
#include "serve/serve.h"
#include "serve/stream.h"
#include "serve/web.h"
#include "sources/source.h"
#include "store/store.h"

/* Reads streamed at once: each is a thread, a pipe and a connection. */
#define MAX_STREAMS 16

struct job_state {
	const struct source_job *job;
	int64_t interval, next;
};

struct server {
	struct serve_ctx ctx;
	struct http_server *http;
	struct store *s;       /* the server's own: rollups, schema checks */
	int64_t schema_version; /* when the rollups were last made sure of */
	struct job_state *jobs;
	size_t njobs;
	void **svcs;           /* source_services[i]'s, NULL when skipped */
	struct config **cfgs;  /* what reloads gave, freed at the stop */
	size_t ncfgs;
};

static const struct http_route *const routes[] = {
	api_energy_routes, api_read_routes, api_write_routes, web_routes, NULL,
};

/* After every response, on its HTTP thread: count it, and let go of the
 * schemas the request replaced. */
static void done(void *ctx, const struct http_route *route,
		 const char *method, int status, int handled, double seconds)
{
	struct serve_ctx *sc = ctx;

	metrics_request(sc->metrics, route ? route->path : NULL, method,
			status, seconds);
	/* A write the HTTP layer refused (body too large, bad gzip) is a
	 * write error too; which table it was for is not known then. */
	if (!handled && api_write_is_write(route))
		metrics_write_error(sc->metrics, NULL);
	dbcache_end_request(sc->dbs);
}

/* Build the missing or outdated chart rollups (without them charts still
 * work, reading raw rows), and note the schema's version after. */
static void upkeep(struct server *srv, struct buf *log)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct buf built = BUF_INIT;

	if (rollup_ensure(srv->s, srv->ctx.cfg, &built, &err) < 0)
		buf_addf(log, "warning: %s\n", err.msg);
	if (built.len)
		buf_addf(log, "built chart rollups of %s\n", built.s);
	buf_release(&built);
	if (store_schema_version(srv->s, &srv->schema_version, &err) < 0)
		srv->schema_version = -1;
}

/* The server's own jobs, after the sources'. */
static const struct source_job *const upkeep_jobs[] = { &backups_job,
							 &pruning_job, NULL };

/* The i-th job of the sources' and the server's, NULL past the last. */
static const struct source_job *job_at(size_t i)
{
	size_t ns = 0;

	while (source_jobs[ns].name)
		ns++;
	if (i < ns)
		return &source_jobs[i];
	return upkeep_jobs[i - ns];
}

/* The jobs cfg configures into srv->jobs, each due at once; srv keeps
 * its jobs when one is set wrong. */
static int start_jobs(struct server *srv, struct config *cfg,
		      struct hearth_err *err)
{
	const struct source_job *j;
	struct job_state *jobs = NULL;
	size_t i, n = 0;

	for (i = 0; (j = job_at(i)); i++) {
		int64_t interval = 0;
		int rc = j->configure(cfg, &interval, err);
		if (rc < 0) {
			free(jobs);
			return err_prefix(err, "%s", j->name);
		}
		if (rc > 0)
			continue;
		jobs = xreallocarray(jobs, n + 1, sizeof(*jobs));
		jobs[n].job = j;
		jobs[n].interval = interval;
		jobs[n].next = 0; /* first run right away */
		n++;
	}
	free(srv->jobs);
	srv->jobs = jobs;
	srv->njobs = n;
	return 0;
}

/* The services, once the write queue they store through runs. */
static int start_services(struct server *srv, const struct store_where *db,
			  struct hearth_err *err)
{
	size_t i, n;

	for (n = 0; source_services[n].name; n++)
		;
	srv->svcs = xcalloc(n + 1, sizeof(*srv->svcs));
	for (i = 0; i < n; i++)
		if (source_services[i].start(&srv->svcs[i], srv->ctx.cfg, db,
					     srv->ctx.writes, err) < 0)
			return err_prefix(err, "%s", source_services[i].name);
	return 0;
}

static void stop_services(struct server *srv, struct buf *log)
{
	size_t i;

	for (i = 0; srv->svcs && source_services[i].name; i++) {
		if (!srv->svcs[i])
			continue;
		if (log)
			source_services[i].log(srv->svcs[i], log);
		source_services[i].stop(srv->svcs[i]);
		srv->svcs[i] = NULL;
	}
	free(srv->svcs);
	srv->svcs = NULL;
}

int server_start(struct server **out, const struct server_opts *o,
		 struct buf *log, struct hearth_err *err)
{
	struct server *srv = xcalloc(1, sizeof(*srv));
	struct http_opts ho;
	struct serve_ctx *sc = &srv->ctx;

	*out = NULL;
	sc->cfg = o->cfg;
	/* The database must open now, not at the first request. */
	if (store_open_at(&srv->s, o->db, 0, err) < 0)
		goto fail;
	/* A bad token file is found before anything slow starts. */
	if (auth_check_files(o->cfg, err) < 0) {
		err_prefix(err, "serve");
		goto fail;
	}
	axis_set_timezone(config_get(o->cfg, "serve", "timezone"));
	/* Charts of long windows read the rollups: build missing ones now
	 * rather than in the first request. */
	upkeep(srv, log);
	if (start_jobs(srv, o->cfg, err) < 0)
		goto fail;
	memset(&ho, 0, sizeof(ho));
	ho.listen = o->listen;
	ho.threads = o->threads ? o->threads : 4;
	ho.max_body = o->max_body;
	ho.per_ip = o->per_ip;
	ho.ctx = sc;
	ho.done = done;
	sc->metrics = metrics_new();
	/* A slot for every HTTP thread, and a few to spare. */
	sc->dbs = dbcache_new(o->db, ho.threads + 8);
	sc->streams = streams_new(o->db, MAX_STREAMS);
	if (writeq_start(&sc->writes, o->db, err) < 0 ||
	    start_services(srv, o->db, err) < 0 ||
	    http_start(&srv->http, &ho, routes, err) < 0) {
		err_prefix(err, "serve");
		goto fail;
	}
	*out = srv;
	return 0;
fail:
	server_stop(srv);
	return -1;
}

unsigned server_port(const struct server *srv)
{
	return http_port(srv->http);
}

void server_tick(struct server *srv, struct buf *log)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	int64_t now = timefmt_now(), v = -1;
	size_t i;

	/* A revision run meanwhile (hearth upgrade, auto_columns) may have
	 * dropped rollups: build them again, holding the writers. */
	if (store_schema_version(srv->s, &v, &err) == 0 &&
	    v != srv->schema_version) {
		writeq_hold(srv->ctx.writes, srv->s);
		upkeep(srv, log);
		writeq_release(srv->ctx.writes, srv->s);
	}
	for (i = 0; i < srv->njobs; i++) {
		struct job_state *j = &srv->jobs[i];
		if (now < j->next)
			continue;
		if (j->job->run(srv->ctx.cfg, &err) < 0)
			buf_addf(log, "%s: %s\n", j->job->name, err.msg);
		j->next = timefmt_now() + j->interval;
	}
	for (i = 0; srv->svcs && source_services[i].name; i++)
		if (srv->svcs[i])
			source_services[i].log(srv->svcs[i], log);
}

/* Settings read once, at the start (server.h). */
static const char *const start_only[][2] = {
	{ "hearth", "db" },	   { "hearth", "password_file" },
	{ "hearth", "durability" }, { "serve", "listen" },
	{ "serve", "timezone" },   { "serve", "max_body" },
	{ "serve", "max_connections_per_ip" },
};

static int same(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

int server_reload(struct server *srv, struct config *cfg, struct buf *log,
		  struct hearth_err *err)
{
	const struct config *old = srv->ctx.cfg;
	size_t i;

	if (auth_check_files(cfg, err) < 0)
		return err_prefix(err, "serve");
	if (start_jobs(srv, cfg, err) < 0)
		return -1;
	for (i = 0; i < sizeof(start_only) / sizeof(start_only[0]); i++) {
		const char *sec = start_only[i][0], *key = start_only[i][1];
		const char *was = config_get(old, sec, key);

		if (!same(was, config_get(cfg, sec, key)))
			buf_addf(log, "reload: [%s] %s takes a restart; still "
				 "'%s'\n", sec, key, was ? was : "(unset)");
	}
	srv->cfgs = xreallocarray(srv->cfgs, srv->ncfgs + 1,
				  sizeof(*srv->cfgs));
	srv->cfgs[srv->ncfgs++] = cfg;
	srv->ctx.cfg = cfg;
	return 0;
}

void server_stop(struct server *srv)
{
	size_t i;

	if (!srv)
		return;
	/* The HTTP server first: every body it sends is done then, so the
	 * streams' threads end; the writing thread stores what requests
	 * queued. */
	http_stop(srv->http);
	streams_free(srv->ctx.streams);
	/* The services store what they hold through the queue. */
	stop_services(srv, NULL);
	writeq_stop(srv->ctx.writes);
	dbcache_free(srv->ctx.dbs);
	metrics_free(srv->ctx.metrics);
	store_close(srv->s);
	free(srv->jobs);
	for (i = 0; i < srv->ncfgs; i++)
		config_free(srv->cfgs[i]);
	free(srv->cfgs);
	free(srv);
}

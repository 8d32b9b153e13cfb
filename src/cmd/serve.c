/*
 * cmd/serve.c - hearth serve: the dashboard, the HTTP API and the
 * scheduled pollers in one process.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "chart/axis.h"
#include "cmd/cmd.h"
#include "rollup/rollup.h"
#include "serve/serve.h"
#include "base/timefmt.h"
#include "base/xalloc.h"

static const char help[] =
	"Serves the dashboard and the HTTP API, and runs the configured\n"
	"pollers (IMAP) on their intervals, until SIGINT or SIGTERM.\n\n"
	"  --listen ADDR:PORT   default [serve] listen, else 127.0.0.1:8080\n"
	"  --threads N          HTTP threads (default 4); each new connection\n"
	"                       goes to the one with the fewest\n\n"
	"Writes are parsed on the HTTP threads and committed one request\n"
	"after another by a writing thread with its own connection.\n";

struct job_state {
	const struct serve_job *job;
	int64_t interval, next;
};

/* The schema's version (store_schema_version), -1 when it cannot be
 * read: one cheap query. */
static int64_t schema_version_of(struct cmd_ctx *ctx)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	int64_t v = -1;

	if (store_schema_version(ctx->store, &v, &err) < 0)
		return -1;
	return v;
}

/* Build the missing or outdated chart rollups (without them charts still
 * work, reading raw rows), and note the schema's version after. */
static void ensure_rollups(struct cmd_ctx *ctx, int64_t *version)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct buf built = BUF_INIT;

	if (rollup_ensure(ctx->store, ctx->cfg, &built, &err) < 0)
		fprintf(stderr, "hearth: warning: %s\n", err.msg);
	if (built.len)
		fprintf(stderr, "hearth: built chart rollups of %s\n", built.s);
	buf_release(&built);
	*version = schema_version_of(ctx);
}

/* The schema changed since version (another program's revision, or the
 * server's own auto_columns). */
static int schema_changed(struct cmd_ctx *ctx, int64_t version)
{
	int64_t now = schema_version_of(ctx);

	return now >= 0 && now != version;
}

int cmd_serve(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "threads", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct http_route *const routes[] = { api_routes,
							   web_routes, NULL };
	struct hearth_err err = HEARTH_ERR_INIT;
	struct http_opts o;
	struct http_server *srv = NULL;
	struct job_state *jobs = NULL;
	size_t njobs = 0, i;
	int64_t schema_version = 0;
	sigset_t sigs;
	char *end;
	int c, ret = 1;

	memset(&o, 0, sizeof(o));
	o.listen = config_get_or(ctx->cfg, "serve", "listen", "127.0.0.1:8080");
	while ((c = getopt_long(argc, argv, "l:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'l':
			o.listen = optarg;
			break;
		case 't':
			o.threads = (unsigned)strtoul(optarg, &end, 10);
			if (*end || o.threads == 0 || o.threads > 64)
				return cmd_usage(ctx, "--threads wants 1 to 64");
			break;
		case 'h':
			return cmd_help(ctx, help);
		default:
			return cmd_usage(ctx, NULL);
		}
	}
	if (optind != argc)
		return cmd_usage(ctx, "no arguments expected");
	o.db_url = config_get(ctx->cfg, "hearth", "db");
	if (!o.db_url)
		return cmd_error("no database: set db in hearth.ini, HEARTH_DB "
				 "or --db");
	if (config_source(ctx->cfg, "hearth", "db") == CONFIG_FILE)
		o.db_base = config_file_dir(ctx->cfg);
	o.cfg = ctx->cfg;
	o.observe = api_observe;
	{
		const char *mb = config_get(ctx->cfg, "serve", "max_body");
		if (mb) {
			o.max_body = strtoull(mb, &end, 10);
			if (*end || !o.max_body)
				return cmd_error("[serve] max_body '%s' is not a "
						 "byte count", mb);
		}
	}
	{
		const char *pi = config_get(ctx->cfg, "serve",
					    "max_connections_per_ip");
		if (pi) {
			unsigned long n = strtoul(pi, &end, 10);
			if (*end || !*pi || n < 1 || n > HTTP_MAX_CONNS)
				return cmd_error("[serve] max_connections_per_ip "
						 "'%s': want 1 to %d", pi,
						 HTTP_MAX_CONNS);
			o.per_ip = (unsigned)n;
		}
	}
	/* The database must open now, not at the first request. */
	if (cmd_open_db(ctx, 0))
		return 1;
	/* A bad token file is found before anything slow starts. */
	if (api_start(ctx->cfg, &err) < 0)
		return cmd_error("serve: %s", err.msg);
	axis_set_timezone(config_get(ctx->cfg, "serve", "timezone"));
	/* Charts of long windows read the rollups: build missing ones now
	 * rather than in the first request. */
	ensure_rollups(ctx, &schema_version);

	for (i = 0; serve_jobs[i].name; i++) {
		int64_t interval = 0;
		int rc = serve_jobs[i].configure(ctx->cfg, &interval, &err);
		if (rc < 0) {
			cmd_error("%s: %s", serve_jobs[i].name, err.msg);
			goto out;
		}
		if (rc > 0)
			continue;
		jobs = xreallocarray(jobs, njobs + 1, sizeof(*jobs));
		jobs[njobs].job = &serve_jobs[i];
		jobs[njobs].interval = interval;
		jobs[njobs].next = 0; /* first run right away */
		njobs++;
	}

	/* Block the stop signals before threads start, so they all inherit
	 * the mask and only the sigtimedwait below sees them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (http_start(&srv, &o, routes, &err) < 0) {
		cmd_error("serve: %s", err.msg);
		goto out;
	}
	printf("hearth: serving http://%s/ (Ctrl-C stops)\n", o.listen);
	fflush(stdout);
	for (;;) {
		struct timespec ts = { 1, 0 };
		int64_t now = timefmt_now();
		int sig;

		/* A revision run meanwhile (hearth upgrade) may have
		 * dropped rollups: build them again, holding the writers. */
		if (schema_changed(ctx, schema_version)) {
			api_write_hold();
			ensure_rollups(ctx, &schema_version);
			api_write_release();
		}
		for (i = 0; i < njobs; i++) {
			if (now < jobs[i].next)
				continue;
			if (jobs[i].job->run(ctx->cfg, &err) < 0)
				fprintf(stderr, "hearth: %s: %s\n",
					jobs[i].job->name, err.msg);
			jobs[i].next = timefmt_now() + jobs[i].interval;
		}
		sig = sigtimedwait(&sigs, NULL, &ts);
		if (sig == SIGINT || sig == SIGTERM)
			break;
	}
	fprintf(stderr, "hearth: stopping\n");
	ret = 0;
out:
	http_stop(srv);
	api_stop();
	free(jobs);
	return ret;
}

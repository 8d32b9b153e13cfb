/*
 * cmd/serve.c - hearth serve: the dashboard, the HTTP API and the
 * scheduled pollers in one process (serve/server.h), until a signal.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "serve/http.h"
#include "serve/server.h"

static const char help[] =
	"Serves the dashboard and the HTTP API, and runs the configured\n"
	"pollers (IMAP) on their intervals and listeners (MQTT) all the\n"
	"time, until SIGINT or SIGTERM, which finish the requests in flight\n"
	"and exit 0.  SIGHUP reads hearth.ini again (tokens, [units],\n"
	"[time_columns], auto_columns, pollers) without dropping a\n"
	"connection; a file with an error is reported and the settings in\n"
	"use are kept.\n\n"
	"  --listen ADDR:PORT   default [serve] listen, else 127.0.0.1:8080\n"
	"  --threads N          HTTP threads (default 4); each new connection\n"
	"                       goes to the one with the fewest\n\n"
	"Writes are parsed on the HTTP threads and committed one request\n"
	"after another by a writing thread with its own connection.\n";

/* SIGHUP: hearth.ini again, for the server to take. */
static void reload(struct cmd_ctx *ctx, struct server *srv, struct buf *log)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct config *cfg = NULL;

	if (config_reload(ctx->cfg, &cfg, &err) < 0 ||
	    server_reload(srv, cfg, log, &err) < 0) {
		config_free(cfg);
		buf_addf(log, "reload failed, keeping the settings in use: %s\n",
			 err.msg);
		return;
	}
	buf_addf(log, "reloaded %s\n",
		 config_file(cfg) ? config_file(cfg) : "the settings");
}

/* [serve] max_body and max_connections_per_ip, checked. */
static int limits(struct cmd_ctx *ctx, struct server_opts *o)
{
	const char *mb = config_get(ctx->cfg, "serve", "max_body");
	const char *pi = config_get(ctx->cfg, "serve", "max_connections_per_ip");
	char *end;

	if (mb) {
		o->max_body = strtoull(mb, &end, 10);
		if (*end || !o->max_body)
			return cmd_error("[serve] max_body '%s' is not a byte "
					 "count", mb);
	}
	if (pi) {
		unsigned long n = strtoul(pi, &end, 10);
		if (*end || !*pi || n < 1 || n > HTTP_MAX_CONNS)
			return cmd_error("[serve] max_connections_per_ip '%s': "
					 "want 1 to %d", pi, HTTP_MAX_CONNS);
		o->per_ip = (unsigned)n;
	}
	return 0;
}

int cmd_serve(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "threads", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hearth_err err = HEARTH_ERR_INIT;
	struct server_opts o;
	struct store_where db;
	struct server *srv = NULL;
	struct buf log = BUF_INIT;
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
	if (limits(ctx, &o))
		return 1;
	if (store_where_config(&db, ctx->cfg) > 0)
		return cmd_error("no database: set db in hearth.ini, HEARTH_DB "
				 "or --db");
	o.db = &db;
	o.cfg = ctx->cfg;

	/* Block the stop signals before threads start, so they all inherit
	 * the mask and only the sigtimedwait below sees them. */
	cmd_block_stop_signals(&sigs);
	/* and SIGHUP, which reloads */
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	if (server_start(&srv, &o, &log, &err) < 0) {
		cmd_show_log(&log, "");
		cmd_error("%s", err.msg);
		goto out;
	}
	cmd_show_log(&log, "");
	printf("hearth: serving http://%s/ (Ctrl-C stops)\n", o.listen);
	fflush(stdout);
	for (;;) {
		struct timespec ts = { 1, 0 };
		int sig;

		server_tick(srv, &log);
		cmd_show_log(&log, "");
		sig = sigtimedwait(&sigs, NULL, &ts);
		if (sig == SIGINT || sig == SIGTERM)
			break;
		if (sig == SIGHUP)
			reload(ctx, srv, &log);
	}
	fprintf(stderr, "hearth: stopping\n");
	ret = 0;
out:
	server_stop(srv);
	store_where_release(&db);
	buf_release(&log);
	return ret;
}

/*
 * cmd/wemo.c - hearth wemo discover|watch: WeMo sensors and Insight
 * plugs on the local network, over UPnP.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "sources/wemo.h"
#include "base/timefmt.h"

static const char help[] =
	"  discover [--wait SECONDS] [--to ADDR[:PORT]]\n"
	"           send an SSDP M-SEARCH for urn:Belkin:service:basicevent:1\n"
	"           (to the multicast group 239.255.255.250:1900, or to ADDR\n"
	"           with --to), wait (3 s), read each answer's setup.xml and\n"
	"           list name, model, serial and address (HOST:PORT), then\n"
	"           the [wemo] devices line that watches them all\n"
	"  watch    subscribe to the devices of [wemo] devices and store one\n"
	"           row in [wemo] table per rising edge of a motion sensor\n"
	"           (and Insight plugs' watts in [wemo] power_table), until\n"
	"           SIGINT or SIGTERM; hearth serve does the same\n\n"
	"[wemo] keys: devices (HOST or HOST:PORT, comma-separated; without a\n"
	"port 49153, 49152, 49154, 49151, 49155 are tried), table (motion),\n"
	"sensor_column, power_table, power_column, listen (0.0.0.0:0: where\n"
	"devices send NOTIFYs), subscription (5m), poll_interval (10s: while\n"
	"no subscription works), timeout (5s).  Each device's state is in kv\n"
	"as poll.wemo.DEVICE.state, .event, .error and .time.\n";

static int discover(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "wait", required_argument, NULL, 'w' },
		{ "to", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hearth_err err = HEARTH_ERR_INIT;
	struct wemo_found *f = NULL;
	const char *to = NULL;
	double wait = 3;
	char *end;
	size_t n = 0, i;
	int c;

	while ((c = getopt_long(argc, argv, "w:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'w':
			wait = strtod(optarg, &end);
			if (*end || end == optarg || !(wait > 0 && wait <= 60))
				return cmd_usage(ctx, "--wait wants 0.1 to 60 "
						 "seconds");
			break;
		case 't':
			to = optarg;
			break;
		case 'h':
			return cmd_help(ctx, help);
		default:
			return cmd_usage(ctx, NULL);
		}
	}
	if (optind != argc)
		return cmd_usage(ctx, "discover takes no arguments");
	if (wemo_discover(to, (int)(wait * 1000), 5000, &f, &n, &err) < 0)
		return cmd_error("wemo discover: %s", err.msg);
	if (n == 0)
		fprintf(stderr, "hearth: wemo discover: no device answered "
			"within %g s\n", wait);
	else
		printf("%-24s %-12s %-16s %s\n", "NAME", "MODEL", "SERIAL",
		       "ADDRESS");
	for (i = 0; i < n; i++) {
		if (f[i].error)
			fprintf(stderr, "hearth: wemo discover: %s: %s\n",
				f[i].address, f[i].error);
		else
			printf("%-24s %-12s %-16s %s\n", f[i].name,
			       f[i].model, *f[i].serial ? f[i].serial : "-",
			       f[i].address);
	}
	/* The line to put under [wemo] in hearth.ini. */
	for (i = 0, c = 0; i < n; i++)
		if (!f[i].error)
			printf("%s%s", c++ ? ", " : "\n[wemo] devices = ",
			       f[i].address);
	if (c)
		printf("\n");
	wemo_found_free(f, n);
	return 0;
}

static int watch(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hearth_err err = HEARTH_ERR_INIT;
	struct wemo_watch *w = NULL;
	struct wemo_watch_stats st;
	struct store_where db;
	struct buf log = BUF_INIT;
	sigset_t sigs;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h')
			return cmd_help(ctx, help);
		return cmd_usage(ctx, NULL);
	}
	if (optind != argc)
		return cmd_usage(ctx, "watch takes no arguments");
	if (store_where_config(&db, ctx->cfg) > 0)
		return cmd_error("no database: set db in hearth.ini, HEARTH_DB "
				 "or --db");
	/* Block the stop signals before threads start, so that only the
	 * sigtimedwait below sees them. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (wemo_watch_start(&w, ctx->cfg, &db, NULL, &err) < 0) {
		store_where_release(&db);
		return cmd_error("wemo watch: %s", err.msg);
	}
	for (;;) {
		struct timespec ts = { 0, 200 * 1000 * 1000 };
		int sig;

		wemo_watch_log(w, &log);
		cmd_show_log(&log, "wemo: ");
		sig = sigtimedwait(&sigs, NULL, &ts);
		if (sig == SIGINT || sig == SIGTERM)
			break;
	}
	wemo_watch_stats(w, &st);
	wemo_watch_log(w, &log);
	wemo_watch_stop(w);
	cmd_show_log(&log, "wemo: ");
	fprintf(stderr, "hearth: wemo: stopped: %llu NOTIFYs taken, %llu "
		"refused\n", (unsigned long long)st.notifies,
		(unsigned long long)st.refused);
	store_where_release(&db);
	buf_release(&log);
	return 0;
}

int cmd_wemo(struct cmd_ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "discover"))
		return discover(ctx, argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "watch"))
		return watch(ctx, argc - 1, argv + 1);
	if (argc >= 2 && (!strcmp(argv[1], "--help") ||
			  !strcmp(argv[1], "-h")))
		return cmd_help(ctx, help);
	return cmd_usage(ctx, argc < 2 ? "discover or watch?"
			 : "unknown subcommand (discover or watch)");
}

/*
 * cmd/mqtt.c - hearth mqtt [--once]: store what a broker's topics carry.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "sources/mqtt.h"

static const char help[] =
	"Subscribes (QoS 1, a persistent session) to the topics of the\n"
	"mappings [mqtt] maps names and stores a row per message, until\n"
	"SIGINT or SIGTERM.  A message is acknowledged only once its row is\n"
	"committed, so none is lost when hearth or the broker restarts.\n"
	"Payloads that do not fit their mapping are kept in hearth_rejects.\n\n"
	"  --once   store what the broker holds for hearth's session, then\n"
	"           exit (for cron)\n\n"
	"[mqtt] keys: url (mqtt://HOST[:PORT] or mqtts://), user,\n"
	"password_file, client_id (hearth-HOSTNAME), ca_file, tls_verify\n"
	"(yes), keepalive (60), max_payload (65536), backoff_max (60s), maps.\n"
	"[mqtt.NAME] keys: topic, table, values (COLUMN=PATH, ...; PATH $ is\n"
	"the whole payload) or rising (PATH), time, sensor_column,\n"
	"time_column.  See docs/mqtt.md.\n";

static void show(void *ctx, const char *line)
{
	fprintf(stderr, "hearth: %s\n", line);
}

int cmd_mqtt(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hearth_err err = HEARTH_ERR_INIT;
	struct mqtt_settings set;
	struct mqtt_opts o;
	struct mqtt_stats stats;
	struct store_where db;
	sigset_t sigs;
	int c, rc, ret = 1;

	memset(&o, 0, sizeof(o));
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o.once = 1;
			break;
		case 'h':
			return cmd_help(ctx, help);
		default:
			return cmd_usage(ctx, NULL);
		}
	}
	if (optind != argc)
		return cmd_usage(ctx, "no arguments expected");
	rc = mqtt_settings_load(&set, ctx->cfg, &err);
	if (rc > 0)
		cmd_error("mqtt: [mqtt] url is not set (see 'hearth mqtt "
			  "--help')");
	else if (rc < 0)
		cmd_error("mqtt: %s", err.msg);
	if (rc != 0) {
		mqtt_settings_release(&set);
		return 1;
	}
	if (store_where_config(&db, ctx->cfg) > 0) {
		mqtt_settings_release(&set);
		return cmd_error("no database: set db in hearth.ini, HEARTH_DB "
				 "or --db");
	}
	cmd_block_stop_signals(&sigs);
	o.stop_fd = signalfd(-1, &sigs, SFD_CLOEXEC);
	o.set = &set;
	o.db = &db;
	/* Crash tests kill the listener at an exact step. */
	o.step = cmd_crash_hook("HEARTH_TEST_MQTT_CRASH");
	o.log = show;
	if (o.stop_fd < 0) {
		cmd_error("mqtt: signalfd: cannot watch for Ctrl-C");
		goto out;
	}
	if (!o.once) {
		printf("hearth: listening to %s as %s (Ctrl-C stops)\n",
		       set.url, set.client_id);
		fflush(stdout);
	}
	if (mqtt_listen(&o, &stats, &err) < 0) {
		cmd_error("mqtt: %s", err.msg);
		goto out;
	}
	printf("mqtt: %llu messages, %llu stored, %llu rejected, %llu "
	       "skipped\n", (unsigned long long)stats.received,
	       (unsigned long long)stats.stored,
	       (unsigned long long)stats.rejected,
	       (unsigned long long)stats.skipped);
	ret = 0;
out:
	if (o.stop_fd >= 0)
		close(o.stop_fd);
	store_where_release(&db);
	mqtt_settings_release(&set);
	return ret;
}

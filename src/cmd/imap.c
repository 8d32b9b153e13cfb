/*
 * cmd/imap.c - hearth imap [--once]: pull motion e-mails.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/cmd.h"
#include "sources/imap.h"
#include "base/timefmt.h"

static const char help[] =
	"Reads the unread mails in [imap] url, stores one (time, sensor) row\n"
	"per motion mail in [imap] table, then marks the mails read.  Mails\n"
	"whose subject does not match [imap] subject stay unread and are\n"
	"listed in the table hearth_rejects.\n\n"
	"  --once   poll once and exit (for cron); without it, poll every\n"
	"           [imap] interval until SIGINT or SIGTERM\n\n"
	"[imap] keys: url (imaps://HOST[:PORT]/FOLDER), user, password_file or\n"
	"oauth2_token_file, interval (15m), table (motion), sensor_column,\n"
	"time_column, subject, timezone, tls_verify (yes), starttls (auto),\n"
	"ca_file, timeout.\n";

static int poll_once(struct cmd_ctx *ctx, void (*crash)(const char *))
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct imap_result res;
	const char *p, *nl;
	int rc;

	imap_result_init(&res);
	rc = imap_run(ctx->cfg, ctx->store, crash, &res, &err);
	for (p = buf_cstr(&res.log); (nl = strchr(p, '\n')); p = nl + 1)
		fprintf(stderr, "hearth: imap: %.*s\n", (int)(nl - p), p);
	if (rc < 0)
		cmd_error("imap: %s", err.msg);
	else
		printf("imap: %s\n", buf_cstr(&res.summary));
	fflush(stdout);
	imap_result_release(&res);
	return rc < 0 ? 1 : 0;
}

int cmd_imap(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "once", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct hearth_err err = HEARTH_ERR_INIT;
	struct imap_settings set;
	sigset_t sigs;
	void (*crash)(const char *);
	int64_t interval;
	int c, once = 0, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			once = 1;
			break;
		case 'h':
			return cmd_help(ctx, help);
		default:
			return cmd_usage(ctx, NULL);
		}
	}
	if (optind != argc)
		return cmd_usage(ctx, "no arguments expected");
	rc = imap_settings_load(&set, ctx->cfg, &err);
	interval = set.interval_us;
	imap_settings_release(&set);
	if (rc > 0)
		return cmd_error("imap: [imap] url is not set (see 'hearth "
				 "imap --help')");
	if (rc < 0)
		return cmd_error("imap: %s", err.msg);
	crash = cmd_crash_hook("HEARTH_TEST_IMAP_CRASH");
	if (once) {
		/* A server that hangs up mid-write must be an error, not a
		 * kill (TLS writes go through write(), which would raise
		 * SIGPIPE). */
		signal(SIGPIPE, SIG_IGN);
		return poll_once(ctx, crash);
	}
	cmd_block_stop_signals(&sigs);
	for (;;) {
		int64_t next = timefmt_now() + interval;
		poll_once(ctx, crash);
		for (;;) {
			int64_t left = next - timefmt_now();
			struct timespec ts;
			int sig;
			if (left <= 0)
				break;
			ts.tv_sec = (time_t)(left / US_PER_SEC);
			ts.tv_nsec = (long)(left % US_PER_SEC) * 1000;
			sig = sigtimedwait(&sigs, NULL, &ts);
			if (sig == SIGINT || sig == SIGTERM)
				return 0;
		}
	}
}

/*
 * pruning.c - retention as a job of `hearth serve` (pruning.h).
 */
#include "serve/pruning.h"


#include "base/timefmt.h"
#include "rollup/retention.h"
#include "store/kv.h"
#include "store/store.h"

#define HOUR_US (3600 * (int64_t)1000000)
/* Rows of a table per run: the server's jobs run one after another on
 * the thread that also takes SIGTERM, so a first run over years of rows
 * is spread over several hours rather than holding it (some seconds on a
 * Pi per run). */
#define MAX_ROWS_PER_RUN 200000

static int configure(struct config *cfg, int64_t *interval_us,
		     struct hearth_err *err)
{
	*interval_us = HOUR_US;
	return retention_check(cfg, err);
}

static int run(struct config *cfg, struct hearth_err *err)
{
	struct hearth_err ignore = HEARTH_ERR_INIT;
	struct store *s = NULL;
	struct buf log = BUF_INIT;
	int rc;

	if (store_open_config(&s, cfg, 0, err) < 0)
		return -1;
	rc = retention_apply(s, cfg, MAX_ROWS_PER_RUN, &log, err);
	/* One line for the dashboard's table. */
	while (log.len && log.s[log.len - 1] == '\n')
		log.s[--log.len] = '\0';
	for (size_t i = 0; i < log.len; i++)
		if (log.s[i] == '\n')
			log.s[i] = ';';
	/* The status is best effort, as imap's. */
	kv_set_time(s, "poll.retention.time", timefmt_now(), &ignore);
	kv_set_text(s, "poll.retention.result", log.len ? log.s : "", &ignore);
	kv_set_text(s, "poll.retention.error", rc < 0 ? err->msg : "",
		    &ignore);
	buf_release(&log);
	store_close(s);
	return rc;
}

const struct source_job pruning_job = { "retention", configure, run };

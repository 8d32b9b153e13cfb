/*
 * imap_job.c - a poll with its status in kv, and as `hearth serve`
 * schedules it.
 */
#include <string.h>

#include "sources/imap.h"
#include "store/kv.h"
#include "sources/source.h"
#include "base/timefmt.h"

int imap_record_status(struct store *s, const struct imap_result *res,
		       const struct hearth_err *poll_err,
		       struct hearth_err *err)
{
	if (kv_set_time(s, "poll.imap.time", timefmt_now(), err) < 0 ||
	    kv_set_text(s, "poll.imap.result", buf_cstr(&res->summary),
			err) < 0)
		return -1;
	return kv_set_text(s, "poll.imap.error",
			   poll_err ? poll_err->msg : "", err);
}

int imap_job_configure(struct config *cfg, int64_t *interval_us,
		       struct hearth_err *err)
{
	struct imap_settings set;
	int rc = imap_settings_load(&set, cfg, err);

	if (rc == 0)
		*interval_us = set.interval_us;
	imap_settings_release(&set);
	return rc;
}

int imap_run(const struct config *cfg, struct store *s, imap_step_fn step,
	     struct imap_result *res, struct hearth_err *err)
{
	struct imap_settings set;
	struct hearth_err serr = HEARTH_ERR_INIT;
	int rc = imap_settings_load(&set, cfg, err);

	if (rc > 0)
		err_set(err, "[imap] url is not set: nothing to poll");
	if (rc != 0) {
		imap_settings_release(&set);
		return -1;
	}
	rc = imap_poll(&set, s, step, res, err);
	/* The status is best effort: a poll that could not reach the
	 * database cannot record that either. */
	imap_record_status(s, res, rc < 0 ? err : NULL, &serr);
	imap_settings_release(&set);
	return rc;
}

/*
 * serve has no log channel for a job but its error line, so new rejects
 * and a UIDVALIDITY change come back as the "error" of an otherwise good
 * poll: the serve log is where a person looks.  The details stay in
 * hearth_rejects.
 */
int imap_job_run(struct config *cfg, struct hearth_err *err)
{
	struct imap_result res;
	struct store *s = NULL;
	int rc;

	if (store_open_config(&s, cfg, 0, err) < 0)
		return -1;
	imap_result_init(&res);
	rc = imap_run(cfg, s, NULL, &res, err);
	if (rc == 0 && res.log.len) {
		while (res.log.len && res.log.s[res.log.len - 1] == '\n')
			res.log.len--;
		res.log.s[res.log.len] = '\0';
		for (char *p = res.log.s; (p = strchr(p, '\n'));)
			*p = ';';
		err_set(err, "%s", res.log.s);
		rc = -1;
	}
	imap_result_release(&res);
	store_close(s);
	return rc;
}

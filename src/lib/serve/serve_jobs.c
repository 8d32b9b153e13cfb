/*
 * serve_jobs.c - the scheduled jobs `hearth serve` runs.  Add one line per
 * poller.
 */
#include "sources/imap.h"
#include "serve/serve.h"

const struct serve_job serve_jobs[] = {
	{ "imap", imap_job_configure, imap_job_run },
	{ NULL, NULL, NULL },
};

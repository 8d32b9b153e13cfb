/*
 * jobs.c - the jobs `hearth serve` runs.  Add one line per poller.
 */
#include "sources/imap.h"
#include "sources/source.h"

const struct source_job source_jobs[] = {
	{ "imap", imap_job_configure, imap_job_run },
	{ NULL, NULL, NULL },
};

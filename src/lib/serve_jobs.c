/*
 * serve_jobs.c - the scheduled jobs `hearth serve` runs.  Add one line per
 * poller.
 */
#include "serve.h"

const struct serve_job serve_jobs[] = {
	{ NULL, NULL, NULL },
};

/*
 * jobs.c - the jobs and services `hearth serve` runs.  Add one line
 * per poller or listener.
 */
#include "sources/imap.h"
#include "sources/mqtt.h"
#include "sources/source.h"
#include "sources/wemo.h"

const struct source_job source_jobs[] = {
	{ "imap", imap_job_configure, imap_job_run },
	{ NULL, NULL, NULL },
};

const struct source_service source_services[] = {
	{ "wemo", wemo_job_start, wemo_job_log, wemo_job_stop },
	{ "mqtt", mqtt_job_start, mqtt_job_log, mqtt_job_stop },
	{ NULL, NULL, NULL, NULL },
};

/*
 * pruning.h - [retention] applied by `hearth serve` every hour
 * (rollup/retention.h), with the status of each run in kv
 * poll.retention.time, .result (what was deleted and freed) and .error
 * ("" when it worked), which the dashboard and /metrics show.
 */
#ifndef HEARTH_SERVE_PRUNING_H
#define HEARTH_SERVE_PRUNING_H

#include "sources/source.h"

/* The job, for the server's table of jobs: first as the server starts,
 * then hourly. */
extern const struct source_job pruning_job;

#endif

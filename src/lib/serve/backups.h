/*
 * backups.h - the backups `hearth serve` makes on its own: [backup] dir,
 * every (default 1d) and keep (default 7).
 *
 * A backup is store_backup's copy, named hearth-YYYYMMDDTHHMMSSZ.db in
 * dir (made when missing); of those, the newest `keep` stay and older
 * ones are deleted.  Each attempt writes kv poll.backup.time, .result
 * (the file and its size) and .error ("" when it worked), which the
 * dashboard and /metrics show as they show every poll.* key.  A backup
 * is due `every` after the last attempt (an hour after a failed one when
 * `every` is longer), whenever the server was started: a server that
 * restarts does not copy again each time, nor push the good copies out.
 */
#ifndef HEARTH_SERVE_BACKUPS_H
#define HEARTH_SERVE_BACKUPS_H

#include "sources/source.h"

/* The job, for the server's table of jobs (it asks every minute, or
 * every `every` when shorter, whether a backup is due). */
extern const struct source_job backups_job;

#endif

/*
 * tz.h - named time zones from the system's tz database (TZif files).
 *
 * Why not setenv("TZ") + mktime: `hearth serve` converts times on its
 * job thread while HTTP threads format local times, and changing TZ under
 * them is a data race.  A loaded zone is read-only and can be shared.
 */
#ifndef HEARTH_TZ_H
#define HEARTH_TZ_H

#include <stdint.h>

#include "base/err.h"

struct tz;

/*
 * tz_load: load zone `name` ("Europe/Berlin", "UTC", ":America/New_York",
 * or an absolute path to a TZif file).  NULL or "" means the zone of the
 * process: $TZ when set, else /etc/localtime, else UTC.  Zone files are
 * looked up under $TZDIR or /usr/share/zoneinfo.  Free with tz_free.
 */
int tz_load(struct tz **out, const char *name, struct hearth_err *err);
void tz_free(struct tz *z);

/* tz_name: the name the zone was loaded by ("localtime" for the default). */
const char *tz_name(const struct tz *z);

/* tz_offset: seconds east of UTC in effect at utc (unix seconds). */
int32_t tz_offset(const struct tz *z, int64_t utc);

/*
 * tz_to_utc: a wall-clock time in the zone, given as seconds since the
 * epoch as if the wall clock were UTC, to unix seconds.  In the hour that
 * repeats when clocks go back the earlier instant is chosen; a time in the
 * hour skipped when clocks go forward is read with the offset before the
 * change (as mktime does).
 */
int64_t tz_to_utc(const struct tz *z, int64_t local);

#endif

/*
 * period.h - local calendar periods (hour, day, week, month) and the
 * energy, missing time and cost of each, summed from slots (integ.h).
 *
 * Periods are the zone's wall-clock ones: a day is midnight to midnight,
 * 23 or 25 hours long when the clocks change; a week starts on Monday
 * (ISO 8601); an hour starts on the local hour (at :30 past the UTC hour
 * in India).  A slot that a period boundary splits (a zone whose offset
 * is not a whole quarter-hour: only some historical ones) is shared in
 * proportion.
 */
#ifndef HEARTH_ENERGY_PERIOD_H
#define HEARTH_ENERGY_PERIOD_H

#include <stddef.h>
#include <stdint.h>

#include "base/tz.h"
#include "energy/integ.h"
#include "energy/tariff.h"

enum energy_by { ENERGY_BY_HOUR, ENERGY_BY_DAY, ENERGY_BY_WEEK,
		 ENERGY_BY_MONTH };

/* energy_by_parse: "hour", "day", "week", "month"; -1 else. */
int energy_by_parse(const char *s, enum energy_by *out);
const char *energy_by_name(enum energy_by by);

/* energy_period_start: the start (unix seconds) of the period holding t;
 * energy_period_next: the start of the one after the period starting at
 * start. */
int64_t energy_period_start(const struct tz *z, enum energy_by by, int64_t t);
int64_t energy_period_next(const struct tz *z, enum energy_by by,
			   int64_t start);

/* energy_period_label: the period starting at start as the zone writes
 * it: "2026-03-29 01:00", "2026-03-29", "2026-W13", "2026-03" (out:
 * 32 bytes). */
void energy_period_label(const struct tz *z, enum energy_by by,
			 int64_t start, char *out, size_t outsz);

struct energy_period {
	int64_t start, end; /* unix seconds */
	char label[32];
	double kwh;
	double missing;     /* seconds of the period, up to now, with no
			     * readings bridging them */
	double cost;        /* energy at the tariff plus standing charge */
};

/*
 * energy_periods: the periods from the one holding since to the one
 * holding until (unix seconds), each with the energy of the slots
 * (ascending) in it; now (unix seconds) ends the time that can be
 * missing.  *out is malloc'd (free it), *n its length.
 */
void energy_periods(const struct tz *z, enum energy_by by, int64_t since,
		    int64_t until, int64_t now, const struct energy_slots *s,
		    const struct tariff *tariff, struct energy_period **out,
		    size_t *n);

#endif

/*
 * web_energy.h - the dashboard's energy panel: for each [energy] column
 * (energy.h), bars of kWh per period of the page's window (hours for a
 * day or less, days up to three months, months beyond), today so far,
 * this month, and the same window a year before when there are readings
 * from then.
 */
#ifndef HEARTH_SERVE_WEB_ENERGY_H
#define HEARTH_SERVE_WEB_ENERGY_H

#include <stdint.h>

#include "base/buf.h"
#include "base/config.h"
#include "store/schema.h"
#include "store/store.h"

/* web_energy_panels: append a section per energy column of the series
 * tables of sc to b, for the window [t0, t1] (unix microseconds); none
 * when no column is set.  Errors show in the section. */
void web_energy_panels(struct buf *b, struct store *s, const struct schema *sc,
		       const struct config *cfg, int64_t t0, int64_t t1);

#endif

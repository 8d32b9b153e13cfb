/*
 * units.h - the unit of a series column, for API listings and axes.
 *
 * `[units] TABLE.COLUMN = W` in hearth.ini decides; without it the unit is
 * guessed from the column name (r_watts -> W, *temp* -> °C, humidity -> %),
 * and is "" when nothing fits.
 */
#ifndef HEARTH_UNITS_H
#define HEARTH_UNITS_H

struct config;

/* units_for: the unit; a static string or one owned by cfg (cfg may be
 * NULL).  Never NULL. */
const char *units_for(const struct config *cfg, const char *table,
		      const char *column);

/* units_guess: the unit from the column name alone ("" when unknown). */
const char *units_guess(const char *column);

#endif

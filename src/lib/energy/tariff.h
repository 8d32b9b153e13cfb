/*
 * tariff.h - what energy costs: a price per kWh, flat or by time of day
 * (local wall-clock time), and a standing charge per day.
 *
 *	[energy]
 *	tariff = 0.28                                 ; flat
 *	tariff = 0.35 07:00-23:00, 0.12 23:00-07:00  ; time of use
 *	standing_charge = 0.45                        ; per day
 *
 * Time-of-use bands are HH:MM-HH:MM (24:00 may end one), may wrap past
 * midnight, and together must cover the day once.
 */
#ifndef HEARTH_ENERGY_TARIFF_H
#define HEARTH_ENERGY_TARIFF_H

#include <stddef.h>

#include "base/err.h"

#define TARIFF_MAX_BANDS 12

struct tariff_band {
	int from, to;  /* minutes of the day, from < to (wrapping bands are
			* stored as two) */
	double rate;   /* per kWh */
};

struct tariff {
	struct tariff_band band[2 * TARIFF_MAX_BANDS];
	size_t n;      /* 0: no price set */
	double standing; /* per day */
};

/* tariff_parse: s (NULL or "": no price) into *t; -1 with err saying
 * what is wrong with which band.  standing is the standing charge text
 * (NULL: none). */
int tariff_parse(struct tariff *t, const char *s, const char *standing,
		 struct hearth_err *err);

/* tariff_cost: the price of kwh used evenly over the local minutes
 * [min0, min0 + len) of a day (len <= 1440, may run past midnight). */
double tariff_cost(const struct tariff *t, double min0, double len,
		   double kwh);

#endif

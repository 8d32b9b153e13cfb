/*
 * api_energy.h - GET /api/v1/energy/TABLE: what `hearth energy` prints
 * (energy.h), as JSON (default), CSV or a text table.
 *
 *   ?by=hour|day|week|month  (day)
 *   ?since=T&until=T         as the command takes them: a date or time
 *                            without a zone is local ([serve] timezone)
 *   ?column=COL              the energy column, when there are several
 *   ?format=json|csv|table
 */
#ifndef HEARTH_SERVE_API_ENERGY_H
#define HEARTH_SERVE_API_ENERGY_H

#include "serve/http.h"

/* The routes, ended by one with path NULL; before api_read's, whose
 * /api/v1/TABLE would take the path.  Handlers take a struct serve_ctx
 * (serve.h). */
extern const struct http_route api_energy_routes[];

#endif

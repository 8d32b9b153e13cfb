/*
 * api_read.h - the API's read routes (api_read.c), and the filters a
 * read takes from its query string, which the charts take too (web.h).
 */
#ifndef HEARTH_SERVE_API_READ_H
#define HEARTH_SERVE_API_READ_H

#include <stddef.h>

#include "chart/series.h"
#include "serve/http.h"
#include "store/schema.h"

/* The routes, ended by one with path NULL.  Handlers take a struct
 * serve_ctx (serve.h). */
extern const struct http_route api_read_routes[];

/* api_read_filters: a read's filters (series.h), ?COLUMN=VALUE for each
 * column of t but its time column tc, unless the route has an argument
 * of that name (own, NULL-terminated; token, p and u are every route's).
 * eq has room for t's columns; its strings are the request's.  Returns
 * how many. */
size_t api_read_filters(struct http_req *req, const struct schema_table *t,
			const struct schema_column *tc,
			const char *const *own, struct series_eq *eq);

#endif

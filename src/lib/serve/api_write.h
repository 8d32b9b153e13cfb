/*
 * api_write.h - the API's write routes (api_write.c).
 */
#ifndef HEARTH_SERVE_API_WRITE_H
#define HEARTH_SERVE_API_WRITE_H

#include "serve/http.h"

/* The routes, ended by one with path NULL.  Handlers take a struct
 * serve_ctx (serve.h). */
extern const struct http_route api_write_routes[];

/* api_write_is_write: route stores rows (a write the HTTP layer refused,
 * too large or badly gzipped, is counted as a failed write). */
int api_write_is_write(const struct http_route *route);

#endif

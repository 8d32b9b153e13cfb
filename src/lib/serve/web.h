/*
 * web.h - the dashboard and the chart routes (web.c).
 */
#ifndef HEARTH_SERVE_WEB_H
#define HEARTH_SERVE_WEB_H

#include "serve/http.h"

/* The routes, ended by one with path NULL.  Handlers take a struct
 * serve_ctx (serve.h). */
extern const struct http_route web_routes[];

#endif

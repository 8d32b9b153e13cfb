/*
 * api.h - what the API's route files (api.c for reads, tokens and
 * metrics; api_write.c for writes) share.  Not used outside them; serve.h
 * has the public side (api_routes, api_start, api_stop, api_observe).
 */
#ifndef HEARTH_API_H
#define HEARTH_API_H

#include "serve/http.h"
#include "serve/metrics.h"

/* The process's API counters (valid between api_start and api_stop). */
struct metrics *api_metrics(void);

/* api_auth: 1 when the request carries the token it needs (write: the
 * write token; read: the read token or the write token, or none when no
 * read_token_file is set).  Otherwise fills resp with 401 (one message,
 * whatever was wrong), 403 (writes disabled) or 500 (token file
 * unreadable) and returns 0.  influx: the error body is InfluxDB's JSON
 * ({"error":"..."}). */
int api_auth(struct http_req *req, struct http_resp *resp, int write,
	     int influx);

/* api_error: an error response, as text or as InfluxDB JSON. */
int api_error(struct http_resp *resp, int influx, int status, const char *msg);

/* Write routes (api_write.c). */
int api_write_v1(struct http_req *req, struct http_resp *resp, void *ud);
int api_write_lp(struct http_req *req, struct http_resp *resp, void *ud);
int api_query_compat(struct http_req *req, struct http_resp *resp, void *ud);
/* api_write_stop: end what the write routes started (the checkpoint
 * thread); after the last request. */
void api_write_stop(void);

#endif

/*
 * auth.h - who may read and who may write: the tokens of [serve]
 * write_token_file and read_token_file (token.h), checked on every
 * request, and the answers when they are missing or wrong.
 */
#ifndef HEARTH_SERVE_AUTH_H
#define HEARTH_SERVE_AUTH_H

#include "base/config.h"
#include "base/err.h"
#include "serve/http.h"

/* auth_check_files: the token files named in cfg can be read (errors
 * name the setting): found when the server starts, not by the first
 * sensor that posts. */
int auth_check_files(const struct config *cfg, struct hearth_err *err);

/* auth_api: 1 when the request carries the token it needs (write: the
 * write token; read: the read token or the write token, or none when no
 * read_token_file is set).  Otherwise fills resp with 401 (one message,
 * whatever was wrong), 403 (writes disabled) or 500 (token file
 * unreadable) and returns 0.  influx: the error body is InfluxDB's JSON
 * ({"error":"..."}). */
int auth_api(const struct config *cfg, struct http_req *req,
	     struct http_resp *resp, int write, int influx);

/* auth_browser: the dashboard's and the charts' check: what a read of
 * the API needs, else a 401 that makes a browser ask for it
 * (WWW-Authenticate: Basic; the token is the password) and 0. */
int auth_browser(const struct config *cfg, struct http_req *req,
		 struct http_resp *resp);

#endif

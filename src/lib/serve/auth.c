/*
 * auth.c - the tokens a request carries, checked against the files.
 */
#include "serve/auth.h"

#include <stdlib.h>
#include <string.h>

#include "serve/reply.h"
#include "serve/token.h"

#define MAX_TOKEN 1024

/* Token files must be readable when serve starts: a typo in the path is
 * better found then than by the first sensor that posts. */
int auth_check_files(const struct config *cfg, struct hearth_err *err)
{
	static const char *const keys[] = { "write_token_file",
					    "read_token_file" };
	size_t i;

	for (i = 0; i < 2; i++) {
		char *path = config_path(cfg, "serve", keys[i], NULL), *tok = NULL;
		int rc = 0;

		if (path)
			rc = token_read(path, &tok, err);
		free(path);
		free(tok);
		if (rc < 0)
			return err_prefix(err, "[serve] %s", keys[i]);
	}
	return 0;
}

/* The token the client sent, in out; 0 when it sent none. */
static long given_token(struct http_req *req, char *out, size_t outsz)
{
	const char *h = http_header(req, "Authorization");
	const char *q;
	size_t n;

	if (h)
		return token_from_authorization(h, out, outsz);
	/* ?token= for scripts; ?p= is InfluxDB 1.x's password parameter. */
	q = http_arg(req, "token");
	if (!q)
		q = http_arg(req, "p");
	if (!q)
		return 0;
	n = strlen(q);
	if (n >= outsz)
		return -1;
	memcpy(out, q, n + 1);
	return (long)n;
}

/* 1 when the token in file key matches, 0 when not, -1 when the file
 * cannot be read. */
static int token_matches(const struct config *cfg, const char *key,
			 const char *given, long n)
{
	char *path = config_path(cfg, "serve", key, NULL), *want = NULL;
	struct hearth_err err = HEARTH_ERR_INIT;
	int ok;

	/* Read on every request, so a rotated token takes effect without a
	 * restart; the file is a few bytes. */
	if (token_read(path, &want, &err) < 0) {
		free(path);
		return -1;
	}
	ok = n > 0 && token_equal(want, given, (size_t)n);
	free(path);
	free(want);
	return ok;
}

/* api_auth, with challenge as the WWW-Authenticate of a 401. */
static int auth(const struct config *cfg, struct http_req *req,
		struct http_resp *resp, int write, int influx,
		const char *challenge)
{
	int has_write = config_get(cfg, "serve", "write_token_file") != NULL;
	int has_read = config_get(cfg, "serve", "read_token_file") != NULL;
	char tok[MAX_TOKEN];
	long n;
	int rc = 0;

	if (write && !has_write)
		return reply_error(resp, influx, 403, "writes disabled: set "
				 "[serve] write_token_file"), 0;
	if (!write && !has_read)
		return 1;
	n = given_token(req, tok, sizeof(tok));
	if (n > 0) {
		rc = token_matches(cfg, write ? "write_token_file"
					      : "read_token_file", tok, n);
		/* The write token reads too. */
		if (rc == 0 && !write && has_write)
			rc = token_matches(cfg, "write_token_file", tok, n);
	}
	memset(tok, 0, sizeof(tok));
	if (rc < 0)
		return reply_error(resp, influx, 500, "server token file cannot "
				 "be read"), 0;
	if (rc > 0)
		return 1;
	reply_error(resp, influx, 401, "unauthorized: send a valid token "
		  "(Authorization: Bearer TOKEN)");
	http_resp_header(resp, "WWW-Authenticate", challenge);
	return 0;
}

int auth_api(const struct config *cfg, struct http_req *req,
	     struct http_resp *resp, int write, int influx)
{
	return auth(cfg, req, resp, write, influx, "Bearer realm=\"hearth\"");
}

int auth_browser(const struct config *cfg, struct http_req *req,
		 struct http_resp *resp)
{
	/* Basic makes a browser ask; the token is the password. */
	return auth(cfg, req, resp, 0, 0,
		    "Basic realm=\"hearth\", charset=\"UTF-8\"");
}

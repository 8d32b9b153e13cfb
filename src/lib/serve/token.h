/*
 * token.h - the shared secrets that guard the HTTP API.
 *
 * A token lives in a file named in hearth.ini ([serve] write_token_file,
 * read_token_file), so it never appears on a command line.  Clients send
 * it the ways existing tools do: `Authorization: Bearer T` or `Token T`
 * (InfluxDB 2.x), HTTP Basic with the token as password (InfluxDB 1.x
 * clients send username and password that way), or `?token=T` / `?p=T` in
 * the query string.
 */
#ifndef HEARTH_TOKEN_H
#define HEARTH_TOKEN_H

#include <stddef.h>

#include "base/err.h"

/*
 * token_read: the token in the file at path: its first line, surrounding
 * whitespace trimmed.  *out is malloc'd (caller frees).  Errors name the
 * file: unreadable, empty, or shorter than 8 characters (a guessable token
 * is refused rather than silently accepted).
 */
int token_read(const char *path, char **out, struct hearth_err *err);

/*
 * token_equal: 1 when given (n bytes) equals want, else 0.  The time taken
 * depends only on n, never on where the two differ or on want's length.
 */
int token_equal(const char *want, const char *given, size_t n);

/*
 * token_from_authorization: the token in an Authorization header value
 * ("Bearer T", "Token T", "Basic base64(user:T)"), decoded into out
 * (outsz bytes, NUL-terminated).  Returns the token's length, or -1 when
 * the header has none of those forms or the token does not fit.
 */
long token_from_authorization(const char *header, char *out, size_t outsz);

#endif

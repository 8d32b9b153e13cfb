/*
 * netaddr.h - the HOST[:PORT] of a source's URL ([imap] url, [mqtt] url),
 * checked the same way for each, with errors that name the setting.
 */
#ifndef HEARTH_NETADDR_H
#define HEARTH_NETADDR_H

#include <stddef.h>

#include "base/err.h"

/*
 * netaddr_split: split the authority auth[0..n) of url ("host",
 * "host:port", "[::1]:993") into *host and *port (malloc'd, the caller
 * frees them; *port NULL when none is given, else digits only).  A user
 * in it ("user@host") is refused: logins go in the section's user and
 * password_file.  -1 with err "[SECTION] url 'URL': ..." otherwise; what
 * was set is still the caller's to free.
 */
int netaddr_split(const char *section, const char *url, const char *auth,
		  size_t n, char **host, char **port, struct hearth_err *err);

#endif

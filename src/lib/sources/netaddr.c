/*
 * netaddr.c - HOST[:PORT] out of a URL (netaddr.h).
 */
#include "sources/netaddr.h"

#include <ctype.h>
#include <string.h>

#include "base/xalloc.h"

int netaddr_split(const char *section, const char *url, const char *auth,
		  size_t n, char **host, char **port, struct hearth_err *err)
{
	const char *end = auth + n, *colon, *q;

	*host = *port = NULL;
	if (memchr(auth, '@', n))
		return err_set(err, "[%s] url '%s': put the user in [%s] user, "
			       "and the password in a file", section, url,
			       section);
	if (*auth == '[') {
		const char *rb = memchr(auth, ']', n);
		if (!rb || (rb + 1 < end && rb[1] != ':'))
			return err_set(err, "[%s] url '%s': bad host", section,
				       url);
		*host = xstrndup(auth + 1, (size_t)(rb - auth - 1));
		colon = rb + 1 < end ? rb + 1 : NULL;
	} else {
		colon = memchr(auth, ':', n);
		*host = xstrndup(auth, (size_t)((colon ? colon : end) - auth));
	}
	if (!**host)
		return err_set(err, "[%s] url '%s': no host", section, url);
	if (!colon)
		return 0;
	for (q = colon + 1; q < end; q++)
		if (!isdigit((unsigned char)*q))
			break;
	if (q != end || q == colon + 1 || end - colon > 6)
		return err_set(err, "[%s] url '%s': bad port", section, url);
	*port = xstrndup(colon + 1, (size_t)(end - colon - 1));
	return 0;
}

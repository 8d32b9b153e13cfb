#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(struct hearth_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -1;
}

int err_prefix(struct hearth_err *err, const char *fmt, ...)
{
	char old[HEARTH_ERR_MAX];
	va_list ap;
	int n;

	if (!err)
		return -1;
	memcpy(old, err->msg, sizeof(old));
	va_start(ap, fmt);
	n = vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* Copied by hand: gcc -O1 sees snprintf("%s", old) as a possible
	 * truncation and -Werror stops the sanitizer build. */
	if (n >= 0 && (size_t)n + 3 < sizeof(err->msg)) {
		size_t at = (size_t)n + 2, room = sizeof(err->msg) - at - 1;
		size_t len = strlen(old);
		memcpy(err->msg + n, ": ", 2);
		if (len > room)
			len = room;
		memcpy(err->msg + at, old, len);
		err->msg[at + len] = '\0';
	}
	return -1;
}

void err_clear(struct hearth_err *err)
{
	if (err)
		err->msg[0] = '\0';
}

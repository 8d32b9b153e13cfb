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
	/* Appended by hand: snprintf of old into the rest draws a
	 * truncation warning at -O1, and truncating is what is wanted. */
	if (n >= 0 && (size_t)n < sizeof(err->msg)) {
		size_t len = (size_t)n, room = sizeof(err->msg) - 1 - len;
		size_t ol = strnlen(old, sizeof(old) - 1);
		const char *sep = ": ";
		while (*sep && room) {
			err->msg[len++] = *sep++;
			room--;
		}
		if (ol > room)
			ol = room;
		memcpy(err->msg + len, old, ol);
		err->msg[len + ol] = '\0';
	}
	return -1;
}

void err_clear(struct hearth_err *err)
{
	if (err)
		err->msg[0] = '\0';
}

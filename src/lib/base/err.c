#include "base/err.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Messages quote input (a line of a file, an e-mail header, a request's
 * field) and end up on a terminal or in a log: a line break would forge a
 * second line, an escape sequence drive the terminal.  (iscntrl: bytes
 * below 0x20 and 0x7f, as hearth keeps the C locale.) */
void err_one_line(char *s)
{
	for (; *s; s++)
		if (iscntrl((unsigned char)*s))
			*s = '?';
}

char *err_quote(char *dst, size_t size, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && i + 1 < size; i++)
		dst[i] = iscntrl((unsigned char)s[i]) ? '?' : s[i];
	dst[i] = '\0';
	return dst;
}

int err_set(struct hearth_err *err, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	err_one_line(err->msg);
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
	if (n >= 0 && (size_t)n + 2 < sizeof(err->msg)) {
		/* Copy by hand: the old message is truncated to fit, which
		 * snprintf("%s") would warn about. */
		size_t at = (size_t)n, room = sizeof(err->msg) - at - 3;
		size_t len = strnlen(old, room);
		err->msg[at] = ':';
		err->msg[at + 1] = ' ';
		memcpy(err->msg + at + 2, old, len);
		err->msg[at + 2 + len] = '\0';
	}
	err_one_line(err->msg);
	return -1;
}

void err_clear(struct hearth_err *err)
{
	if (err)
		err->msg[0] = '\0';
}

/*
 * err.h - the error a library call hands back to its caller.
 *
 * The base folder owns what every other folder builds on: buffers
 * (buf.h), errors (err.h), allocation that aborts on out-of-memory
 * (xalloc.h), settings (config.h), times and time zones (timefmt.h,
 * tz.h), units and gunzip.  It may call only the C library and zlib, no
 * other folder: it knows nothing of databases, SQL or HTTP.
 *
 * Library functions return -1 and fill a struct hearth_err; only commands
 * and main print it.  Messages are lower case, name the object, and carry
 * no trailing full stop.  They are one line: control characters in what
 * they quote come out as '?'.  The struct owns no heap memory.
 */
#ifndef HEARTH_ERR_H
#define HEARTH_ERR_H

#include <stddef.h>

#define HEARTH_ERR_MAX 512

struct hearth_err {
	char msg[HEARTH_ERR_MAX];
};

#define HEARTH_ERR_INIT { { 0 } }

/* err_set: format the message (truncated to fit); always returns -1 so a
 * caller can write `return err_set(err, ...)`.  err may be NULL. */
int err_set(struct hearth_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* err_prefix: put "PREFIX: " in front of the message already there. */
int err_prefix(struct hearth_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void err_clear(struct hearth_err *err);

/* err_one_line: make s one line, as every message is: each control
 * character becomes '?'.  For reports built outside a hearth_err. */
void err_one_line(char *s);

/* err_quote: the first size - 1 bytes (at most) of s[0..n) in dst,
 * NUL-terminated, each control character, NUL too, as '?'; returns dst.
 * For quoting a value that may hold a NUL byte, where "%.*s" would stop. */
char *err_quote(char *dst, size_t size, const char *s, size_t n);

#endif

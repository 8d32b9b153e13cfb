/*
 * buf.h - growable byte/string buffer with an optional size cap.
 *
 * The contents are always NUL-terminated (the NUL is not counted in len),
 * so buf.s can be used as a C string when it holds text.  A zero cap means
 * unlimited; a capped buffer refuses to grow past cap and the append
 * functions return -1, which is how network input is kept bounded.
 *
 *   struct buf b = BUF_INIT;
 *   buf_addf(&b, "%d rows", n);
 *   ... use b.s, b.len ...
 *   buf_release(&b);
 */
#ifndef HEARTH_BUF_H
#define HEARTH_BUF_H

#include <stddef.h>

struct buf {
	char *s;      /* contents; never NULL after the first append */
	size_t len;   /* bytes used, excluding the terminating NUL */
	size_t alloc; /* bytes allocated */
	size_t cap;   /* maximum len, 0 = unlimited */
};

#define BUF_INIT { NULL, 0, 0, 0 }

/* buf_init: empty buffer with the given cap; allocates nothing. */
void buf_init(struct buf *b, size_t cap);
/* buf_release: free the contents and reset to empty (cap is kept). */
void buf_release(struct buf *b);
/* buf_reset: length 0, allocation kept. */
void buf_reset(struct buf *b);
/* buf_detach: hand the contents (malloc'd, NUL-terminated) to the caller,
 * who frees them; the buffer is empty afterwards. */
char *buf_detach(struct buf *b, size_t *len);
/* buf_cstr: contents as a C string; "" for an empty buffer. */
const char *buf_cstr(const struct buf *b);

/* Append functions return 0, or -1 when the cap would be exceeded (nothing
 * is appended then). */
int buf_add(struct buf *b, const void *p, size_t n);
int buf_addstr(struct buf *b, const char *s);
int buf_addch(struct buf *b, char c);
int buf_addf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* buf_reserve: make room for n more bytes (and the NUL) without
 * appending, so that a known size costs one allocation instead of a
 * doubling series; -1 when that passes the cap (nothing changes then). */
int buf_reserve(struct buf *b, size_t n);

/* buf_truncate: shorten to n bytes (n <= len). */
void buf_truncate(struct buf *b, size_t n);

struct hearth_err;
/* buf_read_file: append the whole file at path; errors name the path.
 * Fails too when the file would pass the buffer's cap. */
int buf_read_file(struct buf *b, const char *path, struct hearth_err *err);

#endif

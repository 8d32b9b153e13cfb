#include "base/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/xalloc.h"

void buf_init(struct buf *b, size_t cap)
{
	b->s = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap;
}

void buf_release(struct buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = 0;
	b->alloc = 0;
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->s)
		b->s[0] = '\0';
}

char *buf_detach(struct buf *b, size_t *len)
{
	char *s;

	if (!b->s)
		buf_add(b, "", 0);
	s = b->s;
	if (len)
		*len = b->len;
	b->s = NULL;
	b->len = 0;
	b->alloc = 0;
	return s;
}

const char *buf_cstr(const struct buf *b)
{
	return b->s ? b->s : "";
}

/* n more bytes (and the NUL) stay within size_t and the cap. */
static int fits(const struct buf *b, size_t n)
{
	return n <= (size_t)-1 - b->len - 1 && !(b->cap && b->len + n > b->cap);
}

/* Make room for n more bytes plus the NUL; -1 if that passes the cap. */
static int grow(struct buf *b, size_t n)
{
	size_t want;

	if (!fits(b, n))
		return -1;
	want = b->len + n + 1;
	if (want > b->alloc) {
		size_t a = b->alloc ? b->alloc : 64;
		while (a < want)
			a = a > (size_t)-1 / 2 ? want : a * 2;
		b->s = xrealloc(b->s, a);
		b->alloc = a;
	}
	return 0;
}

int buf_reserve(struct buf *b, size_t n)
{
	size_t want;

	if (!fits(b, n))
		return -1;
	/* Exactly what was asked: the caller knows the size, doubling
	 * would only waste memory. */
	want = b->len + n + 1;
	if (want > b->alloc) {
		b->s = xrealloc(b->s, want);
		if (!b->alloc)
			b->s[0] = '\0';
		b->alloc = want;
	}
	return 0;
}

int buf_add(struct buf *b, const void *p, size_t n)
{
	if (grow(b, n) < 0)
		return -1;
	if (n)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
	return 0;
}

int buf_addstr(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

int buf_addch(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}

int buf_addf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char small[256];
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	if ((size_t)n < sizeof(small))
		return buf_add(b, small, (size_t)n);
	if (grow(b, (size_t)n) < 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void buf_truncate(struct buf *b, size_t n)
{
	if (n < b->len) {
		b->len = n;
		b->s[n] = '\0';
	}
}

int buf_read_file(struct buf *b, const char *path, struct hearth_err *err)
{
	char chunk[8192];
	ssize_t n;
	int fd = open(path, O_RDONLY), ret = -1;

	if (fd < 0)
		return err_set(err, "%s: %s", path, strerror(errno));
	while ((n = read(fd, chunk, sizeof(chunk))) > 0)
		if (buf_add(b, chunk, (size_t)n) < 0) {
			err_set(err, "%s: larger than %zu bytes", path, b->cap);
			goto out;
		}
	if (n < 0) {
		err_set(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!b->s)
		buf_add(b, "", 0);
	ret = 0;
out:
	close(fd);
	return ret;
}

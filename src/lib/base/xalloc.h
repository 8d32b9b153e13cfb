/*
 * xalloc.h - allocation that never returns NULL.
 *
 * Every function aborts the process with a message on stderr when memory is
 * exhausted, so callers never check for NULL.  Free results with free().
 */
#ifndef HEARTH_XALLOC_H
#define HEARTH_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* xreallocarray: realloc of nmemb*size with overflow check. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
/* xstrndup: copy of at most n bytes of s, always NUL-terminated. */
char *xstrndup(const char *s, size_t n);
/* xasprintf: printf into a fresh allocation. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grow *arr (of *alloc elements of size sz) so it holds at least n. */
#define XGROW(arr, n, alloc)                                                 \
	do {                                                                 \
		if ((n) > (alloc)) {                                         \
			size_t xg_new_ = (alloc) ? (alloc) * 2 : 8;          \
			while (xg_new_ < (n))                                \
				xg_new_ *= 2;                                \
			(arr) = xreallocarray((arr), xg_new_, sizeof(*(arr))); \
			(alloc) = xg_new_;                                   \
		}                                                            \
	} while (0)

#endif

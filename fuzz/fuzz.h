/* fuzz.h - shared by the harnesses whose first input byte picks a path. */
#ifndef HEARTH_FUZZ_H
#define HEARTH_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* fuzz_split: *pick gets the first byte; the rest comes back as a
 * NUL-terminated copy (the way HTTP bodies, files and responses reach
 * hearth's parsers) of *len bytes.  NULL when there is no rest byte to
 * pick with.  The caller frees it. */
static inline char *fuzz_split(const uint8_t *data, size_t size,
			       unsigned *pick, size_t *len)
{
	char *s;

	if (size < 1 || !(s = malloc(size)))
		return NULL;
	*pick = data[0];
	*len = size - 1;
	memcpy(s, data + 1, *len);
	s[*len] = '\0';
	return s;
}

#endif

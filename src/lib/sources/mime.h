/*
 * mime.h - the bits of RFC 5322/2047 a mail poller needs: unfolding and
 * picking header fields, decoding encoded words into UTF-8, and base64.
 *
 * Everything works on byte ranges (not NUL-terminated) and appends to a
 * caller's struct buf, so the caller owns every result.
 */
#ifndef HEARTH_MIME_H
#define HEARTH_MIME_H

#include <stddef.h>

#include "base/buf.h"

/*
 * mime_header_field: find field `name` (case-insensitive) in a block of
 * header lines and append its value, unfolded (CRLF/LF followed by blank
 * becomes that blank) and trimmed of leading and trailing blanks, to out.
 * Returns 1 when found, 0 when not, -1 when out's cap was hit.
 */
int mime_header_field(const char *hdr, size_t len, const char *name,
		      struct buf *out);

/*
 * mime_decode_words: decode RFC 2047 encoded words (=?charset?Q?..?= and
 * =?charset?B?..?=, any charset iconv knows) in an unstructured header
 * value and append the result as UTF-8 to out.  Blanks between two
 * adjacent encoded words are dropped, as the RFC says.  A word that does
 * not decode (bad base64, unknown charset, invalid bytes) is kept as it
 * was written.  Control characters (NUL, CR, LF, ...) become spaces, so the
 * result is always a clean single line.  Returns 0, or -1 when out's cap
 * was hit.
 */
int mime_decode_words(const char *s, size_t len, struct buf *out);

/* mime_base64_encode: append the base64 of p[0..n) to out. */
int mime_base64_encode(const void *p, size_t n, struct buf *out);
/* mime_base64_decode: decode s[0..len) (blanks ignored) and append to
 * out; -1 on a character outside the alphabet or bad padding. */
int mime_base64_decode(const char *s, size_t len, struct buf *out);

#endif

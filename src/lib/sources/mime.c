/*
 * mime.c - header unfolding, RFC 2047 encoded words, base64.
 */
#include "sources/mime.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>

static int is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int mime_header_field(const char *hdr, size_t len, const char *name,
		      struct buf *out)
{
	size_t nlen = strlen(name), i = 0;

	while (i < len) {
		size_t eol = i, j;
		while (eol < len && hdr[eol] != '\n')
			eol++;
		if (!is_blank(hdr[i]) && eol - i > nlen &&
		    !strncasecmp(hdr + i, name, nlen)) {
			/* "Name:" possibly with blanks before the colon. */
			j = i + nlen;
			while (j < eol && is_blank(hdr[j]))
				j++;
			if (j < eol && hdr[j] == ':') {
				size_t start = out->len;
				/* Storage for the NUL even when empty. */
				if (buf_addch(out, 'x') < 0)
					return -1;
				out->len = start;
				j++;
				/* Copy up to the first line that does not
				 * start with a blank: that ends the field. */
				for (;;) {
					for (; j < eol; j++)
						if (hdr[j] != '\r' &&
						    buf_addch(out, hdr[j]) < 0)
							return -1;
					if (eol + 1 >= len ||
					    !is_blank(hdr[eol + 1]))
						break;
					j = eol + 1;
					eol = j;
					while (eol < len && hdr[eol] != '\n')
						eol++;
				}
				/* Trim both ends of what was appended. */
				while (out->len > start &&
				       is_blank(out->s[out->len - 1]))
					out->len--;
				j = start;
				while (j < out->len && is_blank(out->s[j]))
					j++;
				memmove(out->s + start, out->s + j,
					out->len - j);
				out->len -= j - start;
				out->s[out->len] = '\0';
				return 1;
			}
		}
		i = eol + 1;
	}
	return 0;
}

static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int mime_base64_encode(const void *p, size_t n, struct buf *out)
{
	const unsigned char *s = p;
	size_t i;
	char q[4];

	for (i = 0; i < n; i += 3) {
		unsigned v = (unsigned)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		q[0] = b64[(v >> 18) & 63];
		q[1] = b64[(v >> 12) & 63];
		q[2] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? b64[v & 63] : '=';
		if (buf_add(out, q, 4) < 0)
			return -1;
	}
	return 0;
}

int mime_base64_decode(const char *s, size_t len, struct buf *out)
{
	unsigned v = 0;
	int bits = 0, pad = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		const char *c;
		if (is_blank(s[i]) || s[i] == '\r' || s[i] == '\n')
			continue;
		if (s[i] == '=') {
			pad++;
			continue;
		}
		c = s[i] ? strchr(b64, s[i]) : NULL;
		if (!c || pad)
			return -1;
		v = (v << 6) | (unsigned)(c - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (buf_addch(out, (char)((v >> bits) & 0xff)) < 0)
				return -1;
		}
	}
	/* Leftover bits must be padding zeros, and at most two '='. */
	if (pad > 2 || bits >= 6)
		return -1;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Convert raw bytes in charset to UTF-8, appended to out; -1 if iconv does
 * not know the charset or the bytes are not valid in it. */
static int to_utf8(const char *cs, const char *p, size_t n, struct buf *out)
{
	char obuf[256];
	iconv_t cd;
	char *in = (char *)p;
	size_t inleft = n;
	int ret = -1;

	cd = iconv_open("UTF-8", cs);
	if (cd == (iconv_t)-1)
		return -1;
	while (inleft > 0) {
		char *o = obuf;
		size_t oleft = sizeof(obuf);
		size_t r = iconv(cd, &in, &inleft, &o, &oleft);
		if (buf_add(out, obuf, sizeof(obuf) - oleft) < 0)
			goto out;
		if (r == (size_t)-1 && errno != E2BIG)
			goto out;
	}
	ret = 0;
out:
	iconv_close(cd);
	return ret;
}

/*
 * Try to decode one encoded word at s (which starts with "=?"); on success
 * append it and return its length, else return 0.
 */
static size_t decode_word(const char *s, size_t len, struct buf *out)
{
	struct buf raw = BUF_INIT;
	char cs[64];
	size_t i = 2, cs_end, text, end, ret = 0, mark = out->len;
	char enc;

	while (i < len && s[i] != '?' && !is_blank(s[i]))
		i++;
	if (i >= len || s[i] != '?' || i == 2 || i - 2 >= sizeof(cs))
		return 0;
	cs_end = i;
	if (i + 2 >= len || s[i + 2] != '?')
		return 0;
	enc = s[i + 1];
	text = i + 3;
	for (end = text; end + 1 < len; end++) {
		if (s[end] == '?' && s[end + 1] == '=')
			break;
		if (is_blank(s[end]) || s[end] == '\r' || s[end] == '\n')
			return 0;
	}
	if (end + 1 >= len)
		return 0;
	memcpy(cs, s + 2, cs_end - 2);
	cs[cs_end - 2] = '\0';
	/* RFC 2231 language suffix: charset*lang. */
	if (strchr(cs, '*'))
		*strchr(cs, '*') = '\0';
	buf_init(&raw, 4096);
	if (enc == 'B' || enc == 'b') {
		if (mime_base64_decode(s + text, end - text, &raw) < 0)
			goto out;
	} else if (enc == 'Q' || enc == 'q') {
		for (i = text; i < end; i++) {
			char c = s[i];
			if (c == '_') {
				c = ' ';
			} else if (c == '=') {
				int h, l;
				if (i + 2 >= end ||
				    (h = hexval(s[i + 1])) < 0 ||
				    (l = hexval(s[i + 2])) < 0)
					goto out;
				c = (char)(h * 16 + l);
				i += 2;
			}
			if (buf_addch(&raw, c) < 0)
				goto out;
		}
	} else {
		goto out;
	}
	if (to_utf8(cs, raw.s ? raw.s : "", raw.len, out) < 0) {
		buf_truncate(out, mark);
		goto out;
	}
	ret = end + 2;
out:
	buf_release(&raw);
	return ret;
}

int mime_decode_words(const char *s, size_t len, struct buf *out)
{
	size_t i = 0, start = out->len, k;
	int after_word = 0;

	while (i < len) {
		if (s[i] == '=' && i + 1 < len && s[i + 1] == '?') {
			size_t n = decode_word(s + i, len - i, out);
			if (n) {
				i += n;
				after_word = 1;
				continue;
			}
		}
		if (after_word && (is_blank(s[i]) || s[i] == '\r' ||
				   s[i] == '\n')) {
			/* Blanks between two encoded words vanish. */
			size_t j = i;
			while (j < len && (is_blank(s[j]) || s[j] == '\r' ||
					   s[j] == '\n'))
				j++;
			if (j + 1 < len && s[j] == '=' && s[j + 1] == '?') {
				struct buf probe = BUF_INIT;
				size_t n = decode_word(s + j, len - j, &probe);
				buf_release(&probe);
				if (n) {
					i = j;
					continue;
				}
			}
		}
		after_word = 0;
		if (buf_addch(out, s[i]) < 0)
			return -1;
		i++;
	}
	/* One clean line: control characters (also ones that came out of
	 * an encoded word) become spaces. */
	for (k = start; k < out->len; k++)
		if (iscntrl((unsigned char)out->s[k]))
			out->s[k] = ' ';
	return 0;
}

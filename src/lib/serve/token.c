#include "serve/token.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/buf.h"
#include "base/xalloc.h"

#define TOKEN_FILE_MAX 4096
#define TOKEN_MIN 8

int token_read(const char *path, char **out, struct hearth_err *err)
{
	struct buf b;
	FILE *f;
	char chunk[512];
	size_t n, start = 0, end;
	int ret = -1;

	*out = NULL;
	buf_init(&b, TOKEN_FILE_MAX);
	f = fopen(path, "r");
	if (!f)
		return err_set(err, "token file %s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_add(&b, chunk, n) < 0) {
			err_set(err, "token file %s: larger than %d bytes", path,
				TOKEN_FILE_MAX);
			goto out;
		}
	if (ferror(f)) {
		err_set(err, "token file %s: read error", path);
		goto out;
	}
	/* The first line, trimmed: editors add a newline, people add
	 * comments below it. */
	end = b.len;
	if (b.s) {
		char *nl = memchr(b.s, '\n', b.len);
		if (nl)
			end = (size_t)(nl - b.s);
		while (start < end && isspace((unsigned char)b.s[start]))
			start++;
		while (end > start && isspace((unsigned char)b.s[end - 1]))
			end--;
	}
	if (end - start < TOKEN_MIN) {
		err_set(err, "token file %s: %s (want at least %d characters "
			"on the first line)", path,
			end == start ? "empty" : "token too short", TOKEN_MIN);
		goto out;
	}
	*out = xstrndup(b.s + start, end - start);
	ret = 0;
out:
	fclose(f);
	buf_release(&b);
	return ret;
}

int token_equal(const char *want, const char *given, size_t n)
{
	size_t wl = strlen(want), i;
	unsigned diff;
	volatile unsigned char acc = 0;

	/* Walk the given bytes only: their count is the client's own
	 * knowledge.  An empty want is never a match. */
	diff = (unsigned)(wl != n) | (unsigned)(wl == 0);
	for (i = 0; i < n; i++)
		acc |= (unsigned char)(given[i] ^ (wl ? want[i % wl] : 0));
	return (diff | acc) == 0;
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

/* Decode base64 into out; returns the length or -1. */
static long b64_decode(const char *s, char *out, size_t outsz)
{
	unsigned acc = 0;
	int bits = 0, v;
	size_t n = 0;

	for (; *s && *s != '='; s++) {
		v = b64val((unsigned char)*s);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n + 1 >= outsz)
				return -1;
			out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[n] = '\0';
	return (long)n;
}

static long copy_token(const char *s, char *out, size_t outsz)
{
	size_t n;

	while (*s == ' ')
		s++;
	n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0 || n >= outsz)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return (long)n;
}

long token_from_authorization(const char *header, char *out, size_t outsz)
{
	char dec[1024];
	const char *colon;
	long n;

	while (*header == ' ')
		header++;
	if (!strncasecmp(header, "Bearer ", 7))
		return copy_token(header + 7, out, outsz);
	if (!strncasecmp(header, "Token ", 6))
		return copy_token(header + 6, out, outsz);
	if (strncasecmp(header, "Basic ", 6))
		return -1;
	header += 6;
	while (*header == ' ')
		header++;
	n = b64_decode(header, dec, sizeof(dec));
	if (n < 0)
		return -1;
	colon = memchr(dec, ':', (size_t)n);
	if (!colon)
		return -1;
	/* user:password; the user name is whatever the client was
	 * configured with, the password is the token. */
	return copy_token(colon + 1, out, outsz);
}

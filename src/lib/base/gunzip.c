#include "base/gunzip.h"

#include <stdint.h>
#include <zlib.h>

#define CHUNK 65536
#define FEED (1u << 30) /* zlib counts input in 32 bits */

enum gunzip_result gunzip(const void *in, size_t n, size_t max,
			  struct buf *out, struct hearth_err *err)
{
	z_stream z = { 0 };
	unsigned char chunk[CHUNK];
	const unsigned char *p = in;
	size_t got = 0, have;
	enum gunzip_result ret = GUNZIP_BAD;
	int rc;

	/* 16 + MAX_WBITS: the gzip wrapper, its header and CRC checked */
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
		err_set(err, "cannot start zlib");
		return GUNZIP_BAD;
	}
	for (;;) {
		if (!z.avail_in && n) {
			z.next_in = (unsigned char *)(uintptr_t)p;
			z.avail_in = n > FEED ? FEED : (uInt)n;
			p += z.avail_in;
			n -= z.avail_in;
		}
		z.next_out = chunk;
		z.avail_out = CHUNK;
		rc = inflate(&z, Z_NO_FLUSH);
		/* With room to write, no progress means no more input. */
		if (rc == Z_BUF_ERROR) {
			err_set(err, "not valid gzip data (it ends too early)");
			goto out;
		}
		if (rc != Z_OK && rc != Z_STREAM_END) {
			err_set(err, "not valid gzip data (%s)",
				z.msg ? z.msg : "zlib error");
			goto out;
		}
		have = CHUNK - z.avail_out;
		got += have;
		if (got > max || buf_add(out, chunk, have) < 0) {
			ret = GUNZIP_TOO_LARGE;
			goto out;
		}
		if (rc == Z_STREAM_END) {
			if (!z.avail_in && !n)
				break;
			/* another member follows, as gzip(1) reads them */
			if (inflateReset(&z) != Z_OK) {
				err_set(err, "cannot restart zlib");
				goto out;
			}
		}
	}
	ret = GUNZIP_OK;
out:
	inflateEnd(&z);
	return ret;
}

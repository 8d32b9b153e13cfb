#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "base/gunzip.h"
#include "t.h"

/* gzip data into out (a gzip member, as gzip(1) writes it). */
static void gz(const char *in, size_t n, struct buf *out)
{
	z_stream z = { 0 };
	unsigned char chunk[4096];

	CHECK(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
			   Z_DEFAULT_STRATEGY) == Z_OK);
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = (uInt)n;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		deflate(&z, Z_FINISH);
		buf_add(out, chunk, sizeof(chunk) - z.avail_out);
	} while (z.avail_out == 0);
	deflateEnd(&z);
}

/* More than one output chunk, the cap met exactly and missed by one. */
static void test_round_trip_and_cap(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct buf plain = BUF_INIT, z = BUF_INIT, out = BUF_INIT;
	size_t i;

	for (i = 0; i < 30000; i++)
		buf_addf(&plain, "readings r_watts=%zui %zu\n", i % 977, i);
	gz(plain.s, plain.len, &z);
	CHECK_INT(gunzip(z.s, z.len, plain.len, &out, &err), GUNZIP_OK);
	CHECK(out.len == plain.len && !memcmp(out.s, plain.s, plain.len));
	buf_reset(&out);
	CHECK_INT(gunzip(z.s, z.len, plain.len - 1, &out, &err),
		  GUNZIP_TOO_LARGE);
	buf_release(&plain);
	buf_release(&z);
	buf_release(&out);
}

/* Two members read as one stream; an empty body, a truncated one and
 * plain text are refused. */
static void test_members_and_bad_input(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct buf z = BUF_INIT, out = BUF_INIT;

	gz("first\n", 6, &z);
	gz("second\n", 7, &z);
	CHECK_INT(gunzip(z.s, z.len, 1000, &out, &err), GUNZIP_OK);
	CHECK_STR(buf_cstr(&out), "first\nsecond\n");
	buf_reset(&out);
	CHECK_INT(gunzip("", 0, 1000, &out, &err), GUNZIP_BAD);
	CHECK(strstr(err.msg, "ends too early") != NULL);
	CHECK_INT(gunzip(z.s, z.len - 3, 1000, &out, &err), GUNZIP_BAD);
	CHECK_INT(gunzip("readings r_watts=1i\n", 20, 1000, &out, &err),
		  GUNZIP_BAD);
	CHECK(strstr(err.msg, "not valid gzip data") != NULL);
	buf_release(&z);
	buf_release(&out);
}

T_MAIN("gunzip", T(test_round_trip_and_cap), T(test_members_and_bad_input))

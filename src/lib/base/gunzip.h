/*
 * gunzip.h - decompressing a gzip request body (Content-Encoding: gzip,
 * what Telegraf and InfluxDB clients send by default), with a cap on what
 * it may grow to: a few kilobytes of gzip can inflate to gigabytes.
 */
#ifndef HEARTH_GUNZIP_H
#define HEARTH_GUNZIP_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

enum gunzip_result {
	GUNZIP_OK = 0,
	GUNZIP_BAD = -1,      /* not gzip, truncated, or bad checksum */
	GUNZIP_TOO_LARGE = -2 /* would be more than max bytes */
};

/*
 * gunzip: append the decompressed in[0..n) to out (at most max bytes;
 * out's own cap applies too).  Concatenated gzip members are read as one
 * stream, as gzip(1) does.  On GUNZIP_BAD err says why; out then holds
 * whatever was decoded and should be dropped.
 */
enum gunzip_result gunzip(const void *in, size_t n, size_t max,
			  struct buf *out, struct hearth_err *err);

#endif

/* libFuzzer harness: what a hostile IMAP server or a strange e-mail can
 * hand hearth - IMAP responses (scanned token by token, values skipped),
 * header fields, RFC 2047 words, base64, motion-alert subjects against
 * the default pattern, subject patterns themselves, mailbox names to
 * encode, and gzip bodies.  The first byte picks which. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "fuzz.h"
#include "base/gunzip.h"
#include "sources/imapc.h"
#include "sources/mime.h"
#include "sources/subject.h"
#include "base/tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct subject_pattern *pattern;
static struct tz *zone;

static void walk(struct imapc_scan *sc, int depth)
{
	enum imapc_tok t;
	const char *v;
	size_t n;

	while ((t = imapc_next(sc, &v, &n)) != IMAPC_END && t != IMAPC_BAD) {
		if (t == IMAPC_LPAREN && depth < 64)
			walk(sc, depth + 1);
		else if (t == IMAPC_RPAREN)
			return;
	}
}

static void scan(const char *p, size_t n)
{
	struct imapc_scan sc;
	const char *v;
	size_t vn;
	int i;

	imapc_scan_init(&sc, p, n);
	walk(&sc, 0);
	imapc_scan_release(&sc);
	imapc_scan_init(&sc, p, n);
	for (i = 0; i < 32; i++)
		if (imapc_skip_value(&sc, imapc_next(&sc, &v, &vn)) < 0)
			break;
	imapc_scan_release(&sc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct buf out = BUF_INIT;
	struct subject_pattern *p = NULL;
	int64_t t;
	unsigned pick;
	char *s;

	if (!pattern && (subject_compile(&pattern, SUBJECT_DEFAULT, &err) < 0 ||
			 tz_load(&zone, "Europe/London", &err) < 0))
		abort();
	if (!(s = fuzz_split(data, size, &pick, &size)))
		return 0;
	buf_init(&out, 1 << 20);
	switch (pick % 8) {
	case 0:
		scan(s, size);
		break;
	case 1:
		mime_header_field(s, size, "Subject", &out);
		break;
	case 2:
		mime_decode_words(s, size, &out);
		break;
	case 3:
		mime_base64_decode(s, size, &out);
		break;
	case 4:
		subject_match(pattern, s, size, zone, &out, &t, &err);
		break;
	case 5:
		if (subject_compile(&p, s, &err) == 0) {
			subject_match(p, "'hall' sensed motion: November 23, "
				      "2014 at 10:15PM", 47, zone, &out, &t,
				      &err);
			subject_pattern_free(p);
		}
		break;
	case 6:
		imapc_mailbox(&out, s);
		imapc_quote(&out, s);
		break;
	case 7:
		gunzip(s, size, 1 << 20, &out, &err);
		break;
	}
	buf_release(&out);
	free(s);
	return 0;
}

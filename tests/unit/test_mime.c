/* Unit tests for mime.c: header fields, encoded words, base64. */
#include "sources/mime.h"
#include "t.h"

static char *field(const char *hdr, const char *name)
{
	static char out[4096];
	struct buf b = BUF_INIT;
	int rc = mime_header_field(hdr, strlen(hdr), name, &b);

	snprintf(out, sizeof(out), "%d:%s", rc, buf_cstr(&b));
	buf_release(&b);
	return out;
}

static char *decode(const char *s)
{
	static char out[4096];
	struct buf b = BUF_INIT;

	mime_decode_words(s, strlen(s), &b);
	snprintf(out, sizeof(out), "%s", buf_cstr(&b));
	buf_release(&b);
	return out;
}

static void test_header_field(void)
{
	const char *h = "Subject: 'Hall' sensed\r\n motion\r\n"
			"Message-ID:  <a@b> \r\nsubject-x: no\r\n\r\n";

	CHECK_STR(field(h, "Subject"), "1:'Hall' sensed motion");
	CHECK_STR(field(h, "message-id"), "1:<a@b>");
	CHECK_STR(field(h, "From"), "0:");
	/* Folded with a tab, LF-only line ends, blank before the colon. */
	CHECK_STR(field("Subject : a\n\tb\nX: y\n", "subject"), "1:a\tb");
	/* A continuation line alone is not a field. */
	CHECK_STR(field(" Subject: x\r\n", "Subject"), "0:");
	CHECK_STR(field("Subject:", "Subject"), "1:");
}

static void test_encoded_words(void)
{
	CHECK_STR(decode("=?UTF-8?Q?K=C3=BCche_sensed?="), "Küche sensed");
	CHECK_STR(decode("=?utf-8?b?S8O8Y2hl?= x"), "Küche x");
	CHECK_STR(decode("=?ISO-8859-1?Q?Gar=E7on?="), "Garçon");
	/* Blanks between encoded words vanish, others stay. */
	CHECK_STR(decode("=?UTF-8?Q?a?= =?UTF-8?Q?b?= c"), "ab c");
	CHECK_STR(decode("=?UTF-8?Q?a?=\r\n =?UTF-8?Q?b?="), "ab");
	CHECK_STR(decode("x =?UTF-8?Q?a?="), "x a");
	/* RFC 2231 language suffix. */
	CHECK_STR(decode("=?UTF-8*en?Q?hi?="), "hi");
	/* Not decodable: kept as written. */
	CHECK_STR(decode("=?UTF-8?Q?a b?="), "=?UTF-8?Q?a b?=");
	CHECK_STR(decode("=?NO-SUCH-CHARSET?Q?a?="), "=?NO-SUCH-CHARSET?Q?a?=");
	CHECK_STR(decode("=?UTF-8?B?!!!?="), "=?UTF-8?B?!!!?=");
	CHECK_STR(decode("=?UTF-8?X?a?="), "=?UTF-8?X?a?=");
	CHECK_STR(decode("=?UTF-8?Q?=ZZ?="), "=?UTF-8?Q?=ZZ?=");
	CHECK_STR(decode("=?UTF-8?Q?abc"), "=?UTF-8?Q?abc");
	CHECK_STR(decode("=?"), "=?");
	CHECK_STR(decode("=?UTF-8?Q?=E2=82?="), "=?UTF-8?Q?=E2=82?=");
}

static void test_hostile_control_bytes(void)
{
	struct buf b = BUF_INIT;
	const char raw[] = "a\0b\r\nc";

	/* NUL, CR, LF in the raw value or out of an encoded word. */
	mime_decode_words(raw, sizeof(raw) - 1, &b);
	CHECK_INT(b.len, 6);
	CHECK_STR(b.s, "a b  c");
	buf_reset(&b);
	mime_decode_words("=?UTF-8?Q?x=00=0Ay?=", 20, &b);
	CHECK_STR(b.s, "x  y");
	buf_release(&b);
	/* A cap is honoured. */
	buf_init(&b, 4);
	CHECK_INT(mime_decode_words("abcdefgh", 8, &b), -1);
	buf_release(&b);
}

static void test_base64(void)
{
	struct buf b = BUF_INIT;

	mime_base64_encode("\0u\0p", 4, &b);
	CHECK_STR(b.s, "AHUAcA==");
	buf_reset(&b);
	mime_base64_encode("abc", 3, &b);
	CHECK_STR(b.s, "YWJj");
	buf_reset(&b);
	CHECK_INT(mime_base64_decode("YWJj ZA==", 9, &b), 0);
	CHECK_STR(b.s, "abcd");
	buf_reset(&b);
	CHECK_INT(mime_base64_decode("YW=J", 4, &b), -1);
	buf_reset(&b);
	CHECK_INT(mime_base64_decode("Y", 1, &b), -1);
	buf_release(&b);
}

T_MAIN("mime", T(test_header_field), T(test_encoded_words),
       T(test_hostile_control_bytes), T(test_base64))

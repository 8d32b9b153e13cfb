/* libFuzzer harness: time parsing (command line and data forms) and the
 * format/parse round trip. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	char s[128], out[64];
	int64_t t, back;

	if (size >= sizeof(s))
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (timefmt_parse(s, 0, TIMEFMT_UTC, &t, &err) == 0 &&
	    t > -INT64_C(60000000000) * US_PER_SEC &&
	    t < INT64_C(250000000000) * US_PER_SEC) {
		size_t n = timefmt_format(t, TIMEFMT_ISO_Z, out, sizeof(out));
		if (out[0] != '-' &&
		    (timefmt_parse_value(out, n, TIMEFMT_UTC, &back) != 0 || back != t))
			abort();
	}
	(void)timefmt_parse_value((const char *)data, size, TIMEFMT_UTC, &t);
	return 0;
}

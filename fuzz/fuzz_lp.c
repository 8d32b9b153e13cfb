/* libFuzzer harness: the line-protocol parser on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "ingest/lp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	static struct ingest_src src;
	struct lp_parser p;
	struct lp_point pt;

	ingest_src_mem(&src, (const char *)data, size);
	lp_init(&p, &src, LP_NS);
	while (lp_next(&p, &pt, &err) == 1)
		;
	lp_release(&p);
	return 0;
}

/* libFuzzer harness: the CSV parser on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "ingest/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	static struct ingest_src src;
	struct csv_parser p;
	struct csv_record r;

	ingest_src_mem(&src, (const char *)data, size);
	csv_init(&p, &src, ',');
	while (csv_next(&p, &r, &err) == 1)
		;
	csv_release(&p);
	return 0;
}

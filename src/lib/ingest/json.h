/*
 * json.h - rows (parser.h) from a JSON body: one object, or an array of
 * objects, whose keys are column names.
 *
 * Values: numbers, strings, true/false (as 1/0) and null; a nested object
 * or array is an error naming the element and the key.  The array is
 * read an element at a time, so memory stays that of one element however
 * long the array; jansson parses each element.  Errors name the element
 * ("element 3: ...", counted from 0), or the line and column where the
 * text is not JSON.
 */
#ifndef HEARTH_INGEST_JSON_H
#define HEARTH_INGEST_JSON_H

#include "ingest/parser.h"

/* json_rows: a parser of src, which must be a memory block
 * (ingest_src_mem). */
struct ingest_parser *json_rows(struct ingest_src *src);

#endif

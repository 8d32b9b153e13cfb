/*
 * xmldoc.h - the small XML documents devices send (UPnP descriptions,
 * SOAP answers, GENA property sets), read into a flat list of elements.
 *
 * Why not libxml2: these documents are a few kilobytes of elements and
 * text; what matters is refusing what is not well formed, with the line,
 * and never expanding entities from a network peer.  So a document with
 * a DOCTYPE is refused, only the five predefined entities and character
 * references are read, and the document, its depth and its element count
 * are capped.
 *
 * Elements are known by their local name (the part after a prefix's
 * colon), which is how UPnP documents are read in practice: devices
 * spell their namespaces in several ways.
 *
 *   struct xmldoc d = XMLDOC_INIT;
 *   if (xmldoc_parse(&d, text, len, err) == 0) {
 *           int dev = xmldoc_find(&d, 0, "device");
 *           const char *name = xmldoc_child_text(&d, dev, "friendlyName");
 *   }
 *   xmldoc_release(&d);
 */
#ifndef HEARTH_XMLDOC_H
#define HEARTH_XMLDOC_H

#include <stddef.h>

#include "base/err.h"

#define XMLDOC_MAX_BYTES (256 * 1024)
#define XMLDOC_MAX_DEPTH 32
#define XMLDOC_MAX_NODES 4096

struct xmldoc_node {
	char *name;     /* local name, owned */
	char *text;     /* the element's own text, entities read, trimmed;
			   "" when none; owned */
	int parent;     /* index, -1 for the root */
	int depth;      /* 0 for the root */
};

/* Nodes are in document order: an element's descendants follow it. */
struct xmldoc {
	struct xmldoc_node *nodes;
	size_t n, alloc;
};

#define XMLDOC_INIT { NULL, 0, 0 }

/* xmldoc_parse: read the document s[0..len) into d (empty).  On error d
 * is empty and err names the line and what is wrong. */
int xmldoc_parse(struct xmldoc *d, const char *s, size_t len,
		 struct hearth_err *err);
void xmldoc_release(struct xmldoc *d);

/* xmldoc_find: the first element named `name` below (not at) node `in`,
 * at any depth (-1: the whole document, the root too); -1 when none. */
int xmldoc_find(const struct xmldoc *d, int in, const char *name);

/* xmldoc_next: the next element named `name` below `in` after element
 * `after` (for walking a list); -1 when none. */
int xmldoc_next(const struct xmldoc *d, int in, int after, const char *name);

/* xmldoc_child_text: the text of the first child of `in` named `name`,
 * NULL when it has none.  The string is d's. */
const char *xmldoc_child_text(const struct xmldoc *d, int in,
			      const char *name);

#endif

/*
 * ssdp.h - SSDP search: who on the local network offers a service type.
 *
 * An M-SEARCH goes to the multicast group 239.255.255.250 port 1900;
 * each device that offers the type answers by unicast with the URL of
 * its description (LOCATION).  The search is sent again each second
 * while it waits (UDP may drop it).  It is sent from the interface the
 * routing table picks for the group, with a TTL of 2, as UPnP asks.
 */
#ifndef HEARTH_SSDP_H
#define HEARTH_SSDP_H

#include <stddef.h>

#include "base/err.h"
#include "sources/httpc.h"

#define SSDP_GROUP "239.255.255.250"
#define SSDP_PORT 1900
#define SSDP_MAX_ANSWERS 256

struct ssdp_answer {
	char *location;             /* http://192.168.1.20:49153/setup.xml */
	char *usn;                  /* "" when absent */
	char from[HTTPC_ADDR_MAX];  /* the answer's source address */
};

/*
 * ssdp_search: search for st for wait_ms milliseconds, sending to `to`
 * ("ADDR" or "ADDR:PORT", an IPv4 address; NULL: the SSDP group, which
 * is what finds devices; an address is for tests and for asking one
 * device); *out gets the
 * answers (one per LOCATION, in the order they came; free with
 * ssdp_answers_free), *n how many.  Answers that are not HTTP, lack a
 * LOCATION or name another type are dropped.  -1 when the search cannot
 * be sent (no route for multicast, say).
 */
int ssdp_search(const char *st, const char *to, int wait_ms,
		struct ssdp_answer **out, size_t *n, struct hearth_err *err);
void ssdp_answers_free(struct ssdp_answer *a, size_t n);

#endif

/*
 * gena.h - UPnP eventing (GENA): subscribing to a device's service, and
 * reading the property sets its NOTIFY requests carry.
 *
 * A subscription is a SID the device hands out for a TIMEOUT; it is
 * renewed by a SUBSCRIBE with that SID before it runs out.  A device that
 * restarted knows no SID: it answers a renewal 412 (Precondition
 * Failed), and the caller subscribes anew.
 */
#ifndef HEARTH_GENA_H
#define HEARTH_GENA_H

#include <stddef.h>

#include "base/err.h"
#include "sources/httpc.h"

#define GENA_SID_MAX 128

/* Where the service is: the device's address and the eventSubURL path. */
struct gena_target {
	const char *host;
	unsigned port;
	const char *path;
	int timeout_ms;
};

struct gena_sub {
	char sid[GENA_SID_MAX];
	int timeout_s;   /* granted, from the TIMEOUT header */
	int status;      /* the HTTP status of the last answer */
};

/*
 * gena_subscribe: a new subscription sending NOTIFYs to callback
 * ("http://ADDR:PORT/PATH": an address of ours the device can reach),
 * for want_s seconds (the device may grant another time).  0 with sub
 * filled; -1 when the device cannot be reached or does not answer 200
 * with a SID (sub->status says which status it gave, 0 for none).
 */
int gena_subscribe(const struct gena_target *t, const char *callback,
		   int want_s, struct gena_sub *sub, struct hearth_err *err);

/* gena_renew: renew sub (its SID) for want_s seconds.  On 412 -1 with
 * sub->status 412: the device forgot the SID, subscribe again. */
int gena_renew(const struct gena_target *t, int want_s, struct gena_sub *sub,
	       struct hearth_err *err);

/* gena_unsubscribe: end sub at the device (best effort at shutdown). */
int gena_unsubscribe(const struct gena_target *t, const struct gena_sub *sub,
		     struct hearth_err *err);

/*
 * gena_propertyset: call fn once per property of a NOTIFY body
 * (<e:propertyset><e:property><NAME>VALUE</NAME></e:property>...), in
 * order.  A body that is not well formed or not a property set is an
 * error (err says where) and fn is not called at all.  fn returning -1
 * stops the walk and is returned.
 */
int gena_propertyset(const char *body, size_t len,
		     int (*fn)(void *ctx, const char *name, const char *value),
		     void *ctx, struct hearth_err *err);

#endif

/*
 * soap.h - one UPnP SOAP action on a device, and the one value of its
 * answer that the caller wants (GetBinaryState's BinaryState,
 * GetInsightParams' InsightParams).
 */
#ifndef HEARTH_SOAP_H
#define HEARTH_SOAP_H

#include "base/buf.h"
#include "base/err.h"

struct soap_call {
	const char *host;
	unsigned port;
	const char *path;         /* the service's controlURL path */
	const char *service_type; /* urn:Belkin:service:basicevent:1 */
	const char *action;       /* GetBinaryState */
	const char *out_arg;      /* BinaryState */
	int timeout_ms;
};

/*
 * soap_call: POST the action (no arguments) and put the text of out_arg
 * in the answer into out (appended).  A SOAP fault, another status than
 * 200, an answer that is not well formed or lacks out_arg are errors
 * naming the device and the action.
 */
int soap_call(const struct soap_call *c, struct buf *out,
	      struct hearth_err *err);

#endif

/*
 * wemo.h - WeMo motion sensors and Insight plugs on the home network,
 * heard over UPnP with no cloud: `hearth wemo discover|watch` and the
 * same watcher inside `hearth serve`.
 *
 * Per configured device the watcher reads setup.xml (probing the ports a
 * WeMo uses when none is given), subscribes to its basicevent service
 * (and an Insight's insight service) with a CALLBACK to a small listener
 * of its own, renews each SID before it runs out, and subscribes anew
 * after a 412 or a restart.  A NOTIFY is taken only from the device's
 * address with a SID the watcher holds.  Each rising edge of BinaryState
 * (0 -> 1) is one row (time, friendlyName) in [wemo] table; an Insight's
 * InsightParams are rows of watts in [wemo] power_table.  While no
 * subscription works the watcher polls SOAP GetBinaryState (and
 * GetInsightParams) instead; both ways go through the same edge, so an
 * edge is stored once.
 *
 * The modules: httpc.h (one HTTP exchange), xmldoc.h (small XML),
 * upnp_desc.h (setup.xml), gena.h (SUBSCRIBE, property sets),
 * gena_listener.h (where NOTIFYs arrive), soap.h (actions), ssdp.h
 * (M-SEARCH), wemo_value.h (BinaryState, InsightParams),
 * wemo_sink.h (rows and status out, through ingest/writeq.h),
 * wemo_device.h (one device's life), and this file's watcher and
 * discovery (wemo_watch.c, wemo_discover.c, wemo_settings.c).
 */
#ifndef HEARTH_WEMO_H
#define HEARTH_WEMO_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/config.h"
#include "base/err.h"
#include "ingest/writeq.h"
#include "store/store.h"

/* The ports a WeMo serves setup.xml on, most likely first. */
#define WEMO_PROBE_PORTS { 49153, 49152, 49154, 49151, 49155 }
#define WEMO_NPROBE 5

/* [wemo], checked. */
struct wemo_settings {
	char **devices;        /* as configured: "HOST" or "HOST:PORT" */
	size_t ndevices;
	char *table;           /* motion rows; default "motion" */
	char *sensor_column;   /* NULL: the table's first TEXT column */
	char *power_table;     /* NULL: Insight readings are not stored */
	char *power_column;    /* NULL: guessed (a column in watts) */
	char *listen;          /* the NOTIFY listener, "ADDR:PORT" */
	int subscription_s;    /* the TIMEOUT asked for */
	int64_t poll_us;       /* GetBinaryState interval while polling */
	int timeout_ms;        /* one exchange with a device */
};

/* wemo_settings_load: 0 loaded, 1 when [wemo] devices is unset (nothing
 * to watch; s is empty), -1 on a bad setting (err names the key). */
int wemo_settings_load(struct wemo_settings *s, const struct config *cfg,
		       struct hearth_err *err);
void wemo_settings_release(struct wemo_settings *s);

struct wemo_watch;

/*
 * wemo_watch_start: start watching the devices of [wemo] on threads of
 * its own, storing into the database db through q (hearth serve's write
 * queue), or through a write queue of its own when q is NULL.  The
 * tables and columns are checked now: a missing one is an error here.
 * Devices that cannot be reached are not: they are tried again and
 * their state is in kv (poll.wemo.DEVICE.state, .event, .error, .time).
 * Stop with wemo_watch_stop.
 */
int wemo_watch_start(struct wemo_watch **out, const struct config *cfg,
		     const struct store_where *db, struct writeq *q,
		     struct hearth_err *err);

/* wemo_watch_log: move the log lines gathered since the last call
 * (each ending '\n': new devices, subscriptions, refused NOTIFYs,
 * errors) to out.  Thread-safe. */
void wemo_watch_log(struct wemo_watch *w, struct buf *out);

struct wemo_watch_stats {
	uint64_t notifies;   /* NOTIFYs taken */
	uint64_t refused;    /* NOTIFYs refused (address, SID, body) */
	uint64_t rows;       /* rows stored */
	uint64_t pending;    /* rows waiting to be stored */
};

void wemo_watch_stats(struct wemo_watch *w, struct wemo_watch_stats *out);

/* wemo_watch_stop: unsubscribe (best effort), store what is pending,
 * write each device's state, end the threads, free w.  NULL is fine. */
void wemo_watch_stop(struct wemo_watch *w);

/* What discovery found: one device. */
struct wemo_found {
	char *name, *model, *serial, *udn;
	char *address;        /* HOST:PORT */
	char *error;          /* NULL, or why its setup.xml was not read */
};

/*
 * wemo_discover: SSDP M-SEARCH for urn:Belkin:service:basicevent:1 for
 * wait_ms, sent to `to` ("ADDR[:PORT]"; NULL: the SSDP multicast group),
 * then each answer's setup.xml (timeout_ms each), read from the address
 * the answer came from.  *out gets the devices, in the order they
 * answered (free with wemo_found_free); one whose setup.xml could not be
 * read has its error set.
 */
int wemo_discover(const char *to, int wait_ms, int timeout_ms, struct wemo_found **out,
		  size_t *n, struct hearth_err *err);
void wemo_found_free(struct wemo_found *f, size_t n);

/* The job of hearth serve (source.h): start is 1 when [wemo] devices
 * is unset. */
int wemo_job_start(void **out, struct config *cfg,
		   const struct store_where *db, struct writeq *q,
		   struct hearth_err *err);
void wemo_job_log(void *w, struct buf *out);
void wemo_job_stop(void *w);

#endif

/*
 * wemo_device.h - one WeMo's life as the watcher (wemo.h) sees it:
 * found (setup.xml, on its configured port or the first of the probed
 * ones that answers), subscribed (basicevent, and an Insight's insight
 * service when power rows are wanted), renewed, subscribed anew after a
 * 412, and polled over SOAP while no subscription works.
 *
 * Its steps run on a thread of the watcher's (wemo_device_step, which
 * blocks for at most a few exchanges with the device); NOTIFYs arrive on
 * the listener's thread (wemo_device_notify).  Both feed the same
 * state under the device's lock, so that a rising edge seen by both a
 * NOTIFY and a poll is stored once.  Only a device whose deviceType is a
 * sensor (urn:Belkin:device:sensor:1) stores motion rows; a plug's or a
 * switch's BinaryState is its state in kv only.
 */
#ifndef HEARTH_WEMO_DEVICE_H
#define HEARTH_WEMO_DEVICE_H

#include <stdint.h>

#include "sources/gena_listener.h"
#include "sources/wemo.h"
#include "sources/wemo_sink.h"

struct wemo_device;

/* Where NOTIFYs go: the listener's address ("" for all of ours: the one
 * facing each device is used) and port. */
struct wemo_callback {
	const char *addr;
	unsigned port;
};

/* wemo_device_new: the device configured as conf ("HOST[:PORT]"); set,
 * k and cb must outlive it.  stopping(ctx) says the watcher is stopping:
 * a step asks it between exchanges, so that a stop waits for one
 * exchange at most, not for a whole probe of unanswering ports.  Free
 * with wemo_device_free. */
struct wemo_device *wemo_device_new(const char *conf,
				    const struct wemo_settings *set,
				    struct wemo_sink *k,
				    const struct wemo_callback *cb,
				    int (*stopping)(void *ctx), void *ctx);
void wemo_device_free(struct wemo_device *d);

/* wemo_device_step: do what is due at now (find, subscribe, renew,
 * poll); returns when the next step is due (UTC microseconds). */
int64_t wemo_device_step(struct wemo_device *d, int64_t now);

/*
 * wemo_device_notify: a NOTIFY that came to the listener.  0 when its SID
 * is not one of d's (ask the next device); else the HTTP status to
 * answer: 200 taken, 412 when it came from another address than the
 * device's, 400 when its body is not a property set.  *why gets the
 * reason of a refusal (static text).
 */
int wemo_device_notify(struct wemo_device *d, const struct gena_notify *n,
		       const char **why);

/* wemo_device_subscribing: d is subscribing now and peer is its
 * address.  The first NOTIFY of a subscription may come before the
 * answer that holds its SID is read: it is answered 200 and dropped (the
 * poll after each subscription learns the state). */
int wemo_device_subscribing(struct wemo_device *d, const char *peer);

/* wemo_device_unsubscribe: end d's subscriptions (best effort). */
void wemo_device_unsubscribe(struct wemo_device *d);

/* wemo_device_name: the configured address ("HOST[:PORT]"). */
const char *wemo_device_name(const struct wemo_device *d);

#endif

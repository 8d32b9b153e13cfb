/*
 * mqtt_batch.h - the messages the MQTT listener has read and not yet
 * acknowledged, and the one transaction that stores them: each message's
 * row by its mapping (mqtt_map.h), or its reject (hearth_rejects), and
 * the rising mappings' states (hearth_mqtt_state), through the write
 * path every writer uses (a wtx, or serve's writing thread).
 *
 *   mqtt_batch_open(&b, set, s, &err);     tables, writers, states
 *   mqtt_batch_add(b, topic, payload, n, now);    from on_message
 *   mqtt_batch_commit(b, q, step, &res, &err);    then the PUBACKs
 *   mqtt_batch_free(b);
 *
 * No network here, and nothing said: the reject lines come back in the
 * result, for the caller to say once they are stored.
 */
#ifndef HEARTH_MQTT_BATCH_H
#define HEARTH_MQTT_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "ingest/writeq.h"
#include "sources/mqtt_map.h"
#include "store/store.h"

struct mqtt_batch;

/* mqtt_batch_open: make hearth_mqtt_state and hearth_rejects where
 * missing, check each mapping's table and columns and open its writer on
 * s, read the states.  Errors name the mapping ("[mqtt.NAME] table 'x'
 * does not exist").  Payloads over max_payload bytes are rejected.  maps
 * and s must outlive b. */
int mqtt_batch_open(struct mqtt_batch **out, const struct mqtt_map *maps,
		    size_t nmaps, size_t max_payload, struct store *s,
		    struct hearth_err *err);
/* mqtt_batch_free: forgets what is pending.  NULL is fine. */
void mqtt_batch_free(struct mqtt_batch *b);

/* mqtt_batch_add: hold a copy of a message that arrived at time at. */
void mqtt_batch_add(struct mqtt_batch *b, const char *topic,
		    const void *payload, size_t len, int64_t at);
/* mqtt_batch_pending: messages held. */
size_t mqtt_batch_pending(const struct mqtt_batch *b);
/* mqtt_batch_drop: forget the messages held (they were not
 * acknowledged: the broker sends them again). */
void mqtt_batch_drop(struct mqtt_batch *b);

struct mqtt_batch_result {
	size_t stored, rejected, skipped; /* messages, of those committed */
	struct buf lines;  /* a line per reject, each ending in '\n'; the
			      caller releases it */
};

/*
 * mqtt_batch_commit: store every message held in one transaction, through
 * q (serve's writing thread) or else a wtx on s; then hold none.  A row
 * the database refuses (a constraint) makes its message a reject and the
 * rest is tried again; a reject it refuses too is said and dropped.  Any
 * other failure stores nothing and keeps the messages (the caller drops
 * them with the connection).  step, when not NULL, is called with "read"
 * before each try and "committed" after.  res is filled on success.
 */
int mqtt_batch_commit(struct mqtt_batch *b, struct writeq *q,
		      void (*step)(const char *name),
		      struct mqtt_batch_result *res, struct hearth_err *err);

#endif

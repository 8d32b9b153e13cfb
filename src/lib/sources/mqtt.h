/*
 * mqtt.h - readings from an MQTT broker, none lost across restarts.
 *
 * hearth subscribes with QoS 1 under a stable client id with a
 * persistent session (clean session off), so the broker keeps what is
 * published while hearth is stopped, and acknowledges a message (PUBACK)
 * only after the transaction holding its row has committed.  A crash
 * before the commit leaves the message unacknowledged: the broker sends
 * it again.  A crash between the commit and the PUBACK makes the broker
 * send a stored message again: a table with a key keeps one row (the
 * writer updates it), a rising edge is not stored twice (the state is in
 * hearth_mqtt_state, committed with the row).
 *
 * How the PUBACK waits (libmosquitto 2.0): the client is marked threaded
 * (mosquitto_threaded_set) and hearth runs the loop's steps itself, so a
 * PUBACK the library makes while reading is only queued; hearth reads
 * what the socket holds (each message's row goes into a batch), commits
 * the batch, and only then calls mosquitto_loop_write, the one place the
 * queue is written.  When the commit fails the connection is shut
 * without writing, and a reconnect drops the queue: the broker sends the
 * messages again.
 *
 * A payload that does not fit its mapping (not JSON, a wrong type, too
 * large) is acknowledged and kept in hearth_rejects with the reason,
 * committed in the same transaction as the good rows around it; one line
 * names it (mqtt_opts.log and kv poll.mqtt.rejected).
 */
#ifndef HEARTH_MQTT_H
#define HEARTH_MQTT_H

#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "base/err.h"
#include "ingest/writeq.h"
#include "sources/mqtt_map.h"
#include "store/store.h"

/* Settings from [mqtt]; mqtt_settings_load fills them from cfg. */
struct mqtt_settings {
	char *url;             /* as configured, for messages */
	char *host;
	int port;
	int tls, tls_verify;
	char *ca_file;         /* NULL: the system's CAs */
	char *user;            /* NULL: anonymous */
	char *secret;          /* from password_file */
	char *client_id;       /* the session's name at the broker */
	int keepalive;         /* seconds */
	size_t max_payload;    /* bytes; larger payloads are rejected */
	int64_t backoff_max_us; /* reconnect waits double up to this */
	struct mqtt_map *maps;
	size_t nmaps;
};

/* mqtt_settings_load: read and check [mqtt] and the [mqtt.NAME] sections
 * its maps key names.  1 when [mqtt] url is not set (nothing to listen
 * to), 0 when loaded, -1 on a bad setting (named). */
int mqtt_settings_load(struct mqtt_settings *s, const struct config *cfg,
		       struct hearth_err *err);
void mqtt_settings_release(struct mqtt_settings *s);

/* Test hook: called at each step ("read" (rows batched, nothing
 * committed), "committed" (before the PUBACKs are written), "acked"). */
typedef void (*mqtt_step_fn)(const char *step);
/* A line for the log: a reject, a connection made or lost. */
typedef void (*mqtt_log_fn)(void *ctx, const char *line);

struct mqtt_opts {
	const struct mqtt_settings *set;
	const struct store_where *db; /* the listener opens its connection */
	struct writeq *q;      /* serve's writing thread; NULL: commit on the
				  listener's own connection */
	int stop_fd;           /* readable: stop (a pipe, a signalfd) */
	int once;              /* stop when the broker has sent what it held
				  (idle for a second after subscribing) */
	mqtt_step_fn step;
	mqtt_log_fn log;
	void *log_ctx;
};

struct mqtt_stats {
	uint64_t received, stored, rejected, skipped, commits, connects;
};

/*
 * mqtt_listen: connect, subscribe to every mapping's topic and store
 * what comes until stop_fd is readable (or, with once, the broker is
 * idle); reconnect with backoff (1 s doubling to backoff_max) whenever
 * the broker goes away or cannot be reached.  Status goes to kv
 * poll.mqtt.time, .result, .error (the connection's trouble, "" when
 * storing) and .rejected (the last bad message).  Returns -1 only when
 * it cannot start (the database, a mapping's table or columns) or, with
 * once, when the broker could not be reached or the work could not be
 * stored.
 */
int mqtt_listen(const struct mqtt_opts *o, struct mqtt_stats *stats,
		struct hearth_err *err);

/*
 * mqtt_listen in two steps, so that a caller that runs it on a thread
 * (serve) finds a bad mapping before it starts: open does all that can
 * fail at start (the database, each mapping's table and columns, the
 * client's settings) and connects to nothing; run is the rest.  o and
 * stats must outlive l.  Free with mqtt_listener_free (NULL is fine).
 */
struct mqtt_listener;
int mqtt_listener_open(struct mqtt_listener **out, const struct mqtt_opts *o,
		       struct mqtt_stats *stats, struct hearth_err *err);
int mqtt_listener_run(struct mqtt_listener *l, struct hearth_err *err);
void mqtt_listener_free(struct mqtt_listener *l);

/* The listener as `hearth serve` runs it, a service (source.h): start
 * returns 1 when [mqtt] url is unset, else runs mqtt_listen on a thread
 * of its own, writing through serve's writing thread q, until stop; log
 * moves what it had to say since the last call to out. */
int mqtt_job_start(void **out, struct config *cfg,
		   const struct store_where *db, struct writeq *q,
		   struct hearth_err *err);
void mqtt_job_log(void *handle, struct buf *out);
void mqtt_job_stop(void *handle);

#endif

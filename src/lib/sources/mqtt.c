/*
 * mqtt.c - the listener: a libmosquitto client whose loop hearth runs
 * itself, so that PUBACKs go out only after the commit (see mqtt.h).
 */
#include "sources/mqtt.h"

#include <errno.h>
#include <mosquitto.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "base/timefmt.h"
#include "base/xalloc.h"
#include "sources/mqtt_batch.h"
#include "store/kv.h"

/* Messages held uncommitted at most: past it, commit before reading on.
 * The broker sends no more than its in-flight limit (20 by default)
 * before PUBACKs anyway. */
#define PENDING_MAX 1000

struct lsn { /* struct mqtt_listener */
	const struct mqtt_opts *o;
	const struct mqtt_settings *set;
	struct mqtt_stats *stats;
	struct store *s;
	struct mqtt_batch *batch; /* NULL after the database failed */
	struct mosquitto *mosq;
	int connected;         /* CONNACK accepted, socket up */
	int subscribed;        /* SUBACK came */
	int conn_rc;           /* CONNACK refusal, 0 */
	int64_t last_msg, last_status;
	struct buf error;      /* the connection's trouble, "" when fine */
	struct buf rejected;   /* the last reject line */
	int status_dirty;
};

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

static void lib_init(void)
{
	mosquitto_lib_init();
}

static void say(struct lsn *l, const char *line)
{
	if (l->o->log)
		l->o->log(l->o->log_ctx, line);
}

static void step(struct lsn *l, const char *name)
{
	if (l->o->step)
		l->o->step(name);
}

/* kv poll.mqtt.*: now and then, and at once when something changed. */
static void status(struct lsn *l, int force)
{
	struct hearth_err ignore = HEARTH_ERR_INIT;
	struct kv_value v = KV_VALUE_INIT;
	struct buf res = BUF_INIT;
	int64_t now = timefmt_now();

	if (!force && !l->status_dirty)
		return;
	if (!force && now - l->last_status < US_PER_SEC)
		return;
	l->last_status = now;
	l->status_dirty = 0;
	buf_addf(&res, "%s %s, %llu stored, %llu rejected, %llu skipped "
		 "since start", l->connected ? "connected to" : "not connected "
		 "to", l->set->url, (unsigned long long)l->stats->stored,
		 (unsigned long long)l->stats->rejected,
		 (unsigned long long)l->stats->skipped);
	/* Best effort: a database that cannot take these cannot take the
	 * rows either, and that error is said elsewhere. */
	v.type = KV_TIMESTAMP;
	v.i = now;
	kv_set(l->s, "poll.mqtt.time", &v, &ignore);
	v.type = KV_TEXT;
	v.p = (unsigned char *)res.s;
	v.len = res.len;
	kv_set(l->s, "poll.mqtt.result", &v, &ignore);
	v.p = (unsigned char *)buf_cstr(&l->error);
	v.len = l->error.len;
	kv_set(l->s, "poll.mqtt.error", &v, &ignore);
	if (l->rejected.len) {
		v.p = (unsigned char *)l->rejected.s;
		v.len = l->rejected.len;
		kv_set(l->s, "poll.mqtt.rejected", &v, &ignore);
	}
	buf_release(&res);
}

/* The connection's trouble into kv, and said once when new (not when
 * quiet: the caller's error says it). */
static void set_error(struct lsn *l, const char *msg, int quiet)
{
	if (!strcmp(buf_cstr(&l->error), msg))
		return;
	buf_reset(&l->error);
	buf_addstr(&l->error, msg);
	err_one_line(l->error.s);
	if (*msg && !quiet) {
		struct buf line = BUF_INIT;
		buf_addf(&line, "mqtt: %s", msg);
		say(l, line.s);
		buf_release(&line);
	}
	l->status_dirty = 1;
	status(l, 1);
}













/* Commit what was read; say the rejects once it is stored. */
static int store_pending(struct lsn *l, struct hearth_err *err)
{
	struct mqtt_batch_result res;
	char *p, *nl;
	int rc;

	memset(&res, 0, sizeof(res));
	rc = mqtt_batch_commit(l->batch, l->o->q, l->o->step, &res, err);
	if (rc == 0) {
		for (p = res.lines.s; p && (nl = strchr(p, '\n')); p = nl + 1) {
			*nl = '\0';
			say(l, p);
			buf_reset(&l->rejected);
			buf_addstr(&l->rejected, p);
		}
		l->stats->stored += res.stored;
		l->stats->rejected += res.rejected;
		l->stats->skipped += res.skipped;
		l->stats->commits++;
		l->status_dirty = 1;
	}
	buf_release(&res.lines);
	return rc;
}

static void on_connect(struct mosquitto *mosq, void *obj, int rc)
{
	struct lsn *l = obj;
	char **subs;
	size_t i;

	if (rc) {
		l->conn_rc = rc;
		return;
	}
	l->connected = 1;
	l->stats->connects++;
	/* Every time: the session keeps them, but a mapping may be new. */
	subs = xcalloc(l->set->nmaps, sizeof(*subs));
	for (i = 0; i < l->set->nmaps; i++)
		subs[i] = l->set->maps[i].topic;
	mosquitto_subscribe_multiple(mosq, NULL, (int)l->set->nmaps, subs, 1,
				     0, NULL);
	free(subs);
}

static void on_subscribe(struct mosquitto *mosq, void *obj, int mid,
			 int n, const int *granted)
{
	struct lsn *l = obj;
	int i;

	for (i = 0; i < n; i++)
		if (granted[i] > 1) {
			struct buf b = BUF_INIT;
			buf_addf(&b, "the broker refused the subscription to "
				 "%s", (size_t)i < l->set->nmaps
				 ? l->set->maps[i].topic : "a topic");
			set_error(l, b.s, 0);
			buf_release(&b);
			return;
		}
	l->subscribed = 1;
	l->status_dirty = 1;
	set_error(l, "", 0);
	status(l, 1);
}

static void on_message(struct mosquitto *mosq, void *obj,
		       const struct mosquitto_message *mm)
{
	struct lsn *l = obj;

	l->stats->received++;
	l->last_msg = timefmt_now();
	/* A retained message is a device's last value from some time ago,
	 * sent again at every SUBSCRIBE: not a new reading. */
	if (mm->retain) {
		l->stats->skipped++;
		l->status_dirty = 1;
		return;
	}
	mqtt_batch_add(l->batch, mm->topic, mm->payload,
		       mm->payloadlen > 0 ? (size_t)mm->payloadlen : 0,
		       l->last_msg);
}

/* The socket holds more to read now (TLS may hold it in its buffer). */
static int more_to_read(struct lsn *l)
{
	struct pollfd p = { mosquitto_socket(l->mosq), POLLIN, 0 };
	SSL *ssl = mosquitto_ssl_get(l->mosq);

	if (ssl && SSL_pending(ssl) > 0)
		return 1;
	return p.fd >= 0 && poll(&p, 1, 0) == 1;
}

/* Leave without writing what is queued: the PUBACKs of messages that
 * were not stored must never reach the broker.  The next connect drops
 * the queue. */
static void drop_connection(struct lsn *l)
{
	int fd = mosquitto_socket(l->mosq);

	if (fd >= 0)
		shutdown(fd, SHUT_RDWR);
	mqtt_batch_drop(l->batch);
	l->connected = 0;
	l->subscribed = 0;
}

static int configure_client(struct lsn *l, struct hearth_err *err)
{
	const struct mqtt_settings *set = l->set;
	int rc;

	l->mosq = mosquitto_new(set->client_id, false, l);
	if (!l->mosq)
		return err_set(err, "mqtt: cannot make a client: %s",
			       strerror(errno));
	/* Threaded: a PUBACK made while reading is queued, not written
	 * (see mqtt.h). */
	mosquitto_threaded_set(l->mosq, true);
	mosquitto_int_option(l->mosq, MOSQ_OPT_PROTOCOL_VERSION,
			     MQTT_PROTOCOL_V311);
	mosquitto_connect_callback_set(l->mosq, on_connect);
	mosquitto_subscribe_callback_set(l->mosq, on_subscribe);
	mosquitto_message_callback_set(l->mosq, on_message);
	if (set->user &&
	    mosquitto_username_pw_set(l->mosq, set->user, set->secret) != 0)
		return err_set(err, "[mqtt] user: refused by the library");
	if (!set->tls)
		return 0;
	if (set->ca_file)
		rc = mosquitto_tls_set(l->mosq, set->ca_file, NULL, NULL, NULL,
				       NULL);
	else
		rc = mosquitto_int_option(l->mosq, MOSQ_OPT_TLS_USE_OS_CERTS,
					  1);
	if (rc == 0 && !set->tls_verify) {
		rc = mosquitto_tls_opts_set(l->mosq, SSL_VERIFY_NONE, NULL,
					    NULL);
		if (rc == 0)
			rc = mosquitto_tls_insecure_set(l->mosq, true);
	}
	if (rc)
		return err_set(err, "[mqtt] TLS settings: %s",
			       mosquitto_strerror(rc));
	return 0;
}

/* Wait up to us for the stop fd; 1 when told to stop. */
static int wait_stop(struct lsn *l, int64_t us)
{
	struct pollfd p = { l->o->stop_fd, POLLIN, 0 };

	if (l->o->stop_fd < 0) {
		struct timespec ts = { (time_t)(us / US_PER_SEC),
				       (long)(us % US_PER_SEC) * 1000 };
		nanosleep(&ts, NULL);
		return 0;
	}
	return poll(&p, 1, (int)(us / 1000)) == 1;
}

static int connect_once(struct lsn *l, int first, struct hearth_err *err)
{
	int rc;

	l->conn_rc = 0;
	l->connected = l->subscribed = 0;
	rc = first ? mosquitto_connect(l->mosq, l->set->host, l->set->port,
				       l->set->keepalive)
		   : mosquitto_reconnect(l->mosq);
	if (rc != MOSQ_ERR_SUCCESS)
		return err_set(err, "cannot reach the broker at %s: %s",
			       l->set->url, rc == MOSQ_ERR_ERRNO
			       ? strerror(errno) : mosquitto_strerror(rc));
	return 0;
}

/*
 * One connection: read, store, acknowledge, until it ends (returns 0),
 * stop is asked (1) or the database fails (-1, the connection dropped).
 */
static int session(struct lsn *l, struct hearth_err *err)
{
	int64_t idle_since = timefmt_now();

	for (;;) {
		struct pollfd p[2];
		int n = 1, rc, timeout = 1000;

		p[0].fd = mosquitto_socket(l->mosq);
		p[0].events = POLLIN | (mosquitto_want_write(l->mosq) ?
					POLLOUT : 0);
		p[0].revents = 0;
		if (p[0].fd < 0)
			return 0;
		if (l->o->stop_fd >= 0) {
			p[1].fd = l->o->stop_fd;
			p[1].events = POLLIN;
			p[1].revents = 0;
			n = 2;
		}
		if (l->o->once && l->subscribed)
			timeout = 200;
		rc = poll(p, (nfds_t)n, timeout);
		if (rc < 0 && errno != EINTR)
			return err_set(err, "mqtt: poll: %s", strerror(errno));
		if (n == 2 && (p[1].revents & POLLIN))
			return 1;
		if (rc > 0 && (p[0].revents & (POLLIN | POLLHUP | POLLERR))) {
			/* Everything the socket holds now, then one commit. */
			do {
				rc = mosquitto_loop_read(l->mosq, 1);
			} while (rc == MOSQ_ERR_SUCCESS && l->conn_rc == 0 &&
				 mqtt_batch_pending(l->batch) < PENDING_MAX &&
				 more_to_read(l));
			if (l->conn_rc) {
				err_set(err, "the broker at %s refused the "
					"connection: %s", l->set->url,
					mosquitto_connack_string(l->conn_rc));
				drop_connection(l);
				return 0;
			}
			if (rc != MOSQ_ERR_SUCCESS) {
				/* Not acknowledged: the broker sends them
				 * again. */
				err_set(err, "lost the broker at %s: %s",
					l->set->url, rc == MOSQ_ERR_ERRNO
					? strerror(errno)
					: mosquitto_strerror(rc));
				drop_connection(l);
				return 0;
			}
			if (mqtt_batch_pending(l->batch)) {
				idle_since = timefmt_now();
				if (store_pending(l, err) < 0) {
					drop_connection(l);
					return -1;
				}
			}
		}
		/* Only here, with nothing uncommitted, is the queue written:
		 * the PUBACKs of what was just stored, pings, SUBSCRIBE. */
		if (mosquitto_want_write(l->mosq)) {
			rc = mosquitto_loop_write(l->mosq, 1);
			if (rc != MOSQ_ERR_SUCCESS) {
				err_set(err, "lost the broker at %s: %s",
					l->set->url, mosquitto_strerror(rc));
				drop_connection(l);
				return 0;
			}
			step(l, "acked");
		}
		rc = mosquitto_loop_misc(l->mosq);
		if (rc != MOSQ_ERR_SUCCESS) {
			err_set(err, "lost the broker at %s: %s", l->set->url,
				mosquitto_strerror(rc));
			drop_connection(l);
			return 0;
		}
		status(l, 0);
		if (l->o->once && l->subscribed && !mosquitto_want_write(l->mosq)
		    && timefmt_now() - idle_since > US_PER_SEC &&
		    timefmt_now() - l->last_msg > US_PER_SEC)
			return 1;
	}
}

int mqtt_listener_open(struct mqtt_listener **out, const struct mqtt_opts *o,
		       struct mqtt_stats *stats, struct hearth_err *err)
{
	struct lsn *l = xcalloc(1, sizeof(*l));

	*out = NULL;
	memset(stats, 0, sizeof(*stats));
	l->o = o;
	l->set = o->set;
	l->stats = stats;
	pthread_once(&lib_once, lib_init);
	if (store_open_at(&l->s, o->db, 0, err) < 0 ||
	    mqtt_batch_open(&l->batch, o->set->maps, o->set->nmaps,
			    o->set->max_payload, l->s, err) < 0 ||
	    configure_client(l, err) < 0) {
		mqtt_listener_free((struct mqtt_listener *)l);
		return -1;
	}
	*out = (struct mqtt_listener *)l;
	return 0;
}

int mqtt_listener_run(struct mqtt_listener *ml, struct hearth_err *err)
{
	struct lsn *l = (struct lsn *)ml;
	const struct mqtt_opts *o = l->o;
	struct hearth_err cerr = HEARTH_ERR_INIT;
	int64_t backoff = US_PER_SEC;
	int first = 1, rc;

	for (;;) {
		/* After the database failed: ready again before the broker
		 * sends anything (a server restarted, a revision run). */
		if (!l->batch &&
		    mqtt_batch_open(&l->batch, o->set->maps, o->set->nmaps,
				    o->set->max_payload, l->s, &cerr) < 0)
			set_error(l, cerr.msg, o->once);
		else if (connect_once(l, first, &cerr) == 0) {
			uint64_t before = l->stats->connects;
			first = 0;
			rc = session(l, &cerr);
			if (l->stats->connects > before)
				backoff = US_PER_SEC;
			if (rc == 1) {
				/* Stop: what was read is stored, the PUBACKs
				 * went; the session stays at the broker. */
				mosquitto_disconnect(l->mosq);
				mosquitto_loop_write(l->mosq, 1);
				l->connected = 0;
				status(l, 1);
				return 0;
			}
			if (rc < 0) {
				/* Made again first (a revision may have
				 * changed a table meanwhile). */
				mqtt_batch_free(l->batch);
				l->batch = NULL;
			}
			l->connected = 0;
		}
		/* --once has no second chance: the error is its answer. */
		set_error(l, cerr.msg, o->once);
		if (o->once)
			return err_set(err, "%s", cerr.msg);
		if (wait_stop(l, backoff))
			return 0;
		backoff *= 2;
		if (backoff > o->set->backoff_max_us)
			backoff = o->set->backoff_max_us;
	}
}

void mqtt_listener_free(struct mqtt_listener *ml)
{
	struct lsn *l = (struct lsn *)ml;

	if (!l)
		return;
	if (l->mosq)
		mosquitto_destroy(l->mosq);
	mqtt_batch_free(l->batch);
	buf_release(&l->error);
	buf_release(&l->rejected);
	store_close(l->s);
	free(l);
}

int mqtt_listen(const struct mqtt_opts *o, struct mqtt_stats *stats,
		struct hearth_err *err)
{
	struct mqtt_listener *l;
	int rc;

	if (mqtt_listener_open(&l, o, stats, err) < 0)
		return -1;
	rc = mqtt_listener_run(l, err);
	mqtt_listener_free(l);
	return rc;
}

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
#include "ingest/batch.h"
#include "ingest/wtx.h"
#include "sources/rejects.h"
#include "store/kv.h"

/* Messages held uncommitted at most: past it, commit before reading on.
 * The broker sends no more than its in-flight limit (20 by default)
 * before PUBACKs anyway. */
#define PENDING_MAX 1000
/* Bytes of a rejected payload kept in hearth_rejects. */
#define REJECT_KEEP 1000

static const char state_ddl[] =
	"CREATE TABLE IF NOT EXISTS hearth_mqtt_state ("
	" map TEXT NOT NULL, sensor TEXT NOT NULL, state INTEGER NOT NULL,"
	" changed_at TEXT NOT NULL, PRIMARY KEY (map, sensor));";

/* A message read, not yet committed. */
struct msg {
	char *topic;
	char *payload;
	size_t len;
	int64_t at;        /* arrival */
	char *refused;     /* the database refused its row: why */
	int dropped;       /* ... and its reject row too: acknowledged,
			      said, not stored */
};

/* A rising mapping's sensor: its state as committed, and as the batch
 * being built leaves it. */
struct edge {
	size_t map;
	char *sensor;
	int state, next;
};

struct lsn { /* struct mqtt_listener */
	const struct mqtt_opts *o;
	const struct mqtt_settings *set;
	struct mqtt_stats *stats;
	struct store *s;
	struct schema schema;
	struct writer **w;     /* per mapping */
	struct writer *state_w, *rej_w;
	struct batch *rows;
	struct msg *msgs;
	size_t nmsgs, amsgs;
	struct edge *edges;
	size_t nedges, aedges;
	struct mosquitto *mosq;
	int connected;         /* CONNACK accepted, socket up */
	int subscribed;        /* SUBACK came */
	int conn_rc;           /* CONNACK refusal, 0 */
	uint64_t seq;          /* rejects' refs */
	int64_t last_msg, last_status;
	struct buf error;      /* the connection's trouble, "" when fine */
	struct buf rejected;   /* the last reject line */
	struct buf news;       /* reject lines of the batch, said once it
				  is committed */
	int status_dirty;
	int ready;             /* prepare() succeeded since the last failure */
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

/* The topic or payload as text for a message or a TEXT column (which
 * PostgreSQL wants valid UTF-8): UTF-8 as it is, anything else with its
 * bytes as \xNN, control characters too; the first keep bytes of p, cut
 * between two characters. */
static void printable(struct buf *out, const char *p, size_t n, size_t keep)
{
	size_t lim = n < keep ? n : keep, good, i;

	while (lim < n && lim > 0 && ((unsigned char)p[lim] & 0xc0) == 0x80)
		lim--;
	/* UTF-8 up to good (text cut inside its last character, such as a
	 * value an error quoted, is UTF-8 but for that end). */
	for (good = lim; good + 4 > lim && good > 0; good--)
		if (mosquitto_validate_utf8(p, (int)good) == MOSQ_ERR_SUCCESS)
			break;
	if (mosquitto_validate_utf8(p, (int)good) != MOSQ_ERR_SUCCESS)
		good = 0;
	for (i = 0; i < lim; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c < 0x20 || c == 0x7f || (c >= 0x80 && i >= good))
			buf_addf(out, "\\x%02x", c);
		else
			buf_addch(out, (char)c);
	}
	if (lim < n)
		buf_addf(out, "... (%zu bytes)", n);
}

static void free_msgs(struct lsn *l)
{
	size_t i;

	for (i = 0; i < l->nmsgs; i++) {
		free(l->msgs[i].topic);
		free(l->msgs[i].payload);
		free(l->msgs[i].refused);
	}
	l->nmsgs = 0;
}

static void release_prepared(struct lsn *l)
{
	size_t i;

	batch_free(l->rows);
	l->rows = NULL;
	for (i = 0; l->w && i < l->set->nmaps; i++)
		writer_free(l->w[i]);
	free(l->w);
	l->w = NULL;
	writer_free(l->state_w);
	writer_free(l->rej_w);
	l->state_w = l->rej_w = NULL;
	schema_release(&l->schema);
}

/* Each mapping's writer: time, sensor, then the values (a rising
 * mapping has none). */
static int open_map_writer(struct lsn *l, size_t i, struct hearth_err *err)
{
	const struct mqtt_map *m = &l->set->maps[i];
	const struct schema_table *t = schema_find_table(&l->schema, m->table);
	const struct schema_column *tc;
	const char *sensor = m->sensor_column;
	const char **cols;
	size_t j;
	int rc;

	if (!t || t->internal)
		return err_set(err, "[mqtt.%s] table '%s' does not exist",
			       m->name, m->table);
	tc = schema_time_column(t, m->time_column);
	if (!tc)
		return err_set(err, "[mqtt.%s] table '%s' has no time column "
			       "(declare one TIMESTAMP or set time_column)",
			       m->name, t->name);
	for (j = 0; !sensor && j < t->ncols; j++)
		if (schema_affinity(t->cols[j].type) == AFF_TEXT &&
		    &t->cols[j] != tc)
			sensor = t->cols[j].name;
	if (!sensor)
		return err_set(err, "[mqtt.%s] table '%s' has no TEXT column "
			       "for the sensor name (add one to schema.sql, or "
			       "set sensor_column)", m->name, t->name);
	cols = xcalloc(m->nvalues + 2, sizeof(*cols));
	cols[0] = tc->name;
	cols[1] = sensor;
	for (j = 0; j < m->nvalues; j++)
		cols[j + 2] = m->values[j].column;
	rc = writer_open(&l->w[i], l->s, &l->schema, t->name, cols,
			 m->nvalues + 2, tc->name, 0, err);
	free(cols);
	if (rc < 0)
		return err_prefix(err, "[mqtt.%s]", m->name);
	return 0;
}

/* The tables, the writers and the edges' states from the database: at
 * the start, and again after the database failed (a revision may have
 * changed a table meanwhile). */
static int prepare(struct lsn *l, struct hearth_err *err)
{
	static const char *const state_cols[] = { "map", "sensor", "state",
						  "changed_at" };
	static const char *const rej_cols[] = { "source", "ref", "subject",
						"reason", "first_seen" };
	struct batch_opts bo;
	struct store_stmt *st = NULL;
	size_t i;
	int rc;

	release_prepared(l);
	l->ready = 0;
	if (store_exec(l->s, state_ddl, err) < 0 ||
	    store_exec(l->s, rejects_ddl, err) < 0 ||
	    store_introspect(l->s, &l->schema, err) < 0)
		return -1;
	l->w = xcalloc(l->set->nmaps, sizeof(*l->w));
	for (i = 0; i < l->set->nmaps; i++)
		if (open_map_writer(l, i, err) < 0)
			return -1;
	if (writer_open_internal(&l->state_w, l->s, &l->schema,
				 "hearth_mqtt_state", state_cols, 4, err) < 0 ||
	    writer_open_internal(&l->rej_w, l->s, &l->schema, "hearth_rejects",
				 rej_cols, 5, err) < 0)
		return -1;
	memset(&bo, 0, sizeof(bo));
	bo.s = l->s;
	bo.schema = &l->schema;
	bo.max_shapes = l->set->nmaps + 2;
	l->rows = batch_new(&bo);

	for (i = 0; i < l->nedges; i++)
		free(l->edges[i].sensor);
	l->nedges = 0;
	if (store_prepare(l->s, "SELECT map, sensor, state FROM "
			  "hearth_mqtt_state", &st, err) < 0)
		return -1;
	while ((rc = store_step(st, err)) == 1) {
		size_t ml, sl;
		const char *map = store_column_text(st, 0, &ml);
		const char *sensor = store_column_text(st, 1, &sl);
		for (i = 0; i < l->set->nmaps; i++)
			if (map && !strcmp(map, l->set->maps[i].name))
				break;
		if (i == l->set->nmaps)
			continue; /* a mapping since removed */
		XGROW(l->edges, l->nedges + 1, l->aedges);
		l->edges[l->nedges].map = i;
		l->edges[l->nedges].sensor = xstrndup(sensor ? sensor : "",
						      sensor ? sl : 0);
		l->edges[l->nedges].state = l->edges[l->nedges].next =
			store_column_int(st, 2) != 0;
		l->nedges++;
	}
	store_finalize(st);
	if (rc < 0)
		return -1;
	l->ready = 1;
	return 0;
}

static struct edge *edge_of(struct lsn *l, size_t map, const char *sensor,
			    size_t n)
{
	size_t i;

	for (i = 0; i < l->nedges; i++)
		if (l->edges[i].map == map && strlen(l->edges[i].sensor) == n &&
		    !memcmp(l->edges[i].sensor, sensor, n))
			return &l->edges[i];
	XGROW(l->edges, l->nedges + 1, l->aedges);
	l->edges[l->nedges].map = map;
	l->edges[l->nedges].sensor = xstrndup(sensor, n);
	l->edges[l->nedges].state = l->edges[l->nedges].next = 0;
	return &l->edges[l->nedges++];
}

static int add_row(struct lsn *l, struct writer *w, const char **vals,
		   const size_t *lens, size_t n, long at, int64_t now,
		   struct hearth_err *err)
{
	struct ingest_row row;

	memset(&row, 0, sizeof(row));
	row.vals = vals;
	row.lens = lens;
	row.ncols = n;
	row.at = at;
	return batch_row(l->rows, w, &row, now, err);
}

/* Message k's rows into the batch; -1 with why when it is rejected. */
static int message_rows(struct lsn *l, size_t k, struct mqtt_fields *f,
			struct hearth_err *why, struct hearth_err *err)
{
	const struct msg *m = &l->msgs[k];
	const struct mqtt_map *map = NULL;
	const char *sensor = NULL, *vals[64];
	char ts[WRITER_TIME_MAX], st[2];
	size_t lens[64], slen = 0, i, mi;
	struct edge *e;

	for (mi = 0; mi < l->set->nmaps; mi++)
		if (mqtt_topic_match(l->set->maps[mi].topic, m->topic, &sensor,
				     &slen)) {
			map = &l->set->maps[mi];
			break;
		}
	if (!map)
		return 1; /* not ours (a filter since removed) */
	if (m->len > l->set->max_payload)
		return err_set(why, "[mqtt.%s]: payload of %zu bytes is over "
			       "[mqtt] max_payload (%zu)", map->name, m->len,
			       l->set->max_payload);
	if (map->nvalues + 2 > 64)
		return err_set(why, "[mqtt.%s]: too many values", map->name);
	if (mqtt_map_extract(map, m->payload, m->len, f, why) < 0)
		return err_prefix(why, "[mqtt.%s]", map->name);
	if (f->time.len) {
		vals[0] = f->time.s;
		lens[0] = f->time.len;
	} else {
		lens[0] = timefmt_format(m->at, TIMEFMT_ISO_Z, ts, sizeof(ts));
		vals[0] = ts;
	}
	vals[1] = sensor;
	lens[1] = slen;
	if (map->kind == MQTT_VALUES) {
		for (i = 0; i < f->nvals; i++) {
			vals[i + 2] = f->vals[i].len ? f->vals[i].s : NULL;
			lens[i + 2] = f->vals[i].len;
		}
		if (add_row(l, l->w[mi], vals, lens, map->nvalues + 2,
			    (long)k + 1, m->at, why) < 0)
			return err_prefix(why, "[mqtt.%s]", map->name);
		return 0;
	}
	e = edge_of(l, mi, sensor, slen);
	if (f->state == e->next)
		return 0; /* a repeat: nothing new */
	if (f->state && add_row(l, l->w[mi], vals, lens, 2, (long)k + 1, m->at,
				why) < 0)
		return err_prefix(why, "[mqtt.%s]", map->name);
	st[0] = f->state ? '1' : '0';
	st[1] = '\0';
	{
		const char *sv[4] = { map->name, sensor, st, ts };
		size_t sl[4] = { strlen(map->name), slen, 1, 0 };
		sl[3] = timefmt_format(m->at, TIMEFMT_ISO_Z, ts, sizeof(ts));
		if (add_row(l, l->state_w, sv, sl, 4, (long)k + 1, m->at,
			    err) < 0)
			return -2;
	}
	e->next = f->state;
	return 0;
}

static int reject_row(struct lsn *l, size_t k, const char *why,
		      struct hearth_err *err)
{
	const struct msg *m = &l->msgs[k];
	struct buf ref = BUF_INIT, subj = BUF_INIT, line = BUF_INIT;
	struct buf reason = BUF_INIT;
	char ts[WRITER_TIME_MAX];
	const char *v[5];
	size_t n[5];
	int rc;

	timefmt_format(m->at, TIMEFMT_ISO_Z, ts, sizeof(ts));
	printable(&ref, m->topic, strlen(m->topic), MQTT_TOPIC_MAX);
	buf_addf(&ref, " %s #%llu", ts, (unsigned long long)++l->seq);
	printable(&subj, m->payload, m->len, REJECT_KEEP);
	/* Errors quote values cut to a length, maybe inside a character. */
	printable(&reason, why, strlen(why), HEARTH_ERR_MAX);
	v[0] = "mqtt";
	v[1] = ref.s;
	v[2] = subj.s;
	v[3] = reason.s;
	v[4] = ts;
	n[0] = 4;
	n[1] = ref.len;
	n[2] = subj.len;
	n[3] = reason.len;
	n[4] = strlen(ts);
	rc = m->dropped ? 0 : add_row(l, l->rej_w, v, n, 5, (long)k + 1,
				      m->at, err);
	buf_addstr(&line, "mqtt: message on ");
	printable(&line, m->topic, strlen(m->topic), 200);
	buf_addf(&line, " rejected: %s (%s)", reason.s, m->dropped
		 ? "not kept: the database refused that too" :
		 "kept in hearth_rejects");
	err_one_line(line.s);
	buf_addf(&l->news, "%s\n", line.s);
	buf_release(&line);
	buf_release(&ref);
	buf_release(&subj);
	buf_release(&reason);
	return rc;
}

/* The batch of every pending message: its rows, or its reject. */
static int build(struct lsn *l, size_t *stored, size_t *rejected,
		 struct hearth_err *err)
{
	struct mqtt_fields f;
	size_t k;
	int ret = -1;

	mqtt_fields_init(&f);
	batch_reset(l->rows);
	buf_reset(&l->news);
	for (k = 0; k < l->nedges; k++)
		l->edges[k].next = l->edges[k].state;
	*stored = *rejected = 0;
	for (k = 0; k < l->nmsgs; k++) {
		struct hearth_err why = HEARTH_ERR_INIT;
		int rc;
		if (l->msgs[k].refused) {
			err_set(&why, "%s", l->msgs[k].refused);
			rc = -1;
		} else {
			rc = message_rows(l, k, &f, &why, err);
		}
		if (rc == -2)
			goto out;
		if (rc == 1) {
			l->stats->skipped++;
			continue;
		}
		if (rc < 0) {
			if (reject_row(l, k, why.msg, err) < 0)
				goto out;
			(*rejected)++;
		} else {
			(*stored)++;
		}
	}
	ret = 0;
out:
	mqtt_fields_release(&f);
	return ret;
}

static int commit_batch(struct lsn *l, long *bad, struct hearth_err *err)
{
	struct wtx tx = WTX_INIT;
	int rc;

	*bad = 0;
	if (l->o->q) {
		struct writeq_req r = WRITEQ_REQ_INIT;
		return writeq_put(l->o->q, &r, l->rows, 1, bad, err);
	}
	rc = wtx_begin(&tx, l->s, err);
	if (rc == 0)
		rc = wtx_put(&tx, l->rows, bad, err);
	if (rc == 0)
		rc = wtx_commit(&tx, err);
	wtx_release(&tx);
	return rc;
}

/*
 * Store the pending messages in one transaction.  A row the database
 * refuses (a constraint) makes its message a reject, and the rest is
 * built and tried again; any other failure keeps nothing, and the
 * caller drops the connection so that the broker sends them all again.
 */
static int store_pending(struct lsn *l, struct hearth_err *err)
{
	size_t stored, rejected, k;
	long bad;

	if (!l->nmsgs)
		return 0;
	for (;;) {
		if (build(l, &stored, &rejected, err) < 0)
			return -1;
		step(l, "read");
		if (batch_rows(l->rows) == 0 || commit_batch(l, &bad, err) == 0)
			break;
		/* A refused row makes its message a reject; a refused
		 * reject is said and dropped, so that one message can never
		 * hold up the ones behind it. */
		if (bad < 1 || (size_t)bad > l->nmsgs ||
		    l->msgs[bad - 1].dropped)
			return -1;
		if (l->msgs[bad - 1].refused)
			l->msgs[bad - 1].dropped = 1;
		else
			l->msgs[bad - 1].refused = xstrdup(err->msg);
	}
	for (k = 0; k < l->nedges; k++)
		l->edges[k].state = l->edges[k].next;
	for (char *p = l->news.s, *nl; p && (nl = strchr(p, '\n'));
	     p = nl + 1) {
		*nl = '\0';
		say(l, p);
		buf_reset(&l->rejected);
		buf_addstr(&l->rejected, p);
	}
	buf_reset(&l->news);
	l->stats->stored += stored;
	l->stats->rejected += rejected;
	l->stats->commits++;
	l->status_dirty = 1;
	free_msgs(l);
	batch_reset(l->rows);
	step(l, "committed");
	return 0;
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
	struct msg *m;

	l->stats->received++;
	l->last_msg = timefmt_now();
	/* A retained message is a device's last value from some time ago,
	 * sent again at every SUBSCRIBE: not a new reading. */
	if (mm->retain) {
		l->stats->skipped++;
		l->status_dirty = 1;
		return;
	}
	XGROW(l->msgs, l->nmsgs + 1, l->amsgs);
	m = &l->msgs[l->nmsgs++];
	m->topic = xstrdup(mm->topic);
	m->len = mm->payloadlen > 0 ? (size_t)mm->payloadlen : 0;
	m->payload = xmalloc(m->len + 1);
	if (m->len)
		memcpy(m->payload, mm->payload, m->len);
	m->payload[m->len] = '\0';
	m->at = l->last_msg;
	m->refused = NULL;
	m->dropped = 0;
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
	free_msgs(l);
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
				 l->nmsgs < PENDING_MAX && more_to_read(l));
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
			if (l->nmsgs) {
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
	if (store_open_at(&l->s, o->db, 0, err) < 0 || prepare(l, err) < 0 ||
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
		if (!l->ready && prepare(l, &cerr) < 0)
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
			if (rc < 0)
				l->ready = 0; /* prepared again first */
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
	size_t i;

	if (!l)
		return;
	if (l->mosq)
		mosquitto_destroy(l->mosq);
	free_msgs(l);
	free(l->msgs);
	for (i = 0; i < l->nedges; i++)
		free(l->edges[i].sensor);
	free(l->edges);
	release_prepared(l);
	buf_release(&l->error);
	buf_release(&l->rejected);
	buf_release(&l->news);
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

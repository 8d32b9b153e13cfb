/*
 * mqtt_batch.c - messages read and not yet acknowledged, into rows, rejects
 * and states, and one transaction (mqtt_batch.h).
 */
#include "sources/mqtt_batch.h"

#include <mosquitto.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "base/xalloc.h"
#include "ingest/batch.h"
#include "ingest/wtx.h"
#include "sources/rejects.h"

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

struct mqtt_batch {
	const struct mqtt_map *maps;
	size_t nmaps, max_payload;
	struct store *s;
	struct schema schema;
	struct writer **w;     /* per mapping */
	struct writer *state_w, *rej_w;
	struct batch *rows;
	struct msg *msgs;
	size_t nmsgs, amsgs;
	struct edge *edges;
	size_t nedges, aedges;
	uint64_t seq;          /* rejects' refs */
	struct buf news;       /* reject lines of the batch being built */
};

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

static void free_msgs(struct mqtt_batch *mb)
{
	size_t i;

	for (i = 0; i < mb->nmsgs; i++) {
		free(mb->msgs[i].topic);
		free(mb->msgs[i].payload);
		free(mb->msgs[i].refused);
	}
	mb->nmsgs = 0;
}

static void release_prepared(struct mqtt_batch *mb)
{
	size_t i;

	batch_free(mb->rows);
	mb->rows = NULL;
	for (i = 0; mb->w && i < mb->nmaps; i++)
		writer_free(mb->w[i]);
	free(mb->w);
	mb->w = NULL;
	writer_free(mb->state_w);
	writer_free(mb->rej_w);
	mb->state_w = mb->rej_w = NULL;
	schema_release(&mb->schema);
}

/* Each mapping's writer: time, sensor, then the values (a rising
 * mapping has none). */
static int open_map_writer(struct mqtt_batch *mb, size_t i, struct hearth_err *err)
{
	const struct mqtt_map *m = &mb->maps[i];
	const struct schema_table *t = schema_find_table(&mb->schema, m->table);
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
	rc = writer_open(&mb->w[i], mb->s, &mb->schema, t->name, cols,
			 m->nvalues + 2, tc->name, 0, err);
	free(cols);
	if (rc < 0)
		return err_prefix(err, "[mqtt.%s]", m->name);
	return 0;
}

/* The tables, the writers and the edges' states from the database. */
static int load(struct mqtt_batch *mb, struct hearth_err *err)
{
	static const char *const state_cols[] = { "map", "sensor", "state",
						  "changed_at" };
	static const char *const rej_cols[] = { "source", "ref", "subject",
						"reason", "first_seen" };
	struct batch_opts bo;
	struct store_stmt *st = NULL;
	size_t i;
	int rc;

	release_prepared(mb);
	if (store_exec(mb->s, state_ddl, err) < 0 ||
	    store_exec(mb->s, rejects_ddl, err) < 0 ||
	    store_introspect(mb->s, &mb->schema, err) < 0)
		return -1;
	mb->w = xcalloc(mb->nmaps, sizeof(*mb->w));
	for (i = 0; i < mb->nmaps; i++)
		if (open_map_writer(mb, i, err) < 0)
			return -1;
	if (writer_open_internal(&mb->state_w, mb->s, &mb->schema,
				 "hearth_mqtt_state", state_cols, 4, err) < 0 ||
	    writer_open_internal(&mb->rej_w, mb->s, &mb->schema, "hearth_rejects",
				 rej_cols, 5, err) < 0)
		return -1;
	memset(&bo, 0, sizeof(bo));
	bo.s = mb->s;
	bo.schema = &mb->schema;
	bo.max_shapes = mb->nmaps + 2;
	mb->rows = batch_new(&bo);

	for (i = 0; i < mb->nedges; i++)
		free(mb->edges[i].sensor);
	mb->nedges = 0;
	if (store_prepare(mb->s, "SELECT map, sensor, state FROM "
			  "hearth_mqtt_state", &st, err) < 0)
		return -1;
	while ((rc = store_step(st, err)) == 1) {
		size_t ml, sl;
		const char *map = store_column_text(st, 0, &ml);
		const char *sensor = store_column_text(st, 1, &sl);
		for (i = 0; i < mb->nmaps; i++)
			if (map && !strcmp(map, mb->maps[i].name))
				break;
		if (i == mb->nmaps)
			continue; /* a mapping since removed */
		XGROW(mb->edges, mb->nedges + 1, mb->aedges);
		mb->edges[mb->nedges].map = i;
		mb->edges[mb->nedges].sensor = xstrndup(sensor ? sensor : "",
						      sensor ? sl : 0);
		mb->edges[mb->nedges].state = mb->edges[mb->nedges].next =
			store_column_int(st, 2) != 0;
		mb->nedges++;
	}
	store_finalize(st);
	return rc < 0 ? -1 : 0;
}

static struct edge *edge_of(struct mqtt_batch *mb, size_t map, const char *sensor,
			    size_t n)
{
	size_t i;

	for (i = 0; i < mb->nedges; i++)
		if (mb->edges[i].map == map && strlen(mb->edges[i].sensor) == n &&
		    !memcmp(mb->edges[i].sensor, sensor, n))
			return &mb->edges[i];
	XGROW(mb->edges, mb->nedges + 1, mb->aedges);
	mb->edges[mb->nedges].map = map;
	mb->edges[mb->nedges].sensor = xstrndup(sensor, n);
	mb->edges[mb->nedges].state = mb->edges[mb->nedges].next = 0;
	return &mb->edges[mb->nedges++];
}

static int add_row(struct mqtt_batch *mb, struct writer *w, const char **vals,
		   const size_t *lens, size_t n, long at, int64_t now,
		   struct hearth_err *err)
{
	struct ingest_row row;

	memset(&row, 0, sizeof(row));
	row.vals = vals;
	row.lens = lens;
	row.ncols = n;
	row.at = at;
	return batch_row(mb->rows, w, &row, now, err);
}

/* Message k's rows into the batch; -1 with why when it is rejected. */
static int message_rows(struct mqtt_batch *mb, size_t k, struct mqtt_fields *f,
			struct hearth_err *why, struct hearth_err *err)
{
	const struct msg *m = &mb->msgs[k];
	const struct mqtt_map *map = NULL;
	const char *sensor = NULL, *vals[64];
	char ts[WRITER_TIME_MAX], st[2];
	size_t lens[64], slen = 0, i, mi;
	struct edge *e;

	for (mi = 0; mi < mb->nmaps; mi++)
		if (mqtt_topic_match(mb->maps[mi].topic, m->topic, &sensor,
				     &slen)) {
			map = &mb->maps[mi];
			break;
		}
	if (!map)
		return 1; /* not ours (a filter since removed) */
	if (m->len > mb->max_payload)
		return err_set(why, "[mqtt.%s]: payload of %zu bytes is over "
			       "[mqtt] max_payload (%zu)", map->name, m->len,
			       mb->max_payload);
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
		if (add_row(mb, mb->w[mi], vals, lens, map->nvalues + 2,
			    (long)k + 1, m->at, why) < 0)
			return err_prefix(why, "[mqtt.%s]", map->name);
		return 0;
	}
	e = edge_of(mb, mi, sensor, slen);
	if (f->state == e->next)
		return 0; /* a repeat: nothing new */
	if (f->state && add_row(mb, mb->w[mi], vals, lens, 2, (long)k + 1, m->at,
				why) < 0)
		return err_prefix(why, "[mqtt.%s]", map->name);
	st[0] = f->state ? '1' : '0';
	st[1] = '\0';
	{
		const char *sv[4] = { map->name, sensor, st, ts };
		size_t sl[4] = { strlen(map->name), slen, 1, 0 };
		sl[3] = timefmt_format(m->at, TIMEFMT_ISO_Z, ts, sizeof(ts));
		if (add_row(mb, mb->state_w, sv, sl, 4, (long)k + 1, m->at,
			    err) < 0)
			return -2;
	}
	e->next = f->state;
	return 0;
}

static int reject_row(struct mqtt_batch *mb, size_t k, const char *why,
		      struct hearth_err *err)
{
	const struct msg *m = &mb->msgs[k];
	struct buf ref = BUF_INIT, subj = BUF_INIT, line = BUF_INIT;
	struct buf reason = BUF_INIT;
	char ts[WRITER_TIME_MAX];
	const char *v[5];
	size_t n[5];
	int rc;

	timefmt_format(m->at, TIMEFMT_ISO_Z, ts, sizeof(ts));
	printable(&ref, m->topic, strlen(m->topic), MQTT_TOPIC_MAX);
	buf_addf(&ref, " %s #%llu", ts, (unsigned long long)++mb->seq);
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
	rc = m->dropped ? 0 : add_row(mb, mb->rej_w, v, n, 5, (long)k + 1,
				      m->at, err);
	buf_addstr(&line, "mqtt: message on ");
	printable(&line, m->topic, strlen(m->topic), 200);
	buf_addf(&line, " rejected: %s (%s)", reason.s, m->dropped
		 ? "not kept: the database refused that too" :
		 "kept in hearth_rejects");
	err_one_line(line.s);
	buf_addf(&mb->news, "%s\n", line.s);
	buf_release(&line);
	buf_release(&ref);
	buf_release(&subj);
	buf_release(&reason);
	return rc;
}

/* The batch of every pending message: its rows, or its reject. */
static int build(struct mqtt_batch *mb, struct mqtt_batch_result *res,
		 struct hearth_err *err)
{
	struct mqtt_fields f;
	size_t k;
	int ret = -1;

	mqtt_fields_init(&f);
	batch_reset(mb->rows);
	buf_reset(&mb->news);
	for (k = 0; k < mb->nedges; k++)
		mb->edges[k].next = mb->edges[k].state;
	res->stored = res->rejected = res->skipped = 0;
	for (k = 0; k < mb->nmsgs; k++) {
		struct hearth_err why = HEARTH_ERR_INIT;
		int rc;
		if (mb->msgs[k].refused) {
			err_set(&why, "%s", mb->msgs[k].refused);
			rc = -1;
		} else {
			rc = message_rows(mb, k, &f, &why, err);
		}
		if (rc == -2)
			goto out;
		if (rc == 1) {
			res->skipped++;
			continue;
		}
		if (rc < 0) {
			if (reject_row(mb, k, why.msg, err) < 0)
				goto out;
			res->rejected++;
		} else {
			res->stored++;
		}
	}
	ret = 0;
out:
	mqtt_fields_release(&f);
	return ret;
}

static int commit_batch(struct mqtt_batch *mb, struct writeq *q, long *bad,
			struct hearth_err *err)
{
	struct wtx tx = WTX_INIT;
	int rc;

	*bad = 0;
	if (q) {
		struct writeq_req r = WRITEQ_REQ_INIT;
		return writeq_put(q, &r, mb->rows, 1, bad, err);
	}
	rc = wtx_begin(&tx, mb->s, err);
	if (rc == 0)
		rc = wtx_put(&tx, mb->rows, bad, err);
	if (rc == 0)
		rc = wtx_commit(&tx, err);
	wtx_release(&tx);
	return rc;
}

int mqtt_batch_commit(struct mqtt_batch *mb, struct writeq *q,
		      void (*step)(const char *name),
		      struct mqtt_batch_result *res, struct hearth_err *err)
{
	size_t k;
	long bad;

	res->stored = res->rejected = res->skipped = 0;
	if (!mb->nmsgs)
		return 0;
	for (;;) {
		if (build(mb, res, err) < 0)
			return -1;
		if (step)
			step("read");
		if (batch_rows(mb->rows) == 0 ||
		    commit_batch(mb, q, &bad, err) == 0)
			break;
		/* A refused row makes its message a reject; a refused
		 * reject is said and dropped, so that one message can never
		 * hold up the ones behind it. */
		if (bad < 1 || (size_t)bad > mb->nmsgs ||
		    mb->msgs[bad - 1].dropped)
			return -1;
		if (mb->msgs[bad - 1].refused)
			mb->msgs[bad - 1].dropped = 1;
		else
			mb->msgs[bad - 1].refused = xstrdup(err->msg);
	}
	for (k = 0; k < mb->nedges; k++)
		mb->edges[k].state = mb->edges[k].next;
	buf_add(&res->lines, buf_cstr(&mb->news), mb->news.len);
	buf_reset(&mb->news);
	free_msgs(mb);
	batch_reset(mb->rows);
	if (step)
		step("committed");
	return 0;
}

int mqtt_batch_open(struct mqtt_batch **out, const struct mqtt_map *maps,
		    size_t nmaps, size_t max_payload, struct store *s,
		    struct hearth_err *err)
{
	struct mqtt_batch *mb = xcalloc(1, sizeof(*mb));

	*out = NULL;
	mb->maps = maps;
	mb->nmaps = nmaps;
	mb->max_payload = max_payload;
	mb->s = s;
	if (load(mb, err) < 0) {
		mqtt_batch_free(mb);
		return -1;
	}
	*out = mb;
	return 0;
}

void mqtt_batch_free(struct mqtt_batch *mb)
{
	size_t i;

	if (!mb)
		return;
	free_msgs(mb);
	free(mb->msgs);
	for (i = 0; i < mb->nedges; i++)
		free(mb->edges[i].sensor);
	free(mb->edges);
	release_prepared(mb);
	buf_release(&mb->news);
	free(mb);
}

void mqtt_batch_add(struct mqtt_batch *mb, const char *topic,
		    const void *payload, size_t len, int64_t at)
{
	struct msg *m;

	XGROW(mb->msgs, mb->nmsgs + 1, mb->amsgs);
	m = &mb->msgs[mb->nmsgs++];
	m->topic = xstrdup(topic);
	m->len = len;
	m->payload = xmalloc(len + 1);
	if (len)
		memcpy(m->payload, payload, len);
	m->payload[len] = '\0';
	m->at = at;
	m->refused = NULL;
	m->dropped = 0;
}

size_t mqtt_batch_pending(const struct mqtt_batch *mb)
{
	return mb->nmsgs;
}

void mqtt_batch_drop(struct mqtt_batch *mb)
{
	free_msgs(mb);
}

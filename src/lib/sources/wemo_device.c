/*
 * wemo_device.c - one WeMo found, subscribed, renewed and polled (see
 * wemo_device.h).
 */
#include "sources/wemo_device.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "base/xalloc.h"
#include "sources/gena.h"
#include "sources/httpc.h"
#include "sources/soap.h"
#include "sources/upnp_desc.h"
#include "sources/wemo_value.h"

#define BASIC "urn:Belkin:service:basicevent:"
#define INSIGHT "urn:Belkin:service:insight:"

struct wemo_device {
	const struct wemo_settings *set;
	struct wemo_sink *k;
	const struct wemo_callback *cb;
	int (*stopping)(void *ctx);
	void *ctx;
	char *conf, *host;
	unsigned conf_port;        /* 0: probe WEMO_PROBE_PORTS */

	/* Below, what NOTIFYs read too: under mu. */
	pthread_mutex_t mu;
	int found;
	unsigned port;
	char addr[HTTPC_ADDR_MAX];  /* the device's, NOTIFYs come from it */
	char local[HTTPC_ADDR_MAX]; /* ours facing it */
	struct upnp_desc desc;
	const struct upnp_service *basic, *insight;
	int sensor;                 /* rising edges are motion rows */
	struct gena_sub sb, si;
	int sub_b, sub_i, subscribing;
	int64_t renew_at;
	int on;                     /* -1 until known */
	struct wemo_status st;
};

/* "HOST", "HOST:PORT", "[V6]" or "[V6]:PORT" (checked by the settings). */
static void split(struct wemo_device *d, const char *conf)
{
	const char *c;

	if (*conf == '[') {
		const char *rb = strchr(conf, ']');
		d->host = xstrndup(conf + 1, (size_t)(rb - conf - 1));
		c = rb[1] == ':' ? rb + 1 : NULL;
	} else {
		c = strchr(conf, ':');
		d->host = c ? xstrndup(conf, (size_t)(c - conf))
			    : xstrdup(conf);
	}
	d->conf_port = c ? (unsigned)strtoul(c + 1, NULL, 10) : 0;
}

struct wemo_device *wemo_device_new(const char *conf,
				    const struct wemo_settings *set,
				    struct wemo_sink *k,
				    const struct wemo_callback *cb,
				    int (*stopping)(void *ctx), void *ctx)
{
	struct wemo_device *d = xcalloc(1, sizeof(*d));

	d->set = set;
	d->k = k;
	d->cb = cb;
	d->stopping = stopping;
	d->ctx = ctx;
	d->conf = xstrdup(conf);
	split(d, conf);
	pthread_mutex_init(&d->mu, NULL);
	d->on = -1;
	snprintf(d->st.state, sizeof(d->st.state), "starting");
	return d;
}

void wemo_device_free(struct wemo_device *d)
{
	if (!d)
		return;
	upnp_desc_release(&d->desc);
	pthread_mutex_destroy(&d->mu);
	free(d->conf);
	free(d->host);
	free(d);
}

const char *wemo_device_name(const struct wemo_device *d)
{
	return d->conf;
}

/* Note the device's state (under mu): state and error may be NULL (kept). */
static void note(struct wemo_device *d, const char *state, const char *error)
{
	if (state)
		snprintf(d->st.state, sizeof(d->st.state), "%s", state);
	if (error)
		snprintf(d->st.error, sizeof(d->st.error), "%.*s",
			 (int)sizeof(d->st.error) - 1, error);
	wemo_sink_status(d->k, d->conf, &d->st);
}

/* GET setup.xml on port; 0 and *out filled, -1 with err set. */
static int read_desc(struct wemo_device *d, unsigned port,
		     struct upnp_desc *out, struct httpc_resp *r,
		     struct hearth_err *err)
{
	struct httpc_req q;

	memset(&q, 0, sizeof(q));
	q.method = "GET";
	q.host = d->host;
	q.port = port;
	q.path = "/setup.xml";
	q.timeout_ms = d->set->timeout_ms;
	if (httpc_do(&q, r, err) < 0)
		return -1;
	if (r->status != 200)
		return err_set(err, "%s:%u: GET /setup.xml answered %d",
			       d->host, port, r->status);
	if (upnp_desc_parse(out, buf_cstr(&r->body), r->body.len, err) < 0)
		return err_prefix(err, "%s:%u", d->host, port);
	if (!upnp_desc_service(out, BASIC)) {
		upnp_desc_release(out);
		return err_set(err, "%s:%u: setup.xml has no basicevent "
			       "service: not a WeMo", d->host, port);
	}
	return 0;
}

/* Find the device: its configured port, or the first probed one whose
 * setup.xml is a WeMo's. */
static int find(struct wemo_device *d, struct hearth_err *err)
{
	static const unsigned probe[WEMO_NPROBE] = WEMO_PROBE_PORTS;
	struct upnp_desc desc = UPNP_DESC_INIT;
	struct httpc_resp r;
	size_t i, n = d->conf_port ? 1 : WEMO_NPROBE;
	unsigned port = 0;
	int rc = -1;

	httpc_resp_init(&r);
	for (i = 0; i < n && rc < 0; i++) {
		if (i && d->stopping(d->ctx))
			break;
		port = d->conf_port ? d->conf_port : probe[i];
		rc = read_desc(d, port, &desc, &r, err);
	}
	if (rc == 0) {
		pthread_mutex_lock(&d->mu);
		upnp_desc_release(&d->desc);
		d->desc = desc;
		d->found = 1;
		d->port = port;
		snprintf(d->addr, sizeof(d->addr), "%s", r.peer);
		snprintf(d->local, sizeof(d->local), "%s", r.local);
		d->basic = upnp_desc_service(&d->desc, BASIC);
		d->insight = wemo_sink_has_power(d->k)
			? upnp_desc_service(&d->desc, INSIGHT) : NULL;
		d->sensor = d->desc.device_type &&
			    strstr(d->desc.device_type, ":sensor:") != NULL;
		d->sub_b = d->sub_i = 0;
		pthread_mutex_unlock(&d->mu);
		wemo_sink_log(d->k, "%s: found '%s' (%s, %s) on port %u",
			      d->conf, d->desc.friendly_name, d->desc.model,
			      d->desc.udn, port);
	}
	httpc_resp_release(&r);
	return rc;
}

static void callback_url(const struct wemo_device *d, char *out, size_t n)
{
	const char *a = *d->cb->addr ? d->cb->addr : d->local;

	snprintf(out, n, strchr(a, ':') ? "http://[%s]:%u/upnp/wemo"
					: "http://%s:%u/upnp/wemo",
		 a, d->cb->port);
}

/* Subscribe to (or renew) one service; 0, or -1 with err set and
 * *unreachable when the device did not answer at all. */
static int subscribe_one(struct wemo_device *d, const struct upnp_service *svc,
			 struct gena_sub *sub, int *have, int *unreachable,
			 struct hearth_err *err)
{
	struct gena_target t = { d->host, d->port, svc->event_path,
				 d->set->timeout_ms };
	struct gena_sub g;
	char cb[160];
	int rc;

	pthread_mutex_lock(&d->mu);
	g = *sub;
	pthread_mutex_unlock(&d->mu);
	if (*have) {
		rc = gena_renew(&t, d->set->subscription_s, &g, err);
		if (rc == 0)
			goto done;
		if (g.status != 412)
			goto failed;
		wemo_sink_log(d->k, "%s: renewal of %s answered 412 (the "
			      "device forgot it): subscribing anew", d->conf,
			      g.sid);
	}
	callback_url(d, cb, sizeof(cb));
	pthread_mutex_lock(&d->mu);
	d->subscribing = 1;
	pthread_mutex_unlock(&d->mu);
	rc = gena_subscribe(&t, cb, d->set->subscription_s, &g, err);
	if (rc < 0)
		goto failed;
	wemo_sink_log(d->k, "%s: subscribed to %s as %s for %ds", d->conf,
		      svc->type, g.sid, g.timeout_s);
done:
	pthread_mutex_lock(&d->mu);
	*sub = g;
	*have = 1;
	d->subscribing = 0;
	pthread_mutex_unlock(&d->mu);
	return 0;
failed:
	pthread_mutex_lock(&d->mu);
	*have = 0;
	d->subscribing = 0;
	pthread_mutex_unlock(&d->mu);
	*unreachable = g.status == 0;
	return -1;
}

/* A BinaryState heard (under mu): a rising edge of a sensor is a row. */
static void feed_state(struct wemo_device *d, int on, int64_t now)
{
	if (d->sensor && d->on == 0 && on == 1) {
		wemo_sink_motion(d->k, now, d->desc.friendly_name);
		snprintf(d->st.event, sizeof(d->st.event), "motion");
	} else {
		snprintf(d->st.event, sizeof(d->st.event), "BinaryState %d",
			 on);
	}
	d->on = on;
	d->st.time = now;
}

/* InsightParams heard (under mu): a power row. */
static void feed_insight(struct wemo_device *d, const struct wemo_insight *w,
			 int64_t now)
{
	double watts = w->current_mw / 1000.0;

	wemo_sink_power(d->k, now, d->desc.friendly_name, watts);
	snprintf(d->st.event, sizeof(d->st.event), "%.1f W", watts);
	d->st.time = now;
}

/* Ask the device over SOAP; -1 with err set. */
static int poll_device(struct wemo_device *d, int64_t now,
		       struct hearth_err *err)
{
	struct soap_call c = { d->host, d->port, d->basic->control_path,
			       d->basic->type, "GetBinaryState",
			       "BinaryState", d->set->timeout_ms };
	struct buf v = BUF_INIT;
	struct wemo_insight w;
	int on, ret = -1;

	if (soap_call(&c, &v, err) < 0 ||
	    wemo_binary_state(buf_cstr(&v), &on, err) < 0)
		goto out;
	pthread_mutex_lock(&d->mu);
	feed_state(d, on, now);
	pthread_mutex_unlock(&d->mu);
	if (d->insight) {
		c.path = d->insight->control_path;
		c.service_type = d->insight->type;
		c.action = "GetInsightParams";
		c.out_arg = "InsightParams";
		buf_reset(&v);
		if (soap_call(&c, &v, err) < 0 ||
		    wemo_insight_parse(buf_cstr(&v), &w, err) < 0)
			goto out;
		pthread_mutex_lock(&d->mu);
		feed_insight(d, &w, now);
		pthread_mutex_unlock(&d->mu);
	}
	ret = 0;
out:
	buf_release(&v);
	return ret;
}

/* A device that stopped answering: look for it again (it may be back
 * on another port after a restart). */
static void lost(struct wemo_device *d, const struct hearth_err *err)
{
	pthread_mutex_lock(&d->mu);
	d->found = 0;
	d->sub_b = d->sub_i = 0;
	note(d, "unreachable", err->msg);
	pthread_mutex_unlock(&d->mu);
}

int64_t wemo_device_step(struct wemo_device *d, int64_t now)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	int unreachable = 0, granted;

	if (!d->found) {
		if (find(d, &err) < 0) {
			int again;
			pthread_mutex_lock(&d->mu);
			again = !strcmp(d->st.state, "unreachable") &&
				!strcmp(d->st.error, err.msg);
			pthread_mutex_unlock(&d->mu);
			if (!again)
				wemo_sink_log(d->k, "%s: %s", d->conf,
					      err.msg);
			lost(d, &err);
			return now + d->set->poll_us;
		}
	}
	if (!d->sub_b || now >= d->renew_at) {
		if (subscribe_one(d, d->basic, &d->sb, &d->sub_b,
				  &unreachable, &err) < 0) {
			wemo_sink_log(d->k, "%s: %s", d->conf, err.msg);
			if (unreachable) {
				lost(d, &err);
				return now + d->set->poll_us;
			}
		}
		if (d->sub_b && d->insight &&
		    subscribe_one(d, d->insight, &d->si, &d->sub_i,
				  &unreachable, &err) < 0)
			wemo_sink_log(d->k, "%s: %s", d->conf, err.msg);
		/* Half the granted time, so that a renewal that fails once
		 * is tried again before the subscription ends. */
		granted = d->sb.timeout_s > 0 ? d->sb.timeout_s : 60;
		d->renew_at = now + (int64_t)granted * US_PER_SEC / 2;
	}
	pthread_mutex_lock(&d->mu);
	note(d, d->sub_b ? "subscribed" : "polling",
	     d->sub_b ? "" : err.msg);
	pthread_mutex_unlock(&d->mu);
	if (d->stopping(d->ctx))
		return now;
	/* A poll after each (re)subscription learns the state the device
	 * is in, whatever events were missed; without a subscription it is
	 * how the state is heard.  Either way an edge is stored once. */
	if (poll_device(d, now, &err) < 0) {
		wemo_sink_log(d->k, "%s: %s", d->conf, err.msg);
		lost(d, &err);
		return now + d->set->poll_us;
	}
	pthread_mutex_lock(&d->mu);
	note(d, NULL, NULL);
	pthread_mutex_unlock(&d->mu);
	return d->sub_b ? d->renew_at : now + d->set->poll_us;
}

struct props {
	struct wemo_device *d;
	int64_t now;
	struct hearth_err *err;
};

static int prop(void *ctx, const char *name, const char *value)
{
	struct props *p = ctx;
	struct wemo_insight w;
	int on;

	if (!strcmp(name, "BinaryState")) {
		if (wemo_binary_state(value, &on, p->err) < 0)
			return -1;
		feed_state(p->d, on, p->now);
	} else if (!strcmp(name, "InsightParams") && p->d->insight) {
		if (wemo_insight_parse(value, &w, p->err) < 0)
			return -1;
		feed_insight(p->d, &w, p->now);
	}
	return 0;
}

int wemo_device_notify(struct wemo_device *d, const struct gena_notify *n,
		       const char **why)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct props p = { d, timefmt_now(), &err };
	int status = 200;

	pthread_mutex_lock(&d->mu);
	if (!*n->sid || !((d->sub_b && !strcmp(n->sid, d->sb.sid)) ||
			  (d->sub_i && !strcmp(n->sid, d->si.sid)))) {
		status = 0;
		goto out;
	}
	if (strcmp(n->peer, d->addr)) {
		*why = "from another address than the device's";
		status = 412;
		goto out;
	}
	if (gena_propertyset(n->body, n->len, prop, &p, &err) < 0) {
		wemo_sink_log(d->k, "%s: NOTIFY refused: %s", d->conf,
			      err.msg);
		note(d, NULL, err.msg);
		*why = "a body that is not a WeMo property set";
		status = 400;
		goto out;
	}
	note(d, NULL, "");
out:
	pthread_mutex_unlock(&d->mu);
	return status;
}

int wemo_device_subscribing(struct wemo_device *d, const char *peer)
{
	int rc;

	pthread_mutex_lock(&d->mu);
	rc = d->subscribing && !strcmp(peer, d->addr);
	pthread_mutex_unlock(&d->mu);
	return rc;
}

void wemo_device_unsubscribe(struct wemo_device *d)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct gena_target t = { d->host, d->port, NULL, d->set->timeout_ms };

	if (d->sub_b) {
		t.path = d->basic->event_path;
		gena_unsubscribe(&t, &d->sb, &err);
	}
	if (d->sub_i) {
		t.path = d->insight->event_path;
		gena_unsubscribe(&t, &d->si, &err);
	}
	pthread_mutex_lock(&d->mu);
	d->sub_b = d->sub_i = 0;
	note(d, "stopped", NULL);
	pthread_mutex_unlock(&d->mu);
}

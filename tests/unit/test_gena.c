/* Unit tests for gena.c and gena_listener.c: property sets, and NOTIFYs
 * through a real listener on 127.0.0.1.  Bad inputs tried: a body that
 * is not XML or not a property set, a request that is not HTTP, a
 * Content-Length past the cap, a peer that connects and sends nothing,
 * a method other than NOTIFY. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sources/gena.h"
#include "sources/gena_listener.h"
#include "t.h"

static char seen[1024];

static int prop(void *ctx, const char *name, const char *value)
{
	size_t n = strlen(seen);

	snprintf(seen + n, sizeof(seen) - n, "%s=%s;", name, value);
	return 0;
}

static void test_propertyset(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	const char *b = "<?xml version=\"1.0\"?><e:propertyset xmlns:e=\""
		"urn:schemas-upnp-org:event-1-0\"><e:property><BinaryState>1"
		"</BinaryState></e:property><e:property><Other>x&lt;y</Other>"
		"</e:property></e:propertyset>";

	seen[0] = '\0';
	CHECK(gena_propertyset(b, strlen(b), prop, NULL, &err) == 0);
	CHECK_STR(seen, "BinaryState=1;Other=x<y;");
	seen[0] = '\0';
	b = "<e:propertyset><e:property><BinaryState>1</e:property>";
	CHECK(gena_propertyset(b, strlen(b), prop, NULL, &err) < 0);
	CHECK_STR(seen, "");
	b = "<root><BinaryState>1</BinaryState></root>";
	CHECK(gena_propertyset(b, strlen(b), prop, NULL, &err) < 0);
	CHECK(strstr(err.msg, "not a property set") != NULL);
}

static char got_sid[128], got_peer[64];
static int notified;

static int on_notify(void *ctx, const struct gena_notify *n)
{
	notified++;
	snprintf(got_sid, sizeof(got_sid), "%s", n->sid);
	snprintf(got_peer, sizeof(got_peer), "%s", n->peer);
	return *(int *)ctx;
}

static int dial(unsigned port)
{
	struct sockaddr_in a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Send req, step the listener until an answer comes (or it closes). */
static int exchange(struct gena_listener *l, const char *req, int answer,
		    unsigned long *refused)
{
	char buf[256];
	int fd = dial(gena_listener_port(l)), i, status = 0;
	ssize_t n = 0;

	if (fd < 0)
		return -1;
	if (*req && write(fd, req, strlen(req)) < 0)
		status = -1;
	for (i = 0; i < 20; i++) {
		gena_listener_step(l, 50, 300, on_notify, &answer, refused);
		n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
		if (n >= 0)
			break;
	}
	if (n > 0) {
		buf[n] = '\0';
		sscanf(buf, "HTTP/1.1 %d", &status);
	}
	close(fd);
	return status;
}

static void test_listener(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct gena_listener *l = NULL;
	unsigned long refused = 0;
	char big[256];

	CHECK(gena_listener_open(&l, "nonsense", &err) < 0);
	CHECK(strstr(err.msg, "[wemo] listen 'nonsense'") != NULL);
	CHECK(gena_listener_open(&l, "127.0.0.1:0", &err) == 0);
	if (!l)
		return;
	CHECK_STR(gena_listener_addr(l), "127.0.0.1");
	CHECK(gena_listener_port(l) > 0);
	notified = 0;
	CHECK_INT(exchange(l, "NOTIFY /upnp/wemo HTTP/1.1\r\nSID: uuid:abc\r\n"
			   "NT: upnp:event\r\nContent-Length: 5\r\n\r\nhello",
			   200, &refused), 200);
	CHECK_INT(notified, 1);
	CHECK_STR(got_sid, "uuid:abc");
	CHECK_STR(got_peer, "127.0.0.1");
	/* The caller's status is what is answered. */
	CHECK_INT(exchange(l, "NOTIFY / HTTP/1.1\r\nSID: x\r\n\r\n", 412,
			   &refused), 412);
	CHECK_INT(exchange(l, "GET / HTTP/1.1\r\n\r\n", 200, &refused), 405);
	CHECK_INT(notified, 2);
	CHECK_INT(exchange(l, "garbage\r\n\r\n", 200, &refused), 400);
	snprintf(big, sizeof(big), "NOTIFY / HTTP/1.1\r\nContent-Length: "
		 "%d\r\n\r\n", GENA_NOTIFY_MAX * 2);
	CHECK_INT(exchange(l, big, 200, &refused), 413);
	/* A peer that sends nothing is dropped after the timeout. */
	refused = 0;
	CHECK_INT(exchange(l, "", 200, &refused), 0);
	CHECK_INT(refused, 1);
	CHECK_INT(notified, 2);
	gena_listener_close(l);
}

T_MAIN("gena", T(test_propertyset), T(test_listener))

/* Unit tests for httpc.c: one exchange with a "device" that is a child
 * process on 127.0.0.1 answering a canned reply.  Bad inputs tried: an
 * answer that is not HTTP, one shorter than its Content-Length, a
 * chunked answer cut short, one longer than max_body, a device that
 * accepts and never answers, a port nobody listens on, URLs that are not
 * http:// or have a bad port. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sources/httpc.h"
#include "t.h"

/* A one-connection server sending reply (NULL: never answering);
 * returns its port, *pid the child. */
static unsigned serve(const char *reply, pid_t *pid)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(fd, 1) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &al) < 0)
		return 0;
	*pid = fork();
	if (*pid == 0) {
		char req[4096];
		int c = accept(fd, NULL, NULL);
		if (recv(c, req, sizeof(req), 0) < 0)
			_exit(1);
		if (!reply)
			pause();
		if (send(c, reply, strlen(reply), 0) < 0)
			_exit(1);
		close(c);
		_exit(0);
	}
	close(fd);
	return ntohs(a.sin_port);
}

/* "STATUS|BODY" or "error: MSG". */
static const char *get(const char *reply, size_t max_body)
{
	static char out[1024];
	struct hearth_err err = HEARTH_ERR_INIT;
	struct httpc_req q;
	struct httpc_resp r;
	pid_t pid = 0;

	memset(&q, 0, sizeof(q));
	q.method = "GET";
	q.host = "127.0.0.1";
	q.port = serve(reply, &pid);
	q.path = "/setup.xml";
	q.timeout_ms = 300;
	q.max_body = max_body;
	httpc_resp_init(&r);
	if (httpc_do(&q, &r, &err) == 0)
		snprintf(out, sizeof(out), "%d|%s", r.status,
			 buf_cstr(&r.body));
	else
		snprintf(out, sizeof(out), "error: %s", err.msg);
	if (r.status)
		CHECK_STR(r.peer, "127.0.0.1");
	httpc_resp_release(&r);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return out;
}

static void test_answers(void)
{
	CHECK_STR(get("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 0),
		  "200|hello");
	/* Only Content-Length bytes count. */
	CHECK_STR(get("HTTP/1.1 412 Precondition Failed\r\nContent-Length: 2"
		      "\r\n\r\nokEXTRA", 0), "412|ok");
	CHECK_STR(get("HTTP/1.0 200 OK\r\n\r\nuntil close", 0),
		  "200|until close");
	CHECK_STR(get("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		      "5\r\nhello\r\n6; x=y\r\n world\r\n0\r\n\r\n", 0),
		  "200|hello world");
}

static void test_bad_answers(void)
{
	CHECK(strstr(get("SSH-2.0-OpenSSH\r\n\r\n", 0), "is not HTTP") != NULL);
	CHECK(strstr(get("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort",
			 0), "shorter than its Content-Length") != NULL);
	CHECK(strstr(get("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
			 "\r\n50\r\nhello", 0), "bad chunked") != NULL);
	CHECK(strstr(get("HTTP/1.1 200 OK\r\n\r\n0123456789abcdef", 8),
		     "longer than") != NULL);
	CHECK(strstr(get(NULL, 0), "no answer within 300 ms") != NULL);
}

static void test_unreachable(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	struct httpc_req q;
	struct httpc_resp r;
	pid_t pid = 0;
	unsigned port = serve("", &pid);

	/* The child takes one connection; kill it first: the port is shut. */
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	memset(&q, 0, sizeof(q));
	q.method = "GET";
	q.host = "127.0.0.1";
	q.port = port;
	q.path = "/";
	q.timeout_ms = 300;
	httpc_resp_init(&r);
	CHECK(httpc_do(&q, &r, &err) < 0);
	CHECK(strstr(err.msg, "127.0.0.1:") != NULL);
	httpc_resp_release(&r);
}

static void test_url_and_headers(void)
{
	struct hearth_err err = HEARTH_ERR_INIT;
	const char *path = NULL;
	char *host = NULL, v[16];
	unsigned port = 0;

	CHECK(httpc_url_split("http://192.168.1.20:49153/setup.xml", &host,
			      &port, &path, &err) == 0);
	CHECK_STR(host, "192.168.1.20");
	CHECK_INT(port, 49153);
	CHECK_STR(path, "/setup.xml");
	free(host);
	CHECK(httpc_url_split("http://[fe80::1]/", &host, &port, &path,
			      &err) == 0);
	CHECK_STR(host, "fe80::1");
	CHECK_INT(port, 80);
	free(host);
	CHECK(httpc_url_split("https://x/", &host, &port, &path, &err) < 0);
	CHECK(strstr(err.msg, "not an http:// URL") != NULL);
	CHECK(httpc_url_split("http://x:0/", &host, &port, &path, &err) < 0);
	CHECK(httpc_url_split("http://x:99999/", &host, &port, &path, &err) < 0);
	CHECK(httpc_url_split("http://:80/", &host, &port, &path, &err) < 0);
	CHECK(host == NULL);
	CHECK(httpc_find_header("A: 1\r\nsid:  uuid:x \r\n", 22, "SID", v,
				sizeof(v)) == 1);
	CHECK_STR(v, "uuid:x");
	CHECK(httpc_find_header("SIDX: 1\r\n", 9, "SID", v, sizeof(v)) == 0);
	/* Truncated to the room given. */
	CHECK(httpc_find_header("SID: 0123456789abcdefghij\r\n", 27, "SID", v,
				sizeof(v)) == 1);
	CHECK_INT(strlen(v), sizeof(v) - 1);
}

T_MAIN("httpc", T(test_answers), T(test_bad_answers), T(test_unreachable),
       T(test_url_and_headers))

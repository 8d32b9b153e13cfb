/*
 * ssdp.c - M-SEARCH and its answers (see ssdp.h).
 */
#include "sources/ssdp.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/timefmt.h"
#include "base/xalloc.h"

/* "ADDR[:PORT]" (NULL: the group) into to. */
static int target(const char *where, struct sockaddr_in *to,
		  struct hearth_err *err)
{
	char host[INET_ADDRSTRLEN];
	const char *c = where ? strchr(where, ':') : NULL;
	unsigned long port = SSDP_PORT;
	size_t n;

	memset(to, 0, sizeof(*to));
	to->sin_family = AF_INET;
	if (!where)
		where = SSDP_GROUP;
	n = c ? (size_t)(c - where) : strlen(where);
	if (c) {
		char *e;
		port = strtoul(c + 1, &e, 10);
		if (*e || e == c + 1 || port == 0 || port > 65535)
			n = sizeof(host);
	}
	if (n >= sizeof(host))
		goto bad;
	memcpy(host, where, n);
	host[n] = '\0';
	if (inet_pton(AF_INET, host, &to->sin_addr) != 1)
		goto bad;
	to->sin_port = htons((uint16_t)port);
	return 0;
bad:
	return err_set(err, "ssdp: '%.60s' is not an IPv4 ADDR[:PORT]",
		       where);
}

static int send_search(int fd, const struct sockaddr_in *to, const char *st,
		       struct hearth_err *err)
{
	struct buf m = BUF_INIT;
	int ret = 0;

	buf_addf(&m, "M-SEARCH * HTTP/1.1\r\nHOST: %s:%d\r\n"
		 "MAN: \"ssdp:discover\"\r\nMX: 1\r\nST: %s\r\n\r\n",
		 SSDP_GROUP, SSDP_PORT, st);
	if (sendto(fd, m.s, m.len, 0, (const struct sockaddr *)to,
		   sizeof(*to)) < 0) {
		char a[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, &to->sin_addr, a, sizeof(a));
		ret = err_set(err, "ssdp: cannot send M-SEARCH to %s:%u: %s",
			      a, ntohs(to->sin_port), strerror(errno));
	}
	buf_release(&m);
	return ret;
}

/* One datagram: added to the answers when it is one for st. */
static void take(const char *pkt, size_t len, const struct sockaddr_in *from,
		 const char *st, struct ssdp_answer **out, size_t *n)
{
	char loc[512], usn[256], ast[256];
	size_t i;

	if (len < 12 || strncmp(pkt, "HTTP/1.1 200", 12) ||
	    !httpc_find_header(pkt, len, "LOCATION", loc, sizeof(loc)) ||
	    !httpc_find_header(pkt, len, "ST", ast, sizeof(ast)) ||
	    strcmp(ast, st) || strncasecmp(loc, "http://", 7))
		return;
	for (i = 0; loc[i]; i++)
		if ((unsigned char)loc[i] <= ' ')
			return;
	for (i = 0; i < *n; i++)
		if (!strcmp((*out)[i].location, loc))
			return;
	if (*n >= SSDP_MAX_ANSWERS)
		return;
	if (!httpc_find_header(pkt, len, "USN", usn, sizeof(usn)))
		usn[0] = '\0';
	err_one_line(usn);
	*out = xreallocarray(*out, *n + 1, sizeof(**out));
	(*out)[*n].location = xstrdup(loc);
	(*out)[*n].usn = xstrdup(usn);
	inet_ntop(AF_INET, &from->sin_addr, (*out)[*n].from, HTTPC_ADDR_MAX);
	(*n)++;
}

int ssdp_search(const char *st, const char *to, int wait_ms,
		struct ssdp_answer **out, size_t *n, struct hearth_err *err)
{
	struct sockaddr_in dest;
	int64_t end = timefmt_now() + (int64_t)wait_ms * 1000, next = 0;
	unsigned char ttl = 2;
	char pkt[2048];
	int fd, ret = -1;

	*out = NULL;
	*n = 0;
	if (target(to, &dest, err) < 0)
		return -1;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return err_set(err, "ssdp: socket: %s", strerror(errno));
	setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof(ttl));
	for (;;) {
		int64_t now = timefmt_now();
		struct pollfd p = { fd, POLLIN, 0 };
		int ms, rc;

		if (now >= end)
			break;
		if (now >= next) {
			if (send_search(fd, &dest, st, err) < 0)
				goto out;
			next = now + US_PER_SEC;
		}
		ms = (int)(((next < end ? next : end) - now) / 1000) + 1;
		rc = poll(&p, 1, ms);
		if (rc < 0 && errno != EINTR) {
			err_set(err, "ssdp: poll: %s", strerror(errno));
			goto out;
		}
		while (rc > 0) {
			struct sockaddr_in from;
			socklen_t fl = sizeof(from);
			ssize_t got = recvfrom(fd, pkt, sizeof(pkt) - 1,
					       MSG_DONTWAIT,
					       (struct sockaddr *)&from, &fl);
			if (got < 0)
				break;
			pkt[got] = '\0';
			take(pkt, (size_t)got, &from, st, out, n);
		}
	}
	ret = 0;
out:
	close(fd);
	if (ret < 0) {
		ssdp_answers_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return ret;
}

void ssdp_answers_free(struct ssdp_answer *a, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(a[i].location);
		free(a[i].usn);
	}
	free(a);
}

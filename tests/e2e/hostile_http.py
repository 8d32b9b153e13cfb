#!/usr/bin/env python3
"""hostile_http.py PORT TOKEN N SEED - send N random, mostly hostile HTTP
requests to hearth serve on 127.0.0.1:PORT, one connection each, from a
fixed seed (the same requests every run).

Tried: random, wrong and made-up methods; every route, unknown ones, %00, "..",
an over-long table name; query strings mixing since/until/bucket/agg/
last/format/precision/width/height/token and the dashboard's from/to/w
with times out of any range ("-77777777772d", "+10000y", 1e300, the
ends of int64), empty and junk
values, NULs and bytes over 0x7f; line protocol with unknown tables and
columns, huge and malformed numbers, NaN, strings in numbers, timestamps
of any 64-bit value; JSON that is nested, deep, scalar, unterminated or
out of range; CSV with broken quotes, duplicate or unknown columns, a
BOM; gzip bodies whole, cut short or under unknown encodings; right,
wrong, empty and mis-cased Authorization headers.

Checks that every request is answered, never with a 5xx, a HEAD without a
body, and that the rows the answers say were stored add up.  Prints "ROWS n" (rows the
server said it stored) and the count of each status on stdout; problems
on stderr, exit 1."""
import gzip
import json
import random
import socket
import sys
import urllib.parse

port, token, n, seed = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(seed)
PATHS = ["/api/v1/readings", "/api/v1/motion", "/api/v1/tables",
         "/api/v1/tables/readings", "/write", "/api/v2/write", "/query",
         "/metrics", "/healthz", "/ping", "/", "/chart/readings.svg",
         "/chart/motion.svg", "/api/v1/", "/api/v1/%00", "/api/v1/../etc",
         "/chart/.svg", "/api/v1/hearth_version", "/api/v1/readings/x",
         "/chart/" + "a" * 300 + ".svg"]
TIMES = ["-1h", "-24h", "now", "2014-11-23", "2014-11-23T22:15:00Z",
         "-10000y", "+10000y", "-77777777772d", "99999999999999", "", "x",
         "1e300", "-1", "0000-01-01", "9999-12-31T23:59:59.999999Z",
         "2014-02-30", "+0m", "-9223372036854775808", "1y", "30d"]
OTHER = ["1m", "0", "-5m", "1y", "999999999999d", "avg", "max", "count",
         "csv", "json", "table", "ns", "s", "ms", "us", "h", "200", "4000",
         "199", "99999999999999999999", token]


def junk(k=8):
    return "".join(rnd.choice("abc01-+.:%=&?\x00\xff ,;\"'{}[]\\\n")
                   for _ in range(rnd.randint(0, k)))


def query():
    a = {}
    for k in ["since", "until", "bucket", "agg", "last", "format", "token",
              "width", "height", "db", "precision", "q", "from", "to", "w"]:
        if rnd.random() < 0.3:
            a[k] = rnd.choice(TIMES + OTHER + [junk()])
    q = urllib.parse.urlencode(a)
    if rnd.random() < 0.1:
        q += "&" + junk(20)
    return q


def lp():
    if rnd.random() < 0.3:  # good lines too, so that some rows are stored
        return "".join("readings r_watts=%di,r_temp=%.1f %d\n" % (
            rnd.randint(0, 5000), rnd.uniform(-20, 40),
            rnd.randint(1, 2**62)) for _ in range(rnd.randint(1, 50))).encode()
    lines = []
    for _ in range(rnd.randint(0, 20)):
        m = rnd.choice(["readings", "motion", "nope", "hearth_version",
                        "readings,r_s_name=a", "", "r\\ x", "readings,a=b"])
        f = rnd.choice(["r_watts=%di" % rnd.randint(-2**63, 2**63 - 1),
                        "r_temp=%g" % rnd.uniform(-1e308, 1e308),
                        "r_temp=nan", "r_watts=1", "r_s_name=\"x\\\"y\"",
                        "r_temp=1,r_watts=2i", "=", "r_watts=",
                        "r_watts=99999999999999999999i", "r_temp=1e999",
                        "x=1", junk()])
        t = rnd.choice(["", " %d" % rnd.randint(-2**63, 2**63 - 1),
                        " 1700000000000000000", " -1", " 1e9", " " + junk()])
        lines.append(m + " " + f + t)
    return "\n".join(lines).encode("utf-8", "surrogateescape")


def js():
    return rnd.choice([
        b'[{"r_watts":1}]', b'{"r_datetime":"2014-11-23","r_watts":1.5}',
        b'[', b'[{"r_watts":{"a":1}}]', b'[' * 5000,
        b'{"r_datetime":1e300,"r_temp":1}', b'{"r_datetime":-1e300}',
        b'[{"r_watts":99999999999999999999}]', b'{"r_s_name":"\\u0000"}',
        b'[{}]', b'[1,2]', b'null',
        b'{"r_datetime":"9999-12-31T23:59:59Z","r_watts":true}',
        junk(50).encode("utf-8", "surrogateescape")])


def csv():
    return rnd.choice([
        b"r_datetime,r_watts\n2014-11-23,1\n", b"r_datetime,r_watts\n\"2014,1\n",
        b"a,b\n1,2\n", b"r_watts\n1\n2\n", b"r_datetime,r_watts,r_watts\n1,2,3\n",
        b"\xef\xbb\xbfr_datetime,r_temp\n1416780900,1e400\n",
        junk(60).encode("utf-8", "surrogateescape")])


def request():
    r = rnd.random()
    meth = "POST" if r < 0.45 else "GET" if r < 0.85 else rnd.choice(
        ["PUT", "DELETE", "HEAD", "OPTIONS", "PATCH",
         "X%04X" % rnd.getrandbits(16)])
    path = rnd.choice(PATHS)
    if meth == "POST" and rnd.random() < 0.6:
        path = rnd.choice(["/write", "/api/v2/write", "/api/v1/readings"])
    q = query()
    body, hdrs = b"", []
    if meth == "POST":
        kind = rnd.random()
        if kind < 0.5:
            body, ct = lp(), rnd.choice(["text/plain", "", "application/octet-stream"])
        elif kind < 0.75:
            body, ct = js(), rnd.choice(["application/json", "text/json", ""])
        else:
            body, ct = csv(), rnd.choice(["text/csv", "application/csv; charset=utf-8"])
        if rnd.random() < 0.2:
            body = gzip.compress(body)
            if rnd.random() < 0.3:
                body = body[:rnd.randint(0, len(body))]
            hdrs.append("Content-Encoding: " +
                        rnd.choice(["gzip", "x-gzip", "br", "GZIP", "gzip, gzip"]))
        if ct:
            hdrs.append("Content-Type: " + ct)
    if rnd.random() < 0.6:
        hdrs.append("Authorization: " + rnd.choice([
            "Bearer " + token, "Token " + token, "Bearer x", "Basic eDp5",
            "Bearer", "Token  " + token, "bearer " + token]))
    hdrs.append("Content-Length: %d" % len(body))
    head = "%s %s%s HTTP/1.1\r\nHost: x\r\n%sConnection: close\r\n\r\n" % (
        meth, path, "?" + q if q else "", "".join(h + "\r\n" for h in hdrs))
    return head.encode("latin-1", "replace") + body


def send(raw):
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    try:
        s.sendall(raw)
        data = b""
        while True:
            c = s.recv(65536)
            if not c:
                return data
            data += c
    finally:
        s.close()


def stored(data):
    """Rows the answer says were stored: X-Hearth-Rows (line protocol) or
    the JSON body's "rows" (POST /api/v1/TABLE)."""
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"x-hearth-rows:"):
            return int(line.split(b":", 1)[1])
    if b'"rows":' in body and b'"table":' in body:
        return json.loads(body)["rows"]
    return 0


codes, rows, bad = {}, 0, 0
for i in range(n):
    raw = request()
    try:
        data = send(raw)
    except OSError as e:
        print("request %d: %s, after %r" % (i, e, raw[:300]), file=sys.stderr)
        sys.exit(1)
    code = data[9:12].decode("latin-1") if data.startswith(b"HTTP/1.") else "none"
    codes[code] = codes.get(code, 0) + 1
    if code == "none" or code.startswith("5"):
        print("request %d: answer %r to %r" % (i, data[:200], raw[:300]), file=sys.stderr)
        bad += 1
    elif raw.startswith(b"HEAD ") and data.partition(b"\r\n\r\n")[2]:
        print("request %d: a body after HEAD: %r" % (i, data[:300]), file=sys.stderr)
        bad += 1
    elif code in ("200", "204") and raw.startswith(b"POST "):
        rows += stored(data)
print("ROWS %d" % rows)
print(" ".join("%s:%d" % kv for kv in sorted(codes.items())))
sys.exit(1 if bad else 0)

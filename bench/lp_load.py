#!/usr/bin/env python3
"""lp_load.py URL POINTS BATCH CLIENTS [AUTH] - send POINTS line-protocol
points to URL (a /write endpoint) in BATCH-point requests from CLIENTS
processes, each on one keep-alive connection.  Prints "points seconds".

Every point has its own timestamp, 100 ms apart (a 10 Hz sensor), so no
store can fold them together.
Bodies are built before the clock starts: the figure is the server's."""
import http.client
import multiprocessing as mp
import sys
import time
import urllib.parse

BASE_NS = 1_700_000_000 * 10**9


def bodies(worker, nbatches, batch):
    out = []
    for b in range(nbatches):
        first = (worker * nbatches + b) * batch
        lines = ["readings r_watts=%di,r_temp=%.2f %d"
                 % (1000 + (i % 977), 15 + (i % 100) / 10.0,
                    BASE_NS + (first + i) * 100_000_000)
                 for i in range(batch)]
        out.append(("\n".join(lines) + "\n").encode())
    return out


def worker(url, wid, nbatches, batch, auth, ready, go, res):
    u = urllib.parse.urlsplit(url)
    data = bodies(wid, nbatches, batch)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=300)
    hdrs = {"Content-Type": "text/plain"}
    if auth:
        hdrs["Authorization"] = auth
    path = u.path + ("?" + u.query if u.query else "")
    ready.put(wid)
    go.wait()
    for body in data:
        conn.request("POST", path, body, hdrs)
        r = conn.getresponse()
        text = r.read()
        if r.status != 204:
            res.put("error: HTTP %d %s" % (r.status, text[:300]))
            return
    res.put(time.monotonic())


def main():
    url, points, batch, clients = sys.argv[1], int(sys.argv[2]), \
        int(sys.argv[3]), int(sys.argv[4])
    auth = sys.argv[5] if len(sys.argv) > 5 else None
    nbatches = max(1, points // (batch * clients))
    ready, res, go = mp.Queue(), mp.Queue(), mp.Event()
    procs = [mp.Process(target=worker,
                        args=(url, w, nbatches, batch, auth, ready, go, res))
             for w in range(clients)]
    for p in procs:
        p.start()
    for _ in procs:
        ready.get()
    start = time.monotonic()
    go.set()
    ends = [res.get() for _ in procs]
    for p in procs:
        p.join()
    bad = [e for e in ends if isinstance(e, str)]
    if bad:
        print(bad[0], file=sys.stderr)
        sys.exit(1)
    print(nbatches * batch * clients, "%.3f" % (max(ends) - start))


if __name__ == "__main__":
    main()

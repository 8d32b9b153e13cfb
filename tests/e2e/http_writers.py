# http_writers.py PORT TOKEN THREADS REQUESTS [PID SIGNAL COUNT]
#
# THREADS clients, each on one keep-alive connection, POST line protocol
# to /write, REQUESTS requests each (0: until the server goes away), 50
# rows a request: r_temp is the request's number, r_watts its row.  Each
# answer must be whole: a 204, or (once the server stops) the connection
# closed before any byte of it (with REQUESTS 0, once the server is gone,
# an answer cut short counts as not given).  Acknowledged request numbers
# are printed as they come, one a line, for the caller to find in the
# database: every one with all 50 rows, and no other with some but not
# all.
# With PID, the main thread sends it SIGNAL (HUP, TERM, KILL) COUNT
# times while the clients write, one every 20 acknowledged requests.
# Exit 1 (saying why on stderr) on a partial or unexpected answer.
import os, signal, socket, sys, threading

port, token = int(sys.argv[1]), sys.argv[2]
threads, requests = int(sys.argv[3]), int(sys.argv[4])
sig_pid = int(sys.argv[5]) if len(sys.argv) > 5 else 0
sig = getattr(signal, "SIG" + sys.argv[6]) if sig_pid else 0
sigs = int(sys.argv[7]) if sig_pid else 0
ROWS = 50
lock = threading.Lock()
acked, problems = [], []
counter = [0]


def next_id():
    with lock:
        counter[0] += 1
        return counter[0]


def read_answer(s):
    """The status of one whole answer; None when closed before a byte."""
    data = b""
    while b"\r\n\r\n" not in data:
        c = s.recv(4096)
        if not c:
            if data:
                raise ValueError("answer cut short: %r" % data[:80])
            return None
        data += c
    head, _, body = data.partition(b"\r\n\r\n")
    n = 0
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.partition(b":")
        if k.strip().lower() == b"content-length":
            n = int(v)
    while len(body) < n:
        c = s.recv(4096)
        if not c:
            raise ValueError("answer body cut short")
        body += c
    return int(head.split(b" ")[1])


def client():
    s = None
    done = 0
    try:
        while not requests or done < requests:
            if s is None:
                try:
                    s = socket.create_connection(("127.0.0.1", port), timeout=60)
                except OSError:
                    return  # the server is gone
            rid = next_id()
            body = "".join("readings r_watts=%di,r_temp=%d\n" % (i, rid)
                           for i in range(ROWS)).encode()
            req = (b"POST /write?db=x HTTP/1.1\r\nHost: x\r\n"
                   b"Authorization: Bearer " + token.encode() + b"\r\n"
                   b"Content-Length: " + str(len(body)).encode() +
                   b"\r\n\r\n" + body)
            try:
                s.sendall(req)
                code = read_answer(s)
            except (ConnectionResetError, BrokenPipeError):
                code = None
            except ValueError:
                if requests:
                    raise
                code = None
            if code is None:
                if requests:
                    problems.append("connection closed while serving")
                return
            if code != 204:
                problems.append("request %d: HTTP %d" % (rid, code))
                return
            with lock:
                acked.append(rid)
                print(rid, flush=True)
            done += 1
    except Exception as e:  # noqa: BLE001 - reported, the test fails
        problems.append(repr(e))
    finally:
        if s:
            s.close()


ts = [threading.Thread(target=client) for _ in range(threads)]
for t in ts:
    t.start()
sent = 0
while sig_pid and sent < sigs and any(t.is_alive() for t in ts):
    with lock:
        n = len(acked)
    if n >= 20 * (sent + 1):
        os.kill(sig_pid, sig)
        sent += 1
    else:
        threading.Event().wait(0.01)
for t in ts:
    t.join()
if sig_pid and sent < sigs:
    problems.append("only %d of %d signals sent while writing" % (sent, sigs))
if problems:
    sys.stderr.write("http_writers: %s\n" % "; ".join(problems))
    sys.exit(1)

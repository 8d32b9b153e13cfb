#!/usr/bin/env python3
"""classic_wemo.py - the peer of bench_wemo: what a hand-written watcher
does (in the way pywemo's subscription registry and a script on top of
it do): an http.server listener on loopback, SUBSCRIBE to each device,
and one sqlite3 INSERT and commit per rising edge.

    classic_wemo.py DB HOST:PORT... ; prints its port, stops on SIGTERM
"""
import re
import signal
import sqlite3
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

db = sqlite3.connect(sys.argv[1], check_same_thread=False)
db.execute("CREATE TABLE IF NOT EXISTS motion (r_datetime TIMESTAMP NOT NULL,"
           " r_s_name TEXT NOT NULL)")
lock = threading.Lock()
state = {}
names = {}


class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_NOTIFY(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        sid = self.headers.get("SID")
        m = re.search(r"<BinaryState>(\d+)", body)
        if m and sid in names:
            on = m.group(1) != "0"
            with lock:
                if on and state.get(sid) is False:
                    db.execute("INSERT INTO motion VALUES "
                               "(datetime('now'), ?)", (names[sid],))
                    db.commit()
                state[sid] = on
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()


srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
srv.daemon_threads = True
port = srv.server_address[1]
for i, dev in enumerate(sys.argv[2:]):
    req = urllib.request.Request("http://%s/upnp/event/basicevent1" % dev,
                                 method="SUBSCRIBE", headers={
                                     "CALLBACK": "<http://127.0.0.1:%d/>" % port,
                                     "NT": "upnp:event",
                                     "TIMEOUT": "Second-3600"})
    sid = urllib.request.urlopen(req).headers["SID"]
    names[sid] = "dev%d" % i
    state[sid] = False
print(port, flush=True)
signal.signal(signal.SIGTERM, lambda *a: srv.shutdown())
threading.Thread(target=srv.serve_forever).start()
signal.pause()

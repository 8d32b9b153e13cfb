#!/usr/bin/env python3
"""wemo_sim.py - a simulated WeMo for the tests, on loopback only.

The device: HTTP on --addr:--port serving /setup.xml, SOAP
(GetBinaryState, GetInsightParams), GENA SUBSCRIBE/UNSUBSCRIBE, and
NOTIFYs sent to its subscribers' CALLBACKs from --addr.  With --ssdp PORT
it also answers SSDP M-SEARCHes on UDP PORT (--ssdp-group joins the
multicast group as well: only inside a network namespace of the test's).

The test drives it over a control port (--control, on 127.0.0.1):
    GET /state?v=1          set BinaryState, NOTIFY the subscribers
    GET /power?mw=412500    set the Insight's current power, NOTIFY
    GET /raw?body=...       NOTIFY this body instead of a property set
    GET /spoof?from=127.0.0.2[&sid=...]   NOTIFY state from another address
    GET /reboot[?port=N]    forget every SID (and move to port N)
    GET /mode?m=normal|hang|down|nosub|noevents|badxml
    GET /burst?n=1000       NOTIFY 1, 0, 1, ... n times, each after the
                            last one's answer (for the benchmark)
    GET /stats              JSON: subscribes, renewals, polls, sids, notifies
Each NOTIFY's answer status is in stats' "answers".
"""
import argparse
import json
import socket
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SETUP = """<?xml version="1.0"?>
<root xmlns="urn:Belkin:device-1-0">
  <specVersion><major>1</major><minor>0</minor></specVersion>
  <device>
    <deviceType>{dtype}</deviceType>
    <friendlyName>{name}</friendlyName>
    <manufacturer>Belkin International Inc.</manufacturer>
    <modelName>{model}</modelName>
    <serialNumber>{serial}</serialNumber>
    <UDN>uuid:{model}-1_0-{serial}</UDN>
    <serviceList>
      <service>
        <serviceType>urn:Belkin:service:basicevent:1</serviceType>
        <serviceId>urn:Belkin:serviceId:basicevent1</serviceId>
        <controlURL>/upnp/control/basicevent1</controlURL>
        <eventSubURL>/upnp/event/basicevent1</eventSubURL>
        <SCPDURL>/eventservice.xml</SCPDURL>
      </service>{insight}
    </serviceList>
  </device>
</root>
"""

INSIGHT_SVC = """
      <service>
        <serviceType>urn:Belkin:service:insight:1</serviceType>
        <serviceId>urn:Belkin:serviceId:insight1</serviceId>
        <controlURL>/upnp/control/insight1</controlURL>
        <eventSubURL>/upnp/event/insight1</eventSubURL>
        <SCPDURL>/insightservice.xml</SCPDURL>
      </service>"""

SOAP = """<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" \
s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/"><s:Body>\
<u:{action}Response xmlns:u="{svc}"><{arg}>{value}</{arg}>\
</u:{action}Response></s:Body></s:Envelope>"""

PROPSET = """<e:propertyset xmlns:e="urn:schemas-upnp-org:event-1-0">\
<e:property><{name}>{value}</{name}></e:property></e:propertyset>"""


class Device:
    def __init__(self, a):
        self.a = a
        self.lock = threading.Lock()
        self.state = 0
        self.mw = 0
        self.mode = "normal"
        self.port = a.port
        self.subs = {}  # sid -> (callback, service path)
        self.seq = 0
        self.stats = {"subscribes": 0, "renewals": 0, "renew_412": 0,
                      "polls": 0, "insight_polls": 0, "notifies": 0,
                      "unsubscribes": 0, "answers": []}
        self.server = None

    # -- values as the device writes them
    def binary_state(self):
        if self.a.insight:
            return "%d|1492338954|0|0|0|1209600|0|%d|0|0|8000" % (
                self.state, self.mw)
        return str(self.state)

    def insight_params(self):
        return "%d|1492338954|120|3600|86400|1209600|13|%d|%d|%d|8000" % (
            8 if self.state else 0, self.mw, self.mw * 10, self.mw * 100)

    # -- the HTTP server, movable
    def start(self):
        h = make_handler(self)
        self.server = ThreadingHTTPServer((self.a.addr, self.port), h)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()

    def stop(self):
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    # -- events
    def notify(self, name, value, sids=None, src=None, body=None,
               svc="basicevent1"):
        with self.lock:
            targets = [(s, cb) for s, (cb, path) in self.subs.items()
                       if path.endswith(svc) and (sids is None or s in sids)]
        for sid, cb in targets:
            self.send_notify(cb, sid, body or PROPSET.format(
                name=name, value=value), src)

    def send_notify(self, cb, sid, body, src=None):
        u = urllib.parse.urlsplit(cb)
        data = body.encode()
        with self.lock:
            self.seq += 1
            seq = self.seq
        req = ("NOTIFY %s HTTP/1.1\r\nHOST: %s\r\nCONTENT-TYPE: text/xml; "
               "charset=\"utf-8\"\r\nNT: upnp:event\r\nNTS: upnp:propchange"
               "\r\nSID: %s\r\nSEQ: %d\r\nContent-Length: %d\r\n\r\n" % (
                   u.path or "/", u.netloc, sid, seq, len(data))).encode()
        status = 0
        try:
            s = socket.socket()
            s.settimeout(5)
            s.bind((src or self.a.addr, 0))
            s.connect((u.hostname, u.port or 80))
            s.sendall(req + data)
            ans = s.recv(1024).decode("latin-1")
            s.close()
            status = int(ans.split()[1])
        except (OSError, ValueError, IndexError):
            status = -1
        with self.lock:
            self.stats["notifies"] += 1
            self.stats["answers"].append(status)
        return status


def make_handler(dev):
    class H(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def hang(self):
            if dev.mode == "hang":
                time.sleep(30)
                return True
            return False

        def reply(self, status, body=b"", headers=()):
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = True

        def body(self):
            n = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(n).decode() if n else ""

        def do_GET(self):
            if self.hang():
                return
            if self.path != "/setup.xml":
                return self.reply(404)
            if dev.mode == "badxml":
                return self.reply(200, b"<root><device><friendlyName>x"
                                  b"</device></root>")
            a = dev.a
            x = SETUP.format(
                dtype=("urn:Belkin:device:insight:1" if a.insight
                       else "urn:Belkin:device:sensor:1"),
                name=a.name, model="Insight" if a.insight else "Sensor",
                serial=a.serial, insight=INSIGHT_SVC if a.insight else "")
            self.reply(200, x.encode(), [("Content-Type", "text/xml")])

        def do_POST(self):
            if self.hang():
                return
            action = (self.headers.get("SOAPACTION") or "").strip('"')
            self.body()
            if action.endswith("#GetBinaryState"):
                with dev.lock:
                    dev.stats["polls"] += 1
                v, arg, svc = (dev.binary_state(), "BinaryState",
                               "urn:Belkin:service:basicevent:1")
                name = "GetBinaryState"
            elif action.endswith("#GetInsightParams") and dev.a.insight:
                with dev.lock:
                    dev.stats["insight_polls"] += 1
                v, arg, svc = (dev.insight_params(), "InsightParams",
                               "urn:Belkin:service:insight:1")
                name = "GetInsightParams"
            else:
                return self.reply(500, b"<s:Envelope xmlns:s=\"x\"><s:Body>"
                                  b"<s:Fault><faultstring>UPnPError"
                                  b"</faultstring></s:Fault></s:Body>"
                                  b"</s:Envelope>")
            self.reply(200, SOAP.format(action=name, svc=svc, arg=arg,
                                        value=v).encode(),
                       [("Content-Type", "text/xml")])

        def do_SUBSCRIBE(self):
            if self.hang():
                return
            if dev.mode == "nosub":
                return self.reply(500)
            path = self.path
            sid = self.headers.get("SID")
            cb = self.headers.get("CALLBACK")
            t = "Second-%d" % dev.a.timeout
            if sid:
                with dev.lock:
                    known = sid in dev.subs
                    dev.stats["renewals" if known else "renew_412"] += 1
                if not known:
                    return self.reply(412)
                return self.reply(200, headers=[("SID", sid),
                                                ("TIMEOUT", t)])
            if not cb or self.headers.get("NT") != "upnp:event":
                return self.reply(412)
            cb = cb.strip("<>")
            sid = "uuid:" + str(uuid.uuid4())
            with dev.lock:
                dev.subs[sid] = (cb, path)
                dev.stats["subscribes"] += 1
            self.reply(200, headers=[("SID", sid), ("TIMEOUT", t)])
            # As a WeMo does: the state at once, to the new subscriber.
            if dev.mode != "noevents":
                if path.endswith("insight1"):
                    v, n = dev.insight_params(), "InsightParams"
                else:
                    v, n = dev.binary_state(), "BinaryState"
                threading.Thread(target=dev.send_notify, args=(
                    cb, sid, PROPSET.format(name=n, value=v))).start()

        def do_UNSUBSCRIBE(self):
            sid = self.headers.get("SID")
            with dev.lock:
                dev.stats["unsubscribes"] += 1
                known = dev.subs.pop(sid, None)
            self.reply(200 if known else 412)

    return H


def control_handler(dev):
    class C(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            u = urllib.parse.urlsplit(self.path)
            q = dict(urllib.parse.parse_qsl(u.query))
            out = {"ok": True}
            if u.path == "/state":
                dev.state = int(q["v"])
                if dev.mode != "noevents":
                    dev.notify("BinaryState", dev.binary_state())
            elif u.path == "/power":
                dev.mw = int(q["mw"])
                if dev.mode != "noevents":
                    dev.notify("InsightParams", dev.insight_params(),
                               svc="insight1")
            elif u.path == "/burst":
                t0 = time.time()
                for i in range(int(q["n"])):
                    dev.state = 1 - (i % 2)
                    dev.notify("BinaryState", dev.binary_state())
                out["seconds"] = time.time() - t0
            elif u.path == "/raw":
                dev.notify(None, None, body=q["body"])
            elif u.path == "/spoof":
                with dev.lock:
                    subs = list(dev.subs.items())
                sid = q.get("sid")
                for s, (cb, path) in subs:
                    if path.endswith("basicevent1"):
                        out["status"] = dev.send_notify(
                            cb, sid or s, PROPSET.format(
                                name="BinaryState", value=q.get("v", "1")),
                            q.get("from"))
                        break
            elif u.path == "/reboot":
                with dev.lock:
                    dev.subs.clear()
                    dev.state = 0
                if "port" in q:
                    dev.stop()
                    dev.port = int(q["port"])
                    dev.start()
            elif u.path == "/mode":
                m = q["m"]
                if m == "down":
                    dev.stop()
                elif dev.mode == "down":
                    dev.start()
                dev.mode = m
            elif u.path == "/stats":
                with dev.lock:
                    out = dict(dev.stats, sids=list(dev.subs),
                               port=dev.port)
            else:
                self.send_response(404)
                self.end_headers()
                return
            b = json.dumps(out).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(b)))
            self.end_headers()
            self.wfile.write(b)

    return C


def ssdp(dev, port, group):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0" if group else dev.a.addr, port))
    if group:
        mreq = socket.inet_aton("239.255.255.250") + socket.inet_aton(
            "127.0.0.1")
        s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
    while True:
        data, peer = s.recvfrom(2048)
        text = data.decode("latin-1")
        if not text.startswith("M-SEARCH") or \
                "urn:Belkin:service:basicevent:1" not in text:
            continue
        ans = ("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=86400\r\n"
               "EXT:\r\nLOCATION: http://%s:%d/setup.xml\r\n"
               "SERVER: Unspecified, UPnP/1.0, Unspecified\r\n"
               "ST: urn:Belkin:service:basicevent:1\r\n"
               "USN: uuid:Sensor-1_0-%s::urn:Belkin:service:basicevent:1"
               "\r\n\r\n" % (dev.a.addr, dev.port, dev.a.serial))
        # An answer that is not for the search, dropped by hearth.
        s.sendto(b"HTTP/1.1 200 OK\r\nST: upnp:rootdevice\r\n"
                 b"LOCATION: http://127.0.0.9:1/x.xml\r\n\r\n", peer)
        s.sendto(ans.encode(), peer)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--addr", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--control", type=int, required=True)
    p.add_argument("--name", default="Hallway")
    p.add_argument("--serial", default="221517K0101769")
    p.add_argument("--insight", action="store_true")
    p.add_argument("--timeout", type=int, default=300,
                   help="the subscription time granted, seconds")
    p.add_argument("--ssdp", type=int, default=0)
    p.add_argument("--ssdp-group", action="store_true")
    p.add_argument("--ready", help="a file written once listening")
    a = p.parse_args()
    for ad in (a.addr,):
        if not ad.startswith("127."):
            raise SystemExit("wemo_sim: loopback addresses only")
    dev = Device(a)
    dev.start()
    ctl = ThreadingHTTPServer(("127.0.0.1", a.control), control_handler(dev))
    if a.ssdp:
        threading.Thread(target=ssdp, args=(dev, a.ssdp, a.ssdp_group),
                         daemon=True).start()
    if a.ready:
        with open(a.ready, "w") as f:
            f.write("ready\n")
    ctl.serve_forever()


if __name__ == "__main__":
    main()

"""Servers that try to get more than they should out of a client: redirects across origins
and down to plain http, a proxy, and a slowloris. For the network layer's regression tests
of issue 12 (credentials kept to their origin, the URL guard, one deadline per sync).

Listens on three loopback ports and prints "A B S" as its first line: A and B are two
plain-HTTP origins, S serves HTTPS with a self-signed certificate for 127.0.0.1 (made with
the openssl program at start; GET /_cert on any port answers it as PEM, for the client's
CA bundle). Every port answers every path the same way, any method:

  /redirect?to=URL[&status=302]   that status with Location: URL (relative or absolute)
  /dav/...                        401 without Basic garage:test-only-password; with it, a
                                  207 multistatus naming /dav/principal/ as the principal
  /feed.ics                       a calendar with one event (text/calendar)
  /slow?mode=body                 headers promising 1 MB, then one byte every 0.2 s
  /slow?mode=silent               reads the request, then says nothing for 10 minutes
  /slow?...&first=feed            the first request of that path answers as /feed.ics (a
                                  feed is read when it is connected), the later ones slowly
  /ok                             200 "ok"
  /_seen                          JSON: every request so far (not /_seen, /_cert), as
                                  {"port": "A"|"B"|"S", "method", "path",
                                   "authorization": bool, "proxied": bool}
  /_cert                          the HTTPS port's certificate

A request whose target is an absolute URL (GET http://8.8.8.8/x HTTP/1.1) is one sent to
a proxy: it is recorded as "proxied" and answered for its path like any other; nothing is
ever forwarded anywhere.
"""
import base64
import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import fake_http

AUTH = "Basic " + base64.b64encode(b"garage:test-only-password").decode()
FEED = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calsync tests//EN\r\n"
        "X-WR-CALNAME:Moved feed\r\nBEGIN:VEVENT\r\nUID:moved-1\r\n"
        "DTSTAMP:20260101T000000Z\r\nDTSTART:20260601T090000Z\r\n"
        "DTEND:20260601T100000Z\r\nSUMMARY:Inspection\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")

lock = threading.Lock()
seen = []
names = {}
cert_pem = b""


def principal_body():
    return ('<?xml version="1.0" encoding="utf-8"?><D:multistatus xmlns:D="DAV:">'
            "<D:response><D:href>/dav/</D:href><D:propstat><D:prop><D:current-user-principal>"
            "<D:href>/dav/principal/</D:href></D:current-user-principal></D:prop>"
            "<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>"
            "</D:multistatus>").encode()


# The /slow paths asked for so far (first=feed answers the first one well).
SLOW_SEEN = set()
SLOW_LOCK = threading.Lock()

class Handler(fake_http.Handler):
    def handle_any(self):
        length = int(self.headers.get("Content-Length", "0"))
        if length:
            self.rfile.read(length)
        proxied = self.path.startswith("http://") or self.path.startswith("https://")
        url = urllib.parse.urlparse(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/_seen":
            with lock:
                body = json.dumps(seen).encode()
            return self.send(200, body, [("Content-Type", "application/json")])
        if url.path == "/_cert":
            return self.send(200, cert_pem, [("Content-Type", "application/x-pem-file")])
        with lock:
            seen.append({"port": names[self.server.server_address[1]], "method": self.command,
                         "path": url.path, "proxied": proxied,
                         "authorization": "Authorization" in self.headers})
        if url.path == "/redirect":
            return self.send(int(q.get("status", "302")), b"", [("Location", q["to"])])
        if url.path.startswith("/dav/"):
            if self.headers.get("Authorization") != AUTH:
                return self.send(401, b"unauthorized", [("WWW-Authenticate", 'Basic realm="x"')])
            return self.send(207, principal_body(), [("Content-Type", "application/xml")])
        if url.path == "/feed.ics":
            return self.send(200, FEED.encode(), [("Content-Type", "text/calendar")])
        if url.path == "/slow":
            with SLOW_LOCK:
                first = self.path not in SLOW_SEEN
                SLOW_SEEN.add(self.path)
            if first and q.get("first") == "feed":
                return self.send(200, FEED.encode(), [("Content-Type", "text/calendar")])
            return self.slow(q.get("mode", "body"))
        if url.path == "/ok":
            return self.send(200, b"ok")
        return self.send(404, b"not here")

    def slow(self, mode):
        try:
            if mode == "silent":
                time.sleep(600)
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(1 << 20))
            self.end_headers()
            for _ in range(3000):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(0.2)
        except OSError:
            pass  # the client gave up, as it should
        self.close_connection = True

    do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PROPFIND = do_REPORT = handle_any


def make_certificate(directory):
    key = os.path.join(directory, "key.pem")
    cert = os.path.join(directory, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return cert, key


def main():
    global cert_pem
    directory = tempfile.mkdtemp(prefix="calsync-hostile-")
    cert, key = make_certificate(directory)
    with open(cert, "rb") as f:
        cert_pem = f.read()
    servers = [fake_http.Server(("127.0.0.1", 0), Handler) for _ in range(3)]
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    shutil.rmtree(directory)
    servers[2].socket = context.wrap_socket(servers[2].socket, server_side=True)
    for name, server in zip("ABS", servers):
        names[server.server_address[1]] = name
    for server in servers[1:]:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print(*(s.server_address[1] for s in servers), flush=True)
    servers[0].serve_forever()


if __name__ == "__main__":
    sys.exit(main())

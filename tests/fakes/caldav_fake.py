"""A scripted CalDAV server for what Radicale and Xandikos never do on request.

It listens on two loopback ports, A and B, and prints "A B" as its first line. Port A is
the entry point; the calendar home lives on A too, or (config home=B) on port B, another
origin, as iCloud hands out p01-caldav.icloud.com: a client sends no password there.
Every request needs Basic auth garage:test-only-password.

  A  PROPFIND /                     404: no principal at the root
  A  /.well-known/caldav            301 to /dav/ (RFC 6764 5)
  A  PROPFIND /dav/                 current-user-principal /dav/principals/garage/
  A  PROPFIND /dav/principals/garage/
                                    calendar-home-set http://127.0.0.1:H/home/ (H: the
                                    home's port, A unless configured)
  H  PROPFIND /home/ (Depth 1)      the home, "Workshop" /home/cal/ (events, writable),
                                    "Holidays" /home/holidays/ (events, read-only),
                                    "Tasks" /home/tasks/ (VTODO only)
  H  REPORT /home/cal/              sync-collection (RFC 6578) with calendar-data, at most
                                    `page` members per answer (then 507 on the collection
                                    and a token to continue from), calendar-query,
                                    calendar-multiget

Test control, never faulted, no auth, on either port:
  POST /_admin/put?name=N           body: iCalendar; creates or replaces /home/cal/N
  POST /_admin/delete?name=N
  POST /_admin/config?page=K&fault_rate=R&seed=S&forget_before=V&home=A|B
       page: members per sync-collection answer; fault_rate: the share of requests that
       fail (503, 429 with Retry-After: 0, reset mid-body, truncated body, malformed XML);
       forget_before: tokens older than version V are refused (403 valid-sync-token);
       home: the port the calendar home is on
  GET  /_admin/stats                JSON {"requests": n, "faults": n}
"""
import base64
import json
import random
import sys
import threading
import urllib.parse
import xml.etree.ElementTree as ET

import fake_http

AUTH = "Basic " + base64.b64encode(b"garage:test-only-password").decode()
DAV = "DAV:"
CAL = "urn:ietf:params:xml:ns:caldav"

lock = threading.Lock()
state = {
    "version": 0,
    "resources": {},  # name -> (version, etag, ics); a deleted one has ics None
    "page": 1000,
    "fault_rate": 0.0,
    "random": random.Random(0),
    "forget_before": 0,
    "requests": 0,
    "faults": 0,
    "home": "A",
}
ports = {}


def multistatus(responses, token=None):
    body = ['<?xml version="1.0" encoding="utf-8"?>',
            '<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" '
            'xmlns:CS="http://calendarserver.org/ns/" xmlns:A="http://apple.com/ns/ical/">']
    body += responses
    if token is not None:
        body.append(f"<D:sync-token>{token}</D:sync-token>")
    body.append("</D:multistatus>")
    return "\n".join(body).encode()


def prop_response(href, props):
    return (f"<D:response><D:href>{href}</D:href><D:propstat><D:prop>{props}</D:prop>"
            "<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>")


def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def member(name, with_data):
    version, etag, ics = state["resources"][name]
    href = "/home/cal/" + name
    if ics is None:
        return (f"<D:response><D:href>{href}</D:href>"
                "<D:status>HTTP/1.1 404 Not Found</D:status></D:response>")
    data = f"<C:calendar-data>{escape(ics)}</C:calendar-data>" if with_data else ""
    return prop_response(href, f"<D:getetag>{etag}</D:getetag>{data}")


class Handler(fake_http.Handler):
    def xml(self, status, body):
        self.send(status, body, [("Content-Type", "application/xml; charset=utf-8")])

    def port(self):
        return self.server.server_address[1]

    def handle_any(self):
        url = urllib.parse.urlparse(self.path)
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length else b""
        if url.path.startswith("/_admin/"):
            return self.admin(url, dict(urllib.parse.parse_qsl(url.query)), body)
        with lock:
            state["requests"] += 1
            fault = None
            if state["random"].random() < state["fault_rate"]:
                state["faults"] += 1
                fault = state["random"].choice(["503", "429", "reset", "truncated", "badxml"])
        if fault is not None:
            return self.fail(fault)
        if self.headers.get("Authorization") != AUTH:
            return self.send(401, b"unauthorized", [("WWW-Authenticate", 'Basic realm="fake"')])
        if not url.path.startswith("/home/"):
            return self.entry(url.path) if self.port() == ports["A"] else self.send(404, b"")
        if self.port() != ports[state["home"]]:
            return self.send(404, b"not found")
        return self.partition(url.path, body)

    def fail(self, fault):
        if fault == "503":
            self.send(503, b"unavailable")
        elif fault == "429":
            self.send(429, b"slow down", [("Retry-After", "0")])
        elif fault == "badxml":
            self.xml(207, b'<D:multistatus xmlns:D="DAV:"><D:response><D:href>/home/c')
        else:
            self.send_response(207)
            self.send_header("Content-Length", "5000")
            self.end_headers()
            self.wfile.write(b"<D:multistatus" + b" " * 500)
            self.wfile.flush()
            if fault == "reset":
                self.reset_connection()
            self.close_connection = True

    def entry(self, path):
        if path == "/.well-known/caldav":
            return self.send(301, b"", [("Location", "/dav/")])
        if path == "/dav/":
            return self.xml(207, multistatus([prop_response(
                "/dav/", "<D:current-user-principal><D:href>/dav/principals/garage/</D:href>"
                "</D:current-user-principal>")]))
        if path == "/dav/principals/garage/":
            home = f"http://127.0.0.1:{ports[state['home']]}/home/"
            return self.xml(207, multistatus([prop_response(
                path, f"<C:calendar-home-set><D:href>{home}</D:href></C:calendar-home-set>")]))
        return self.send(404, b"not found")

    def partition(self, path, body):
        if path == "/home/" and self.command == "PROPFIND":
            return self.xml(207, self.home())
        if path == "/home/cal/" and self.command == "REPORT":
            return self.report(ET.fromstring(body))
        if path.startswith("/home/cal/") and self.command == "GET":
            with lock:
                found = state["resources"].get(path[len("/home/cal/"):])
            if found is None or found[2] is None:
                return self.send(404, b"not found")
            return self.send(200, found[2].encode(), [("ETag", found[1])])
        return self.send(404, b"not found")

    def home(self):
        def calendar(href, name, comps, privileges, extra=""):
            comp = "".join(f'<C:comp name="{c}"/>' for c in comps)
            privs = "".join(f"<D:privilege><D:{p}/></D:privilege>" for p in privileges)
            return prop_response(href, (
                f"<D:resourcetype><D:collection/><C:calendar/></D:resourcetype>"
                f"<D:displayname>{name}</D:displayname>"
                f"<C:supported-calendar-component-set>{comp}</C:supported-calendar-component-set>"
                f"<D:current-user-privilege-set>{privs}</D:current-user-privilege-set>{extra}"))

        with lock:
            version = state["version"]
        return multistatus([
            prop_response("/home/", "<D:resourcetype><D:collection/></D:resourcetype>"),
            calendar("/home/cal/", "Workshop", ["VEVENT"], ["read", "write"],
                     f"<A:calendar-color>#FF8800FF</A:calendar-color>"
                     f"<CS:getctag>v{version}</CS:getctag><D:sync-token>v{version}</D:sync-token>"),
            calendar("/home/holidays/", "Holidays", ["VEVENT"], ["read"]),
            calendar("/home/tasks/", "Tasks", ["VTODO"], ["read", "write"]),
        ])

    def report(self, root):
        with lock:
            if root.tag == f"{{{DAV}}}sync-collection":
                return self.sync_collection(root)
            if root.tag == f"{{{CAL}}}calendar-query":
                live = sorted(n for n, r in state["resources"].items() if r[2] is not None)
                return self.xml(207, multistatus([member(n, True) for n in live]))
            if root.tag == f"{{{CAL}}}calendar-multiget":
                hrefs = [h.text for h in root.iter(f"{{{DAV}}}href")]
                out = []
                for href in hrefs:
                    name = href.rsplit("/", 1)[-1]
                    if name in state["resources"]:
                        out.append(member(name, True))
                    else:
                        out.append(f"<D:response><D:href>{href}</D:href>"
                                   "<D:status>HTTP/1.1 404 Not Found</D:status></D:response>")
                return self.xml(207, multistatus(out))
        return self.send(400, b"unsupported report")

    def sync_collection(self, root):
        token = root.findtext(f"{{{DAV}}}sync-token") or ""
        since = 0
        if token:
            if not token.startswith("v") or int(token[1:]) < state["forget_before"]:
                return self.xml(403, b'<?xml version="1.0"?><D:error xmlns:D="DAV:">'
                                     b"<D:valid-sync-token/></D:error>")
            since = int(token[1:])
        changed = sorted((r[0], n) for n, r in state["resources"].items()
                         if r[0] > since and (since > 0 or r[2] is not None))
        page = changed[:state["page"]]
        out = [member(n, True) for _, n in page]
        if len(page) < len(changed):
            out.append("<D:response><D:href>/home/cal/</D:href>"
                       "<D:status>HTTP/1.1 507 Insufficient Storage</D:status></D:response>")
            next_token = f"v{page[-1][0]}"
        else:
            next_token = f"v{state['version']}"
        return self.xml(207, multistatus(out, next_token))

    def admin(self, url, q, body):
        with lock:
            if url.path == "/_admin/put":
                state["version"] += 1
                v = state["version"]
                state["resources"][q["name"]] = (v, f'"e{v}"', body.decode())
            elif url.path == "/_admin/delete":
                state["version"] += 1
                state["resources"][q["name"]] = (state["version"], "", None)
            elif url.path == "/_admin/config":
                if "page" in q:
                    state["page"] = int(q["page"])
                if "fault_rate" in q:
                    state["fault_rate"] = float(q["fault_rate"])
                if "seed" in q:
                    state["random"] = random.Random(int(q["seed"]))
                if "forget_before" in q:
                    state["forget_before"] = int(q["forget_before"])
                if "home" in q:
                    state["home"] = q["home"]
            elif url.path == "/_admin/stats":
                body = json.dumps({"requests": state["requests"], "faults": state["faults"]})
                return self.send(200, body.encode(), [("Content-Type", "application/json")])
        self.send(200, b"ok")

    do_GET = do_PUT = do_DELETE = do_POST = do_PROPFIND = do_REPORT = handle_any


def main():
    servers = [fake_http.Server(("127.0.0.1", 0), Handler) for _ in range(2)]
    ports["A"], ports["B"] = (s.server_address[1] for s in servers)
    threading.Thread(target=servers[1].serve_forever, daemon=True).start()
    print(ports["A"], ports["B"], flush=True)
    servers[0].serve_forever()


if __name__ == "__main__":
    sys.exit(main())
